"""Shared by every audience: plain ui values, i18n, the clock, time plans, labels, access,
settings, the services a turn needs, commands and the interaction log."""
