"""Answers to the current question, whichever exchange a person is in: buttons, typed text, and
everything else (voice, photos, stickers). Stale or forged buttons get a kind word, nothing more."""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, MessageHandler, filters

from db.dialogs import Dialog
from db.models import Person
from db.store import Store
from flows.account import account, joining
from flows.account.invites import ALPHABET, CODE_LENGTH
from flows.account.menu import menu
from flows.account.welcome import key_action, welcome_unknown
from flows.core.i18n import normalize_locale, translator
from flows.core.ui import FlowContext, Reply, ascii_number
from flows.guardian import checkin, sos
from flows.guardian.risk_intake import edited_words, words_after_help, words_in_exchange
from flows.guardian.words import handle_media, handle_words, is_help_call, keyboard_key
from flows.staff import alert_desk, family_file
from handlers.common import answer_button
from handlers.context import KinContext
from handlers.flowrun import run_flow

KINDS = {"j": joining.KIND, "f": family_file.KIND, "s": account.SETTINGS, "x": account.FORGET}
MAX_TEXT = 4096


def _dispatch(store: Store, ctx: FlowContext, dialog: Dialog, person: Person | None, *,
              chat_id: int, first_name: str | None, value: str | None,
              text: str | None, voice: tuple[int, int] | None = None,
              message: tuple[int, int] | None = None) -> list[Reply] | None:
    if dialog.kind == joining.KIND:
        return joining.answer_join(store, ctx, dialog, chat_id=chat_id, first_name=first_name,
                                   value=value, text=text)
    if person is None or person.status == "opted_out":
        store.dialogs.end(dialog.tg_user_id)
        return None
    if dialog.kind == checkin.KIND:
        return checkin.answer(store, ctx, person, dialog, value=value, text=text, voice=voice,
                              message=message)
    if dialog.kind == sos.KIND:
        return sos.answer_help(store, ctx, person, dialog, value=value, text=text, voice=voice)
    if voice is not None:
        return None  # other exchanges take no voice: the general handling passes it on
    if dialog.kind == alert_desk.RESOLVE and person.is_staff:
        return alert_desk.finish_resolve(store, ctx, person, dialog, text)
    if dialog.kind == family_file.KIND and person.is_staff:
        return family_file.answer_family(store, ctx, person, dialog, value=value, text=text)
    if dialog.kind == account.SETTINGS:
        return account.answer_settings(store, ctx, person, dialog, value=value, text=text)
    if dialog.kind == account.FORGET:
        return account.answer_forget(store, ctx, person, dialog, value=value, text=text)
    store.dialogs.end(dialog.tg_user_id)
    return None


def _locale(person: Person | None, update: Update, ctx: FlowContext) -> str:
    if person is not None:
        return person.locale
    code = update.effective_user.language_code if update.effective_user else None
    return normalize_locale(code, ctx.default_locale)


def _is_code(text: str) -> bool:
    cleaned = text.strip().upper()
    return len(cleaned) == CODE_LENGTH and all(c in ALPHABET for c in cleaned)


