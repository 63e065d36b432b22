"""Shared handler plumbing: the interaction log, replies, and the error handler."""

from __future__ import annotations

import logging
import warnings

from telegram import CallbackQuery, InputFile, Message, Update
from telegram.error import TelegramError
from telegram.warnings import PTBUserWarning

from db.database import is_disk_full
from db.interactions import Interaction
from db.models import Person
from flows.core.i18n import Translator
from flows.core.ui import Buttons, markup_json
from handlers.context import KinContext

log = logging.getLogger(__name__)


async def current_person(update: Update, context: KinContext) -> Person | None:
    user = update.effective_user
    if user is None:
        return None
    return await context.services.person_by_telegram(user.id)


async def translator_for_update(update: Update, context: KinContext) -> Translator:
    person = await current_person(update, context)
    code = update.effective_user.language_code if update.effective_user else None
    return context.services.translator_for(person, code)


def describe_inbound(update: Update) -> tuple[str, str | None, Message | None]:
    """(kind, short summary, message) of an update for the interaction log."""
    if update.callback_query is not None:
        return "callback", update.callback_query.data, update.callback_query.message  # type: ignore[return-value]
    message = update.message or update.edited_message
    if message is None:
        return "other", None, None
    prefix = "edited_" if update.edited_message is not None else ""
    if message.text is not None:
        if message.text.startswith("/"):
            return prefix + "command", message.text.split(maxsplit=1)[0][:64], message
        return prefix + "text", message.text, message
    if message.voice is not None:
        return prefix + "voice", f"voice {message.voice.duration}s", message
    if message.photo:
        return prefix + "photo", message.caption, message
    if message.sticker is not None:
        return prefix + "sticker", message.sticker.emoji, message
    if message.document is not None:
        return prefix + "document", message.document.file_name, message
    return prefix + "other", None, message


def log_inbound(update: Update, context: KinContext, person: Person | None) -> None:
    """Queue the update's entry in the interaction log; it is written with the same batch as
    the answer it carries (see flows.core.interaction_log)."""
    svc = context.services
    kind, summary, message = describe_inbound(update)
    if person is not None and person.is_staff and kind not in ("command", "callback"):
        summary = None  # staff write about families: their words live in notes, not in the log
    chat = update.effective_chat
    svc.log.add(Interaction(  # the family is filled in when the entry is written
        at=svc.now_iso(), person_id=person.id if person else None, family_id=None,
        direction="in", kind=kind, summary=summary, tg_chat_id=chat.id if chat else None,
        tg_message_id=message.message_id if message else None, tg_update_id=update.update_id,
    ))


async def log_unhandled(update: Update, context: KinContext) -> None:
    """The last handler: updates nothing else took (edited messages, group chatter) are logged,
    and the update is marked handled in the inbox."""
    log_inbound(update, context, await current_person(update, context))
    svc = context.services
    now = svc.now_iso()
    await svc.write(lambda s: s.inbox.mark_done(update.update_id, now=now))


async def answer_button(query: CallbackQuery) -> None:
    """Stop the button's spinner. It may fail (a query replayed after a restart is too old to
    answer): that must not stop the answer itself from being handled."""
    try:
        await query.answer()
    except TelegramError as exc:
        log.info("could not answer a button press: %s", type(exc).__name__)


# Direct replies go out with Bot.do_api_request: the same HTTP call through the same rate
# limiter, without turning each answer into a full telegram.Message we never read (that parsing
# was a third of the cost of an update). PTB suggests the typed method; here that is a choice.
warnings.filterwarnings("ignore", message=r"Please use 'Bot\.(sendMessage|editMessageReplyMarkup)'",
                        category=PTBUserWarning)


async def send(
    context: KinContext,
    chat_id: int,
    text: str,
    *,
    buttons: Buttons | None = None,
    person: Person | None = None,
    family_id: int | None = None,
    anonymous: bool = False,
    keyboard: list[list[str]] | None = None,
) -> int:
    """Send a direct reply and log it (outbox messages are logged by the sender instead);
    returns the message id."""
    svc = context.services
    params: dict[str, object] = {"chat_id": chat_id, "text": text}
    markup = markup_json(buttons, keyboard)
    if markup is not None:
        params["reply_markup"] = markup
    result = await context.bot.do_api_request("sendMessage", api_kwargs=params)
    message_id = int(result["message_id"]) if isinstance(result, dict) else 0
    # a reply to staff quotes families (who to call, timelines): logged by kind and ids only
    to_staff = person is not None and person.is_staff
    entry = Interaction(
        at=svc.now_iso(), person_id=person.id if person else None, family_id=family_id,
        direction="out", kind="text", summary=None if anonymous or to_staff else text,
        tg_chat_id=None if anonymous else chat_id,
        tg_message_id=None if anonymous else message_id,
    )
    svc.log.add(entry)
    return message_id


async def strip_buttons(context: KinContext, chat_id: int, message_id: int) -> None:
    """Remove the buttons of an answered question so it cannot be answered twice."""
    await context.bot.do_api_request("editMessageReplyMarkup",
                                     api_kwargs={"chat_id": chat_id, "message_id": message_id})


async def send_photo(context: KinContext, chat_id: int, png: bytes, *,
                     person: Person | None = None, caption: str | None = None) -> Message:
    svc = context.services
    message = await context.bot.send_photo(chat_id, photo=png, caption=caption)
    entry = Interaction(
        at=svc.now_iso(), person_id=person.id if person else None, family_id=None,
        direction="out", kind="photo",
        summary="photo" if person is not None and person.is_staff else caption or "photo",
        tg_chat_id=chat_id,
        tg_message_id=message.message_id,
    )
    svc.log.add(entry)
    return message


async def send_document(context: KinContext, chat_id: int,
                        document: tuple[str, bytes], *, person: Person | None = None) -> Message:
    svc = context.services
    name, data = document
    message = await context.bot.send_document(chat_id, document=InputFile(data, filename=name))
    svc.log.add(Interaction(
        at=svc.now_iso(), person_id=person.id if person else None, family_id=None,
        direction="out", kind="document", summary=name, tg_chat_id=chat_id,
        tg_message_id=message.message_id))
    return message


async def on_error(update: object, context: KinContext) -> None:
    """Log the failure without personal data and tell the person kindly; never re-raise."""
    error = context.error
    update_id = update.update_id if isinstance(update, Update) else None
    if error is not None and is_disk_full(error):
        # not a network or code problem: say what it is, once per update, without a traceback
        log.error("update %s could not be handled: the database disk is full (SQLite: "
                  "database or disk is full); free space on the disk", update_id)
    else:
        log.error("handler failed for update %s: %s", update_id, type(error).__name__,
                  exc_info=(type(error), error, error.__traceback__) if error else None)
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    try:
        _ = await translator_for_update(update, context)
        svc = context.services
        now = svc.now_iso()
        # handled, if unhappily: a failing update must not be replayed after every restart
        await svc.db.write(lambda s: s.inbox.mark_done(update.update_id, now=now))
        if update.callback_query is not None:
            await answer_button(update.callback_query)
        await context.bot.send_message(
            update.effective_chat.id,
            _("Sorry, something went wrong on our side. Please try again, or send /help."),
        )
    except Exception as exc:  # the apology itself failed (network, store): only log
        log.warning("could not send the apology for update %s: %s", update_id, type(exc).__name__)
