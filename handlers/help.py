"""/help: what I can do now."""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CommandHandler, ContextTypes

from flows.commands import help_text
from handlers.common import reply, translator_for_update


async def show_help(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    _ = await translator_for_update(update, context)
    await reply(update, context, help_text(_))


def register(application: Application) -> None:
    application.add_handler(CommandHandler("help", show_help))
