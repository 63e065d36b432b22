"""Staff set-up: admins invite supervisors and caseworkers; supervisors invite caseworkers."""

from __future__ import annotations

from db.models import Person
from db.store import Store
from flows.clock import to_iso
from flows.i18n import translator
from flows.invites import create_invite, deep_link, qr_png
from flows.labels import ROLE_LABELS
from flows.ui import FlowContext, Reply

INVITABLE = {"admin": ("supervisor", "caseworker", "admin"), "supervisor": ("caseworker",)}


def invite_staff(store: Store, ctx: FlowContext, actor: Person | None, role: str,
                 name: str | None, *, supervisor_id: int | None = None) -> list[Reply]:
    """``actor`` None means the command line (first set-up), which may invite anyone."""
    _ = translator(actor.locale if actor else ctx.default_locale)
    allowed = INVITABLE.get(actor.role, ()) if actor else ("supervisor", "caseworker", "admin")
    if role not in allowed:
        return [Reply(_("You cannot invite a %(role)s.", role=_(ROLE_LABELS.get(role, role))))]
    if actor is not None and actor.role == "supervisor":
        supervisor_id = actor.id
    code = create_invite(store, now=ctx.now, kind="staff", role=role,
                         created_by=actor.id if actor else None, invitee_name=name,
                         supervisor_id=supervisor_id)
    link = deep_link(ctx.bot_username, code)
    text = _("Invitation for a new %(role)s%(name)s. It works once and expires in 7 days:\n"
             "%(link)s", role=_(ROLE_LABELS[role]), name=f" ({name})" if name else "", link=link)
    return [Reply(text, photo_png=qr_png(link))]


def assign_supervisor(store: Store, ctx: FlowContext, actor: Person | None, caseworker_id: int,
                      supervisor_id: int) -> list[Reply]:
    _ = translator(actor.locale if actor else ctx.default_locale)
    if actor is not None and actor.role != "admin":
        return [Reply(_("Only an administrator can do that."))]
    caseworker = store.people.get(caseworker_id)
    supervisor = store.people.get(supervisor_id)
    if caseworker is None or caseworker.role != "caseworker" or supervisor is None or \
            supervisor.role != "supervisor":
        return [Reply(_("Please give the number of a caseworker and then of a supervisor."))]
    store.people.set_supervisor(caseworker.id, supervisor.id)
    store.families.set_supervisor_of_caseworker(caseworker.id, supervisor.id)
    store.audit.add(at=to_iso(ctx.now), actor_id=actor.id if actor else None,
                    action="assign_supervisor", target=f"person:{caseworker.id}",
                    detail=f"supervisor:{supervisor.id}")
    return [Reply(_("Done: caseworker #%(cw)s now reports to supervisor #%(sv)s.",
                    cw=caseworker.id, sv=supervisor.id))]


def staff_list(store: Store, actor: Person) -> list[Reply]:
    _ = translator(actor.locale)
    if actor.role not in ("admin", "supervisor"):
        return [Reply(_("Only an administrator can do that."))]
    lines = []
    for role in ("supervisor", "caseworker"):
        for person in store.people.with_role(role):
            if actor.role == "supervisor" and person.supervisor_id != actor.id:
                continue
            lines.append(f"#{person.id} {_(ROLE_LABELS[role])} {person.display_name or ''}".rstrip())
    return [Reply("\n".join(lines) or _("No staff yet."))]
