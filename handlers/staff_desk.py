"""Caseworkers' desk: /alerts, /families, /case, /note, /export and the alert buttons (``a:``).
Thin: parse, then one flow in one transaction; the flows check who may act."""

from __future__ import annotations

import asyncio

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, filters

from db.models import Person
from db.store import Store
from flows.core.i18n import translator
from flows.core.ui import FlowContext, Reply, ascii_number
from flows.staff import alert_desk, case_file
from flows.staff.case_file import export_period
from handlers.account import for_person
from handlers.common import take_button
from handlers.context import KinContext
from handlers.flowrun import run_flow

PRIVATE = filters.ChatType.PRIVATE


def _number(text: str | None) -> int | None:
    return ascii_number((text or "").strip().lstrip("#"))


async def alerts(update: Update, context: KinContext) -> None:
    page = (_number(context.args[0]) or 1) - 1 if context.args else 0
    await run_flow(update, context, for_person(
        update, lambda s, c, p: alert_desk.queue(s, c, p, page)))


async def families(update: Update, context: KinContext) -> None:
    await run_flow(update, context, for_person(update, alert_desk.families_overview))


async def case(update: Update, context: KinContext) -> None:
    family_id = _number(context.args[0]) if context.args else None
    page = (_number(context.args[1]) or 1) - 1 if context.args and len(context.args) > 1 else 0

    def action(store: Store, ctx: FlowContext, person: Person) -> list[Reply]:
        if family_id is None:
            return [Reply(translator(person.locale)("Please add the family number, e.g. /case 3"))]
        return case_file.timeline(store, ctx, person, family_id, page)
    await run_flow(update, context, for_person(update, action))


async def note(update: Update, context: KinContext) -> None:
    args = context.args or []
    family_id = _number(args[0]) if args else None
    text = " ".join(args[1:])

    def action(store: Store, ctx: FlowContext, person: Person) -> list[Reply]:
        if family_id is None:
            return [Reply(translator(person.locale)(
                "Please write the note after the family number, e.g. /note 3 visited today, "
                "all well"))]
        return case_file.add_note(store, ctx, person, family_id, text)
    await run_flow(update, context, for_person(update, action))


async def export(update: Update, context: KinContext) -> None:
    """The files are read from a snapshot and rendered before the transaction, so a big export
    never holds the only writer; the flow then checks again, audits and replies."""
    args = list(context.args or [])
    svc = context.services
    user = update.effective_user
    person = await svc.person_by_telegram(user.id) if user else None
    rendered: dict[str, bytes] | None = None
    period = export_period(person, args, svc.clock.now()) if person is not None else None
    if person is not None and person.is_staff and period is not None:
        tables = await svc.db.read(lambda s: case_file.export_tables(s, person, *period))
        rendered = await asyncio.to_thread(case_file.csv_files, tables)
    await run_flow(update, context, for_person(
        update, lambda s, c, p: case_file.export(
            s, c, p, args, rendered if person is not None and p.id == person.id else None)))


async def alert_button(update: Update, context: KinContext) -> None:
    """``a:ack|res|call:<alert>``, ``a:out:<alert>:<outcome>``, ``a:note:<alert>:skip``,
    ``a:tl:<family>:<page>``, ``a:q:<page>``."""
    pressed = await take_button(update)
    if pressed is None:
        return
    uid, data = pressed
    parts = data.split(":")
    action = parts[1] if len(parts) > 1 else ""
    numbers = [_number(p) for p in parts[2:]]

    def flow(store: Store, ctx: FlowContext) -> list[Reply]:
        person = store.people.by_telegram_user(uid)
        if person is None or not numbers or numbers[0] is None:
            return alert_desk.refuse(store, ctx, person, data)
        ref = numbers[0]
        if action == "q":
            return alert_desk.queue(store, ctx, person, ref)
        if action == "tl":
            return case_file.timeline(store, ctx, person, ref,
                                      numbers[1] or 0 if len(numbers) > 1 else 0)
        alert = store.alerts.get(ref)
        if not alert_desk.may_act(store, person, alert) or alert is None:
            return alert_desk.refuse(store, ctx, person, data)
        if action == "ack":
            return alert_desk.acknowledge(store, ctx, person, alert)
        if action == "res":
            return alert_desk.ask_outcome(store, person, alert)
        if action == "out" and len(parts) == 4:
            return alert_desk.choose_outcome(store, ctx, person, alert, parts[3])
        if action == "note":
            dialog = store.dialogs.get(uid)
            if dialog is not None and dialog.kind == alert_desk.RESOLVE \
                    and dialog.data.get("alert_id") == alert.id:
                return alert_desk.finish_resolve(store, ctx, person, dialog, None)
        if action == "call":
            return alert_desk.call_guardian(store, person, alert)
        return alert_desk.refuse(store, ctx, person, data)

    await run_flow(update, context, flow)


def register(application: Application) -> None:
    for name, callback in (("alerts", alerts), ("families", families), ("case", case),
                           ("note", note), ("export", export)):
        application.add_handler(CommandHandler(name, callback, filters=PRIVATE))
    application.add_handler(CallbackQueryHandler(alert_button, pattern=r"^a:"))
