"""/start: greet people; unknown people get a polite explanation and no data."""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CommandHandler, ContextTypes

from flows.welcome import welcome_back, welcome_unknown
from handlers.common import current_person, reply, services


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    person = await current_person(update, context)
    code = update.effective_user.language_code if update.effective_user else None
    _ = services(context).translator_for(person, code)
    if person is None:
        await reply(update, context, welcome_unknown(_))
    else:
        await reply(update, context, welcome_back(_, person))


def register(application: Application) -> None:
    application.add_handler(CommandHandler("start", start))
