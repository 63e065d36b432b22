"""The turn middleware: run a flow in one transaction and show its replies, the only glue
between the two."""

from __future__ import annotations

import base64
import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar

from telegram import Update
from telegram.error import BadRequest, NetworkError, RetryAfter
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from db.models import Person
from db.outbox import LANE_REPLY, NewMessage
from db.store import Store
from flows.account.welcome import welcome_unknown
from flows.core.answering import Flow, run_turn
from flows.core.buttons import ButtonData
from flows.core.clock import to_iso
from flows.core.effects import CodeAttemptsThrottled, Effect, ForgetCachedPerson, WakeOutbox
from flows.core.services import Services
from flows.core.turn import Turn
from flows.core.ui import REPLY_UNSEEN, Reply, markup_json
from flows.guardian.checkin import KIND as CHECKIN_KIND
from handlers.common import (
    answer_button,
    log_inbound,
    send,
    send_document,
    send_photo,
    strip_buttons,
)
from handlers.context import KinContext

log = logging.getLogger(__name__)


PRIVATE = filters.ChatType.PRIVATE
B = TypeVar("B", bound=ButtonData)
ButtonAction = Callable[[Store, Turn, B], list[Reply]]
MemberAction = Callable[[Store, Turn, Person], list[Reply]]
# an audience's buttons: each family with the flow its press runs (handlers/__init__ adds them)
ButtonTable = list[tuple[type[ButtonData], Callable[[Store, Turn, Any], list[Reply]]]]


def members(action: MemberAction) -> Flow:
    """``action(store, turn, person)`` for a known person; strangers (and people who left) get
    the note on how to join."""
    def flow(store: Store, turn: Turn) -> list[Reply]:
        if turn.member is None:
            return [Reply(welcome_unknown(turn._))]
        return action(store, turn, turn.member)
    return flow


def on_button(family: type[B], action: ButtonAction[B]) -> CallbackQueryHandler:  # type: ignore[type-arg]
    """A handler for one button family: its data unpacked (a forged one is a stale button) and
    handed to ``action`` inside the turn."""
    async def callback(update: Update, context: KinContext) -> None:
        data = update.callback_query.data if update.callback_query else None
        await run_flow(update, context, lambda s, t: action(s, t, family.unpack(data)))
    return CallbackQueryHandler(callback, pattern=family.pattern())


def on_command(name: str, action: Callable[[list[str]], Flow]) -> CommandHandler:  # type: ignore[type-arg]
    """A private-chat command: ``action(args)`` gives the flow to run."""
    async def callback(update: Update, context: KinContext) -> None:
        await run_flow(update, context, action(list(context.args or [])))
    return CommandHandler(name, callback, filters=PRIVATE)


def new_turn(update: Update, context: KinContext) -> Turn:
    """The turn before the person is known (``run_flow`` loads her inside the transaction)."""
    svc = context.services
    user = update.effective_user
    chat = update.effective_chat
    return Turn(now=svc.clock.now(), default_tz=svc.settings.tz,
                default_locale=svc.settings.locale,
                bot_username=context.bot.username or "KinBridgeBot",
                escalation=svc.settings.escalation_after,
                tg_user_id=user.id if user else None, chat_id=chat.id if chat else None,
                first_name=user.first_name if user else None,
                language_code=user.language_code if user else None)


async def run_flow(update: Update, context: KinContext, flow: Flow) -> None:
    """The one middleware every handler goes through: log the update, answer its button once,
    build the turn and run ``flow`` in one transaction (the log entry commits with it), run the
    turn's effects after commit, then show the replies: an answer is acknowledged only once it
    is stored."""
    svc = context.services
    user = update.effective_user
    log_inbound(update, context, await svc.person_by_telegram(user.id) if user else None)
    if update.callback_query is not None:
        await answer_button(update.callback_query)
    turn = new_turn(update, context)
    update_id = update.update_id

    def once(store: Store) -> list[Reply] | None:
        """The update's answer and its "done" in the inbox commit together: exactly once."""
        if not store.inbox.mark_done(update_id, now=to_iso(turn.now)) \
                and store.inbox.is_done(update_id):
            return None  # replayed after a restart, but it was handled before the crash
        turn.effects.clear()  # a batch retried after a rollback starts again from nothing
        turn.meet(store.people.by_telegram_user(user.id) if user else None)
        replies = run_turn(store, turn, flow)
        if store.outbox.added:
            turn.effects.append(WakeOutbox())
        return replies
    handled = await svc.write(once)
    if handled is None:
        return
    after_commit(svc, turn.effects)
    await render(update, context, handled)


