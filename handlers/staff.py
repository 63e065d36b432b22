"""Staff: the desk (/alerts, /families, /case, /note, /export and the alert buttons), family
files (/newfamily, /family and their buttons), invitations and supervision. Thin: parse the
command's words, then one flow in one turn; the flows check who may act."""

from __future__ import annotations

import asyncio

from telegram import Update
from telegram.ext import Application, CommandHandler

from db.models import Person
from db.store import Store
from flows.account.menu_choices import CHOICES
from flows.core import buttons as b
from flows.core.buttons import StaleButton
from flows.core.turn import Turn
from flows.core.ui import Reply, ascii_number
from flows.staff import alert_desk, case_file, family_file
from flows.staff.alert_buttons import ON_ALERT, on_alert, queue_page, timeline_page
from flows.staff.case_file import export_period
from flows.staff.staff import assign_supervisor, invite_staff, reassign_family
from handlers.context import KinContext
from handlers.flowrun import PRIVATE, ButtonTable, Flow, members, on_command, run_flow


def _number(text: str | None) -> int | None:
    return ascii_number((text or "").strip().lstrip("#"))


def _page(args: list[str], index: int) -> int:
    return (_number(args[index]) or 1) - 1 if len(args) > index else 0


def _staff_only(action):  # type: ignore[no-untyped-def]
    def flow(store: Store, turn: Turn, button):  # type: ignore[no-untyped-def]
        if turn.member is None or not turn.member.is_staff:
            raise StaleButton("staff only")
        return action(store, turn, turn.member, button)
    return flow


BUTTONS: ButtonTable = [
    *((family, on_alert) for family in ON_ALERT),
    (b.AlertQueuePage, queue_page),
    (b.TimelinePage, timeline_page),
    (b.FamilyInvite, _staff_only(lambda s, t, p, x: family_file.begin_invite(
        s, t, p, t.tg_user_id or 0, x.family_id))),
    (b.FamilyEdit, _staff_only(lambda s, t, p, x: family_file.begin_edit(
        s, t, p, t.tg_user_id or 0, x.family_id, x.what))),
]


def open_family(args: list[str]) -> Flow:
    family_id = _number(args[0]) if args else None

    def action(store: Store, turn: Turn, person: Person) -> list[Reply]:
        if not person.is_staff:
            return [Reply(turn._("Only the village children's director can open family files."))]
        if family_id is None:
            return [Reply(turn._("Please add the family number, e.g. /family 3"))]
        return family_file.family_summary(store, turn, person, family_id)
    return members(action)


def invite(args: list[str]) -> Flow:
    role = args[0].lower() if args else ""
    name = " ".join(args[1:])[:60] or None

    def action(store: Store, turn: Turn, person: Person) -> list[Reply]:
        if role not in ("caseworker", "supervisor", "admin"):
            return [Reply(turn._("Please say whom to invite, e.g. /invite_staff caseworker 李主任"))]
        return invite_staff(store, turn, person, role, name)
    return members(action)


def assign(args: list[str]) -> Flow:
    numbers = [_number(a) for a in args[:2]]

    def action(store: Store, turn: Turn, person: Person) -> list[Reply]:
        if len(numbers) != 2 or None in numbers:
            if person.role != "admin":
                return [Reply(turn._("Only an administrator can do that."))]
            return [Reply(turn._("Please write /assign <caseworker number> <supervisor number>."))]
        return assign_supervisor(store, turn, person, numbers[0], numbers[1])  # type: ignore[arg-type]
    return members(action)


def reassign(args: list[str]) -> Flow:
    """``/reassign <family> <caseworker>``: give a family to another caseworker."""
    numbers = [_number(a) for a in args[:2]]

    def action(store: Store, turn: Turn, person: Person) -> list[Reply]:
        if len(numbers) != 2 or None in numbers:
            if person.role not in ("supervisor", "admin"):
                return [Reply(turn._("Only a supervisor or an administrator can give a family to "
                                     "a caseworker."))]
            return [Reply(turn._("Please write /reassign <family number> <caseworker number>."))]
        return reassign_family(store, turn, person, numbers[0], numbers[1])  # type: ignore[arg-type]
    return members(action)


def case(args: list[str]) -> Flow:
    family_id = _number(args[0]) if args else None

    def action(store: Store, turn: Turn, person: Person) -> list[Reply]:
        if family_id is None:
            return [Reply(turn._("Please add the family number, e.g. /case 3"))]
        return case_file.timeline(store, turn, person, family_id, _page(args, 1))
    return members(action)


def note(args: list[str]) -> Flow:
    family_id = _number(args[0]) if args else None

    def action(store: Store, turn: Turn, person: Person) -> list[Reply]:
        if family_id is None:
            return [Reply(turn._("Please write the note after the family number, e.g. /note 3 "
                                 "visited today, all well"))]
        return case_file.add_note(store, turn, person, family_id, " ".join(args[1:]))
    return members(action)


async def export(update: Update, context: KinContext) -> None:
    """The files are read from a snapshot and rendered before the turn, so a big export never
    holds the only writer; the flow then checks again, audits and replies."""
    args = list(context.args or [])
    svc = context.services
    user = update.effective_user
    person = await svc.person_by_telegram(user.id) if user else None
    rendered: dict[str, bytes] | None = None
    period = export_period(person, args, svc.clock.now()) if person is not None else None
    if person is not None and person.is_staff and period is not None:
        tables = await svc.db.read(lambda s: case_file.export_tables(s, person, *period))
        rendered = await asyncio.to_thread(case_file.csv_files, tables)
    await run_flow(update, context, members(lambda s, t, p: case_file.export(
        s, t, p, args, rendered if person is not None and p.id == person.id else None)))


def register(application: Application) -> None:  # type: ignore[type-arg]
    commands = {
        "alerts": lambda args: members(
            lambda s, t, p: alert_desk.queue(s, t, p, _page(args, 0))),
        "families": lambda _args: members(CHOICES["families"]),
        "case": case,
        "note": note,
        "newfamily": lambda _args: members(CHOICES["newfamily"]),
        "family": open_family,
        "invite_staff": invite,
        "assign": assign,
        "reassign": reassign,
        "staff": lambda _args: members(CHOICES["staff"]),
    }
    for name, action in commands.items():
        application.add_handler(on_command(name, action))
    application.add_handler(CommandHandler("export", export, filters=PRIVATE))
