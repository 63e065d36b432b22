"""Answers to the current question, whichever exchange a person is in (the dialog registry,
flows/dialogs.py): its buttons, typed text, and everything else (voice, photos, stickers).
Button data of no family gets the stale reply."""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, MessageHandler, filters

from db.store import Store
from flows import dialogs
from flows.account import joining
from flows.account.invites import ALPHABET, CODE_LENGTH
from flows.account.menu import menu
from flows.account.welcome import key_action, welcome_unknown
from flows.core.buttons import StaleButton
from flows.core.i18n import translator
from flows.core.turn import Turn
from flows.core.ui import Reply
from flows.dialogs import Answer
from flows.guardian import sos
from flows.guardian.risk_intake import edited_words, words_after_help, words_in_exchange
from flows.guardian.words import handle_media, handle_words, is_help_call, keyboard_key
from handlers.context import KinContext
from handlers.flowrun import PRIVATE, ButtonTable, run_flow

MAX_TEXT = 4096

# a pressed option of an open dialog (check-in, 🆘, joining, settings, /forget, family file)
BUTTONS: ButtonTable = [(family, dialogs.answer_button) for family in dialogs.BUTTON_FAMILIES]


def _is_code(text: str) -> bool:
    cleaned = text.strip().upper()
    return len(cleaned) == CODE_LENGTH and all(c in ALPHABET for c in cleaned)


async def on_text(update: Update, context: KinContext) -> None:
    message = update.message
    user = update.effective_user
    if message is None or user is None:
        return
    text = (message.text or message.caption or "")[:MAX_TEXT]
    is_text = message.text is not None
    ref = (message.chat_id, message.message_id)
    voice = ref if (message.voice is not None or message.audio is not None) else None
    photo = bool(message.photo)
    is_command = is_text and text.startswith("/")

    given = Answer(text=text if is_text else None, voice=voice, photo=photo, message=ref)

    def flow(store: Store, turn: Turn) -> list[Reply]:
        person, member = turn.person, turn.member
        dialog = store.dialogs.get(user.id)
        if is_text and member is not None and member.role in sos.FAMILY_ROLES:
            # the persistent keyboard's words mean the same inside any exchange
            if is_help_call(text):
                replies = sos.begin_help(store, turn, member)
                words_after_help(store, turn, member, text)
                return replies
            key = key_action(text, member)
            if key is not None:
                return keyboard_key(store, turn, member, key)
        if dialog is not None and not is_command:
            heard = words_in_exchange(store, turn, dialog, person, text=text, typed=is_text,
                                      chat_id=message.chat_id, message_id=message.message_id)
            if heard is not None:  # risk beats any exchange: alerted, and the exchange waits
                return heard
            replies = dialogs.answer(store, turn, dialog, given)
            if replies is not None:
                return replies
        _ = turn._
        if member is None:
            if is_text and _is_code(text):
                return joining.begin_join(store, turn, tg_user_id=user.id,
                                          code=text.strip().upper(),
                                          language_code=turn.language_code)
            return [Reply(welcome_unknown(_))]
        family = member.role in sos.FAMILY_ROLES
        if family and is_text and not is_command:
            return handle_words(store, turn, member, chat_id=ref[0], message_id=ref[1], text=text)
        if family and (voice is not None or photo):
            return handle_media(store, turn, member, chat_id=ref[0], message_id=ref[1],
                                photo=photo, caption=text)
        note = _("I did not quite understand. Here is what I can do:") if is_text else \
            _("Thank you! I can only read text and buttons here for now. Here is what I can do:")
        return [Reply(note), menu(_, member)]

    await run_flow(update, context, flow)


async def on_edited(update: Update, context: KinContext) -> None:
    """An edited message is read again for risk (a guardian may add the worst afterwards)."""
    message = update.edited_message
    user = update.effective_user
    if message is None or user is None:
        return
    text = (message.text or message.caption or "")[:MAX_TEXT]

    def flow(store: Store, turn: Turn) -> list[Reply]:
        person = turn.member
        if person is None or person.role not in sos.FAMILY_ROLES:
            return []
        return edited_words(store, turn, person, text=text, chat_id=message.chat_id,
                            message_id=message.message_id)

    await run_flow(update, context, flow)


async def forged_button(update: Update, context: KinContext) -> None:
    """Data no button family knows (forged, or from a release long gone): the stale reply."""
    def flow(store: Store, turn: Turn) -> list[Reply]:
        raise StaleButton("no button family")
    await run_flow(update, context, flow)


async def in_group(update: Update, context: KinContext) -> None:
    """Never discuss a family in a group: point to the private chat, share nothing."""
    def flow(store: Store, turn: Turn) -> list[Reply]:
        _ = translator(turn.default_locale)
        return [Reply(_("Please talk to me in a private chat: family matters are not discussed "
                        "in groups."))]
    await run_flow(update, context, flow)


def register(application: Application) -> None:
    application.add_handler(CallbackQueryHandler(forged_button))  # data of no button family
    application.add_handler(MessageHandler(PRIVATE & filters.UpdateType.MESSAGE & ~filters.COMMAND,
                                           on_text))
    application.add_handler(MessageHandler(PRIVATE & filters.UpdateType.EDITED_MESSAGE, on_edited))
    application.add_handler(MessageHandler(filters.ChatType.GROUPS & filters.COMMAND, in_group))
    application.add_handler(MessageHandler(PRIVATE & filters.COMMAND, on_text))
