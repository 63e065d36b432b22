"""Staff commands: family files, invitations, supervision."""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CommandHandler, filters

from db.store import Store
from flows.core.i18n import translator
from flows.core.ui import FlowContext, Reply, ascii_number
from flows.staff.family_file import begin_new_family, family_summary
from flows.staff.staff import assign_supervisor, invite_staff, reassign_family, staff_list
from handlers.account import for_person, uid_of
from handlers.context import KinContext
from handlers.flowrun import run_flow

PRIVATE = filters.ChatType.PRIVATE


def _number(text: str | None) -> int | None:
    return ascii_number((text or "").strip().lstrip("#"))


async def new_family(update: Update, context: KinContext) -> None:
    await run_flow(update, context, for_person(
        update, lambda s, c, p: begin_new_family(s, c, p, uid_of(update))))


async def open_family(update: Update, context: KinContext) -> None:
    family_id = _number(context.args[0]) if context.args else None

    def action(store: Store, ctx: FlowContext, person):  # type: ignore[no-untyped-def]
        _ = translator(person.locale)
        if not person.is_staff:
            return [Reply(_("Only the village children's director can open family files."))]
        if family_id is None:
            return [Reply(_("Please add the family number, e.g. /family 3"))]
        return family_summary(store, ctx, person, family_id)
    await run_flow(update, context, for_person(update, action))


async def invite(update: Update, context: KinContext) -> None:
    args = context.args or []
    role = args[0].lower() if args else ""
    name = " ".join(args[1:])[:60] or None

    def action(store: Store, ctx: FlowContext, person):  # type: ignore[no-untyped-def]
        _ = translator(person.locale)
        if role not in ("caseworker", "supervisor", "admin"):
            return [Reply(_("Please say whom to invite, e.g. /invite_staff caseworker 李主任"))]
        return invite_staff(store, ctx, person, role, name)
    await run_flow(update, context, for_person(update, action))


async def assign(update: Update, context: KinContext) -> None:
    args = context.args or []
    numbers = [_number(a) for a in args[:2]]

    def action(store: Store, ctx: FlowContext, person):  # type: ignore[no-untyped-def]
        if len(numbers) != 2 or None in numbers:
            _ = translator(person.locale)
            if person.role != "admin":
                return [Reply(_("Only an administrator can do that."))]
            return [Reply(_("Please write /assign <caseworker number> <supervisor number>."))]
        return assign_supervisor(store, ctx, person, numbers[0], numbers[1])  # type: ignore[arg-type]
    await run_flow(update, context, for_person(update, action))


async def reassign(update: Update, context: KinContext) -> None:
    """``/reassign <family> <caseworker>``: give a family to another caseworker."""
    numbers = [_number(a) for a in (context.args or [])[:2]]

    def action(store: Store, ctx: FlowContext, person):  # type: ignore[no-untyped-def]
        if len(numbers) != 2 or None in numbers:
            _ = translator(person.locale)
            if person.role not in ("supervisor", "admin"):
                return [Reply(_("Only a supervisor or an administrator can give a family to a "
                                "caseworker."))]
            return [Reply(_("Please write /reassign <family number> <caseworker number>."))]
        return reassign_family(store, ctx, person, numbers[0], numbers[1])  # type: ignore[arg-type]
    await run_flow(update, context, for_person(update, action))


async def staff(update: Update, context: KinContext) -> None:
    await run_flow(update, context, for_person(update, lambda s, c, p: staff_list(s, p)))


def register(application: Application) -> None:
    for name, callback in (("newfamily", new_family), ("family", open_family),
                           ("invite_staff", invite), ("assign", assign), ("staff", staff),
                           ("reassign", reassign)):
        application.add_handler(CommandHandler(name, callback, filters=PRIVATE))
