"""Guardians' side: the check-in buttons, /checkin, and 🆘 (/help_now and its buttons).

Thin: parse, then one flow in one transaction. A button is honoured only for the person whose
open check-in it names; anything else is stale or forged and gets a kind word."""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, filters

from db.store import Store
from flows.core.i18n import translator
from flows.core.ui import FlowContext, Reply, ascii_number
from flows.guardian import checkin, sos
from handlers.account import for_person
from handlers.common import take_button
from handlers.context import KinContext
from handlers.flowrun import run_flow

PRIVATE = filters.ChatType.PRIVATE


def _stale(store: Store, ctx: FlowContext, uid: int) -> list[Reply]:
    person = store.people.by_telegram_user(uid)
    _ = translator(person.locale if person else ctx.default_locale)
    return [Reply(_("This button is no longer active. Send /menu for a fresh one."))]


async def checkin_now(update: Update, context: KinContext) -> None:
    await run_flow(update, context, for_person(update, checkin.begin_now))


async def help_now(update: Update, context: KinContext) -> None:
    await run_flow(update, context, for_person(update, sos.begin_help))


async def checkin_button(update: Update, context: KinContext) -> None:
    """``c:<check-in id>:<question>:<value>``"""
    pressed = await take_button(update)
    if pressed is None:
        return
    uid, data = pressed
    parts = data.split(":")
    if len(parts) != 4 or ascii_number(parts[1]) is None:
        await run_flow(update, context, lambda s, c: _stale(s, c, uid))
        return
    _prefix, ref, field, value = parts

    def flow(store: Store, ctx: FlowContext) -> list[Reply]:
        person = store.people.by_telegram_user(uid)
        dialog = store.dialogs.get(uid)
        if person is None or person.status == "opted_out" or dialog is None \
                or dialog.kind != checkin.KIND or dialog.step != field \
                or dialog.data.get("checkin_id") != int(ref):
            return _stale(store, ctx, uid)
        return checkin.answer(store, ctx, person, dialog, value=value, text=None,
                              checkin_ref=int(ref))

    await run_flow(update, context, flow)


async def help_button(update: Update, context: KinContext) -> None:
    """``h:start`` opens 🆘 from anywhere; ``h:<step>:<value>`` answers its questions."""
    pressed = await take_button(update)
    if pressed is None:
        return
    uid, data = pressed
    _prefix, _sep, rest = data.partition(":")
    step, _sep, value = rest.partition(":")
    if step == "start":
        await run_flow(update, context, for_person(update, sos.begin_help))
        return

    def flow(store: Store, ctx: FlowContext) -> list[Reply]:
        person = store.people.by_telegram_user(uid)
        dialog = store.dialogs.get(uid)
        if person is None or dialog is None or dialog.kind != sos.KIND or dialog.step != step:
            return _stale(store, ctx, uid)
        return sos.answer_help(store, ctx, person, dialog, value=value, text=None)

    await run_flow(update, context, flow)


def register(application: Application) -> None:
    application.add_handler(CommandHandler("checkin", checkin_now, filters=PRIVATE))
    application.add_handler(CommandHandler("help_now", help_now, filters=PRIVATE))
    application.add_handler(CallbackQueryHandler(checkin_button, pattern=r"^c:"))
    application.add_handler(CallbackQueryHandler(help_button, pattern=r"^h:"))
