"""Telegram adapters, one module per audience. ``register`` adds every handler in one place:
the flood guard first, then every button family (a longer prefix before the one it extends,
so ``f:invite:3`` is a family-file invitation and not an answer in the family-file dialog), the
commands, the router for free messages, and last a catch-all that logs the rest. Every handler
runs its flow through the turn middleware (``handlers.flowrun.run_flow``)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, TypeHandler

from flows.core.buttons import ButtonData
from handlers import account, guardian, parent, router, staff, update_order
from handlers.common import log_unhandled, on_error
from handlers.flowrun import on_button


def button_handlers() -> list[CallbackQueryHandler]:  # type: ignore[type-arg]
    buttons = [*router.BUTTONS, *guardian.BUTTONS, *parent.BUTTONS, *account.BUTTONS,
               *staff.BUTTONS]
    # a family whose prefix another extends ("f" < "f:invite") goes after it; the rest keep
    # their order (check-in answers, the bulk of the traffic, first: each handler is a check)
    return [on_button(family, action)
            for family, action in sorted(buttons, key=lambda b: _extended(b[0].prefix))]


def _extended(prefix: str) -> bool:
    return any(f.prefix.startswith(f"{prefix}:") for f in ButtonData.families)


def register(application: Application) -> None:  # type: ignore[type-arg]
    update_order.register(application)  # first of all: a flooding person's excess (issue 13.6)
    for handler in button_handlers():
        application.add_handler(handler)
    guardian.register(application)
    account.register(application)
    staff.register(application)
    router.register(application)
    application.add_handler(TypeHandler(Update, log_unhandled))  # last: whatever nothing took
    application.add_error_handler(on_error)
