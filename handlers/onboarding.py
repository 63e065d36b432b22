"""/start: join with an invite code, resume after /stop, or a polite word to strangers."""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CommandHandler, filters

from db.store import Store
from flows.account.account import resume
from flows.account.joining import begin_join
from flows.account.welcome import family_keyboard, welcome_back, welcome_unknown
from flows.core.i18n import translator
from flows.core.ui import FlowContext, Reply
from handlers.context import KinContext
from handlers.flowrun import run_flow


async def start(update: Update, context: KinContext) -> None:
    user = update.effective_user
    if user is None:
        return
    code = context.args[0] if context.args else None
    language = user.language_code

    def flow(store: Store, ctx: FlowContext) -> list[Reply]:
        if code:
            return begin_join(store, ctx, tg_user_id=user.id, code=code, language_code=language)
        person = store.people.by_telegram_user(user.id)
        if person is None:
            from flows.core.i18n import normalize_locale

            return [Reply(welcome_unknown(translator(normalize_locale(language,
                                                                      ctx.default_locale))))]
        if person.status in ("paused", "unreachable"):
            if person.tg_chat_id != user.id:
                store.people.set_chat(person.id, user.id)
            return resume(store, ctx, person)
        _ = translator(person.locale)
        return [Reply(welcome_back(_, person), keyboard=family_keyboard(_, person))]

    await run_flow(update, context, flow)


def register(application: Application) -> None:
    application.add_handler(CommandHandler("start", start, filters=filters.ChatType.PRIVATE))
