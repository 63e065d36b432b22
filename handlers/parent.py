"""Parents' buttons: the weekly message, calls, reminders, visits and tips (``p:`` callbacks)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler

from db.store import Store
from flows.core.ui import FlowContext, Reply
from flows.parent.parent_actions import handle
from handlers.common import take_button
from handlers.context import KinContext
from handlers.flowrun import run_flow


async def parent_button(update: Update, context: KinContext) -> None:
    pressed = await take_button(update)
    if pressed is None:
        return
    uid, data = pressed

    def flow(store: Store, ctx: FlowContext) -> list[Reply]:
        return handle(store, ctx, store.people.by_telegram_user(uid), data)

    await run_flow(update, context, flow)


def register(application: Application) -> None:
    application.add_handler(CallbackQueryHandler(parent_button, pattern=r"^p:"))
