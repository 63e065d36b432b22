"""What the outbox sends and when: due work, delivery decisions, the retry policy."""
