"""Telegram adapters. ``register`` adds every handler in one place."""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, TypeHandler

from handlers import help, onboarding
from handlers.common import log_inbound, on_error


def register(application: Application) -> None:
    application.add_handler(TypeHandler(Update, log_inbound), group=-1)
    onboarding.register(application)
    help.register(application)
    application.add_error_handler(on_error)
