"""The bot's command menu (set with setMyCommands per language)."""

from __future__ import annotations

from flows.i18n import N_, Translator

COMMANDS: tuple[tuple[str, str], ...] = (
    ("start", N_("Start or resume KinBridge")),
    ("help", N_("What I can do for you")),
)


def command_menu(_: Translator) -> list[tuple[str, str]]:
    return [(name, _(description)) for name, description in COMMANDS]


def help_text(_: Translator) -> str:
    return _(
        "KinBridge keeps a child's family and village children's director in touch.\n"
        "/start: start or resume\n"
        "/help: this message"
    )
