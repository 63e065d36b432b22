"""Telegram adapters. ``register`` adds every handler in one place (order matters: commands
first, then the menu, then the router that catches everything else)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, TypeHandler

from handlers import account, caseworker, guardian, onboarding, router
from handlers.common import log_inbound, on_error


def register(application: Application) -> None:
    application.add_handler(TypeHandler(Update, log_inbound), group=-1)
    onboarding.register(application)
    account.register(application)
    caseworker.register(application)
    guardian.register(application)
    router.register(application)
    application.add_error_handler(on_error)
