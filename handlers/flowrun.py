"""Run a flow in one transaction and show its replies: the only glue between the two."""

from __future__ import annotations

import logging
from collections.abc import Callable

from telegram import Update
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from db.store import Store
from flows.clock import to_iso
from flows.ui import FlowContext, Reply
from handlers.common import (
    log_inbound,
    send,
    send_document,
    send_photo,
    services,
    strip_buttons,
)

log = logging.getLogger(__name__)
Flow = Callable[[Store, FlowContext], list[Reply]]


def flow_context(context: ContextTypes.DEFAULT_TYPE) -> FlowContext:
    svc = services(context)
    return FlowContext(now=svc.clock.now(), default_tz=svc.settings.tz,
                       default_locale=svc.settings.locale,
                       bot_username=context.bot.username or "KinBridgeBot")


async def run_flow(update: Update, context: ContextTypes.DEFAULT_TYPE, flow: Flow) -> None:
    """Log the update, run ``flow`` in one transaction (the log entry commits with it), then
    show the replies: an answer is acknowledged only once it is stored."""
    svc = services(context)
    user = update.effective_user
    log_inbound(update, context, await svc.person_by_telegram(user.id) if user else None)
    ctx = flow_context(context)
    update_id = update.update_id

    def once(store: Store) -> list[Reply] | None:
        """The update's answer and its "done" in the inbox commit together: exactly once."""
        if not store.inbox.mark_done(update_id, now=to_iso(ctx.now)) \
                and store.inbox.is_done(update_id):
            return None  # replayed after a restart, but it was handled before the crash
        return flow(store, ctx)
    handled = await svc.write(once)
    if handled is None:
        return
    replies = handled
    for event in ctx.events:
        if event.startswith("forget_cache:"):
            value = event.split(":", 1)[1]
            svc.forget_cached(int(value) if value.lstrip("-").isdigit() else None)
        elif event == "code_throttled":
            log.warning("invite code attempts throttled for one chat")
    from scheduler.jobs import sender_of

    sender = sender_of(context.application)
    if sender is not None:
        sender.wake()
    await render(update, context, replies)


async def render(update: Update, context: ContextTypes.DEFAULT_TYPE, replies: list[Reply]) -> None:
    chat = update.effective_chat
    user = update.effective_user
    if chat is None:
        return
    person = await services(context).person_by_telegram(user.id) if user else None
    query = update.callback_query
    home = chat.id
    if query is not None and user is not None:
        # a button press is answered in the presser's own chat, whatever message it names
        home = user.id
        message = query.message
        if message is not None and message.chat.id == user.id:
            # the question was answered: its buttons go, so they cannot be pressed twice
            try:
                await strip_buttons(context, user.id, message.message_id)
            except BadRequest:
                pass
    for reply in replies:
        target = reply.to_chat or home
        if reply.photo_png is not None:
            await send_photo(context, target, reply.photo_png, person=person)
        if reply.document is not None:
            await send_document(context, target, reply.document, person=person)
        if not reply.text:
            continue
        await send(context, target, reply.text, buttons=reply.buttons, person=person,
                   anonymous=reply.anonymous, keyboard=reply.keyboard)
