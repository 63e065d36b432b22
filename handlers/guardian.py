"""Guardians' side: /checkin and 🆘 (/help_now and the 🆘 button). Their answers are buttons of
the dialogs (handlers/router.py)."""

from __future__ import annotations

from telegram.ext import Application

from flows.core.buttons import SosStart
from flows.guardian import checkin, sos
from handlers.flowrun import ButtonTable, members, on_command

BUTTONS: ButtonTable = [(SosStart, lambda s, t, _b: members(sos.begin_help)(s, t))]


def register(application: Application) -> None:  # type: ignore[type-arg]
    application.add_handler(on_command("checkin", lambda _args: members(checkin.begin_now)))
    application.add_handler(on_command("help_now", lambda _args: members(sos.begin_help)))
