"""Helpers the tests share (builders, the people who talk to the sandbox, processes, waiting).
Fixtures live in tests/conftest.py only; everything else a test imports comes from here."""