async def on_button(update: Update, context: KinContext) -> None:
    query = update.callback_query
    user = update.effective_user
    if query is None or user is None:
        return
    await answer_button(query)
    data = (query.data or "")[:64]
    prefix, _sep, rest = data.partition(":")
    step, _sep, value = rest.partition(":")
    chat_id = update.effective_chat.id if update.effective_chat else user.id

    def flow(store: Store, ctx: FlowContext) -> list[Reply]:
        person = store.people.by_telegram_user(user.id)
        if prefix == "f" and step == "invite" and person is not None and person.is_staff \
                and ascii_number(value) is not None:
            return family_file.begin_invite(store, ctx, person, user.id, int(value))
        family_ref, _sep, what = value.partition(":")
        if prefix == "f" and step == "edit" and person is not None and person.is_staff \
                and ascii_number(family_ref) is not None:
            return family_file.begin_edit(store, ctx, person, user.id, int(family_ref), what)
        dialog = store.dialogs.get(user.id)
        if dialog is not None and dialog.kind == KINDS.get(prefix) and dialog.step == step:
            replies = _dispatch(store, ctx, dialog, person, chat_id=chat_id,
                                first_name=user.first_name, value=value, text=None)
            if replies is not None:
                return replies
        _ = translator(_locale(person, update, ctx))
        if person is None and dialog is None:
            return [Reply(welcome_unknown(_))]
        return [Reply(_("This button is no longer active. Send /menu for a fresh one."))]

    await run_flow(update, context, flow)


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

    def flow(store: Store, ctx: FlowContext) -> list[Reply]:
        person = store.people.by_telegram_user(user.id)
        dialog = store.dialogs.get(user.id)
        if is_text and person is not None and person.status != "opted_out" \
                and person.role in sos.FAMILY_ROLES:
            # the persistent keyboard's words mean the same inside any exchange
            if is_help_call(text):
                replies = sos.begin_help(store, ctx, person)
                words_after_help(store, ctx, person, text)
                return replies
            key = key_action(text, person)
            if key is not None:
                return keyboard_key(store, ctx, person, key)
        if dialog is not None and not is_command:
            heard = words_in_exchange(store, ctx, dialog, person, text=text, typed=is_text,
                                      chat_id=message.chat_id, message_id=message.message_id)
            if heard is not None:  # risk beats any exchange: alerted, and the exchange waits
                return heard
            replies = _dispatch(store, ctx, dialog, person, chat_id=message.chat_id,
                                first_name=user.first_name, value=None,
                                text=text if is_text else None, voice=voice, message=ref)
            if replies is not None:
                return replies
        _ = translator(_locale(person, update, ctx))
        if person is None or person.status == "opted_out":
            if is_text and _is_code(text):
                return joining.begin_join(store, ctx, tg_user_id=user.id, code=text.strip().upper(),
                                          language_code=user.language_code)
            return [Reply(welcome_unknown(_))]
        family = person.role in sos.FAMILY_ROLES
        if family and is_text and not is_command:
            return handle_words(store, ctx, person, chat_id=ref[0], message_id=ref[1], text=text)
        if family and (voice is not None or photo):
            return handle_media(store, ctx, person, chat_id=ref[0], message_id=ref[1], photo=photo,
                                caption=text)
        note = _("I did not quite understand. Here is what I can do:") if is_text else \
            _("Thank you! I can only read text and buttons here for now. Here is what I can do:")
        return [Reply(note), menu(_, person)]

    await run_flow(update, context, flow)


async def on_edited(update: Update, context: KinContext) -> None:
    """An edited message is read again for risk (a guardian may add the worst afterwards)."""
    message = update.edited_message
    user = update.effective_user
    if message is None or user is None:
        return
    text = (message.text or message.caption or "")[:MAX_TEXT]

    def flow(store: Store, ctx: FlowContext) -> list[Reply]:
        person = store.people.by_telegram_user(user.id)
        if person is None or person.status == "opted_out" or person.role not in sos.FAMILY_ROLES:
            return []
        return edited_words(store, ctx, person, text=text, chat_id=message.chat_id,
                            message_id=message.message_id)

    await run_flow(update, context, flow)


async def in_group(update: Update, context: KinContext) -> None:
    """Never discuss a family in a group: point to the private chat, share nothing."""
    def flow(store: Store, ctx: FlowContext) -> list[Reply]:
        _ = translator(ctx.default_locale)
        return [Reply(_("Please talk to me in a private chat: family matters are not discussed "
                        "in groups."))]
    await run_flow(update, context, flow)


def register(application: Application) -> None:
    application.add_handler(CallbackQueryHandler(on_button, pattern=r"^[jfsx]:"))
    application.add_handler(CallbackQueryHandler(on_button))  # anything else: stale or forged
    private = filters.ChatType.PRIVATE
    application.add_handler(MessageHandler(private & filters.UpdateType.MESSAGE & ~filters.COMMAND,
                                           on_text))
    application.add_handler(MessageHandler(private & filters.UpdateType.EDITED_MESSAGE, on_edited))
    application.add_handler(MessageHandler(filters.ChatType.GROUPS & filters.COMMAND, in_group))
    application.add_handler(MessageHandler(private & filters.COMMAND, on_text))
