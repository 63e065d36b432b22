"""The bot's command menu (set with setMyCommands per language)."""

from __future__ import annotations

from flows.core.i18n import N_, Translator

COMMANDS: tuple[tuple[str, str], ...] = (
    ("start", N_("Start or resume KinBridge")),
    ("menu", N_("What I can do for you")),
    ("help", N_("Help")),
    ("help_now", N_("🆘 A child needs help now")),
    ("checkin", N_("Tell about the child now")),
    ("settings", N_("Times, quiet hours, time zone")),
    ("language", N_("中文 / English")),
    ("stop", N_("Pause all messages")),
    ("forget", N_("Remove my personal data")),
    ("cancel", N_("Stop what we are doing")),
)


def command_menu(_: Translator) -> list[tuple[str, str]]:
    return [(name, _(description)) for name, description in COMMANDS]