def after_commit(svc: Services, effects: list[Effect]) -> None:
    """Run a committed turn's effects, each once."""
    for effect in dict.fromkeys(effects):
        match effect:
            case ForgetCachedPerson(tg_user_id=tg_user_id):
                svc.forget_cached(tg_user_id)
            case WakeOutbox():
                svc.wake_outbox()
            case CodeAttemptsThrottled():
                log.warning("invite code attempts throttled for one chat")


async def render(update: Update, context: KinContext, replies: list[Reply]) -> None:
    chat = update.effective_chat
    user = update.effective_user
    if chat is None:
        return
    person = await context.services.person_by_telegram(user.id) if user else None
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
            except (NetworkError, RetryAfter) as exc:  # the answer is stored: go on
                log.info("could not remove answered buttons: %s", type(exc).__name__)
    for index, reply in enumerate(replies):
        target = reply.to_chat or home
        try:
            await _show(context, target, reply, person)
        except (NetworkError, RetryAfter) as exc:
            if isinstance(exc, BadRequest):
                raise  # about this message, not the channel: the error handler says sorry
            await _defer_replies(context, update, replies[index:], home, person, exc)
            return


async def _show(context: KinContext, target: int, reply: Reply,
                person: Person | None) -> None:
    if reply.photo_png is not None:
        await send_photo(context, target, reply.photo_png, person=person)
    if reply.document is not None:
        await send_document(context, target, reply.document, person=person)
    if reply.text:
        await send(context, target, reply.text, buttons=reply.buttons, person=person,
                   anonymous=reply.anonymous, keyboard=reply.keyboard)


async def _defer_replies(context: KinContext, update: Update, replies: list[Reply],
                         home: int, person: Person | None, exc: Exception) -> None:
    """The answer is committed but its reply could not be sent (network, 5xx, 429): the reply
    and the ones after it go to the outbox in a follow-up transaction, in order, and the sender
    delivers them when the channel is back. The person's exchange is marked, so that her next
    message brings the current question again rather than answering one she may not have seen.
    (A reply that timed out may have arrived after all: at worst she reads it twice.)"""
    svc = context.services
    now = svc.clock.now()
    not_before = now
    if isinstance(exc, RetryAfter):
        not_before = now + _seconds(exc.retry_after)
    user_id = update.effective_user.id if update.effective_user else None
    messages = [m for i, reply in enumerate(replies)
                for m in deferred_messages(update.update_id, i, reply, reply.to_chat or home,
                                           person, to_iso(not_before))]

    def follow_up(store: Store) -> int:
        added = store.outbox.enqueue_many(messages, now=to_iso(now))
        if user_id is not None:
            mark_reply_unseen(store, user_id, now=to_iso(now))
        return added
    added = await svc.write(follow_up)
    log.warning("a reply could not be sent (%s); %s message(s) queued in the outbox instead",
                type(exc).__name__, added)
    svc.wake_outbox()


def deferred_messages(update_id: int, index: int, reply: Reply, chat_id: int,
                      person: Person | None, not_before: str) -> list[NewMessage]:
    """A reply as outbox rows (photo or document first, then its text), each with a key made of
    the update and its place, so a replayed update cannot queue it twice."""
    base = {"dedupe_key": f"reply:{update_id}:{index}", "chat_id": chat_id, "lane": LANE_REPLY,
            "person_id": None if reply.anonymous or person is None else person.id,
            "not_before": not_before, "respect_quiet": False}
    rows: list[NewMessage] = []
    if reply.photo_png is not None:
        rows.append(NewMessage(**{**base, "dedupe_key": f"{base['dedupe_key']}:photo"},
                               kind="photo", payload={
                                   "file_b64": base64.b64encode(reply.photo_png).decode()}))
    if reply.document is not None:
        name, data = reply.document
        rows.append(NewMessage(**{**base, "dedupe_key": f"{base['dedupe_key']}:document"},
                               kind="document", payload={
                                   "file_b64": base64.b64encode(data).decode(), "filename": name}))
    if reply.text:
        payload: dict[str, object] = {"text": reply.text}
        markup = markup_json(reply.buttons)  # a persistent keyboard is already under the chat
        if markup is not None:
            payload["reply_markup"] = markup
        rows.append(NewMessage(**base, payload=payload))
    return rows


def mark_reply_unseen(store: Store, tg_user_id: int, *, now: str) -> None:
    """Note in the person's check-in (if she is in one) that a reply to her failed; the
    check-in then shows its current question again on her next typed word."""
    dialog = store.dialogs.get(tg_user_id)
    if dialog is not None and dialog.kind == CHECKIN_KIND:
        store.dialogs.put(tg_user_id, dialog.kind, dialog.step,
                          {**dialog.data, REPLY_UNSEEN: True}, now=now)


def _seconds(value: object) -> timedelta:
    return value if isinstance(value, timedelta) else timedelta(seconds=float(value))  # type: ignore[arg-type]
