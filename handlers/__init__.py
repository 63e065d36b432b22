"""Telegram adapters. ``register`` adds every handler in one place (order matters: check-in
buttons first, commands, the menu, the router, and last a catch-all that logs the rest).
Each handler logs its update through ``run_flow``."""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, TypeHandler

from handlers import (
    account,
    guardian,
    onboarding,
    parent,
    router,
    staff,
    staff_desk,
    update_order,
)
from handlers.common import log_unhandled, on_error


def register(application: Application) -> None:
    update_order.register(application)  # first of all: a flooding person's excess (issue 13.6)
    guardian.register(application)  # first: check-in answers are most of the traffic
    parent.register(application)
    onboarding.register(application)
    account.register(application)
    staff.register(application)
    staff_desk.register(application)
    router.register(application)
    application.add_handler(TypeHandler(Update, log_unhandled))  # last: whatever nothing took
    application.add_error_handler(on_error)
