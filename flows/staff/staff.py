"""Staff set-up: admins invite supervisors and caseworkers; supervisors invite caseworkers."""

from __future__ import annotations

from db.models import Person
from db.outbox import LANE_REMINDER, NewMessage
from db.store import Store
from flows.account.invites import create_invite, deep_link, qr_png
from flows.core.access import visible_family_ids
from flows.core.clock import to_iso
from flows.core.i18n import translator
from flows.core.labels import ROLE_LABELS
from flows.core.ui import FlowContext, Reply
from flows.staff.alerts import route_waiting

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
            if person.status == "opted_out":
                continue  # left KinBridge: nobody to give families to
            state = {"paused": " ⏸", "unreachable": " ⚠️"}.get(person.status, "")
            lines.append(f"#{person.id} {_(ROLE_LABELS[role])} {person.display_name or ''}"
                         .rstrip() + state)
    return [Reply("\n".join(lines) or _("No staff yet."))]


def reassign_family(store: Store, ctx: FlowContext, actor: Person, family_id: int,
                    caseworker_id: int) -> list[Reply]:
    """A supervisor (for her own caseworkers) or an admin gives a family to a caseworker, e.g.
    after its caseworker left or could no longer be reached. The new caseworker is told."""
    _ = translator(actor.locale)
    if actor.role not in ("supervisor", "admin"):
        return [Reply(_("Only a supervisor or an administrator can give a family to a "
                        "caseworker."))]
    family = store.families.get(family_id)
    if family is None or family_id not in visible_family_ids(store, actor):
        store.audit.add(at=to_iso(ctx.now), actor_id=actor.id, action="refused",
                        target=f"reassign:{family_id}")
        return [Reply(_("You cannot open this family."))]
    caseworker = store.people.get(caseworker_id)
    if caseworker is None or caseworker.role != "caseworker" or caseworker.status == "opted_out" \
            or (actor.role == "supervisor" and caseworker.supervisor_id != actor.id):
        return [Reply(_("Please give the number of one of your caseworkers (/staff lists "
                        "them)."))]
    store.families.set_caseworker(family_id, caseworker.id, caseworker.supervisor_id)
    now = to_iso(ctx.now)
    store.audit.add(at=now, actor_id=actor.id, action="reassign", target=f"family:{family_id}",
                    detail=f"caseworker:{caseworker.id}")
    if caseworker.tg_chat_id is not None:
        store.outbox.enqueue(NewMessage(
            dedupe_key=f"assigned:{family_id}:{caseworker.id}:{now}", chat_id=caseworker.tg_chat_id,
            lane=LANE_REMINDER, person_id=caseworker.id,
            payload={"text": _now_yours(caseworker.locale, family.id, family.village),
                     "family_id": family.id}), now=now)
    route_waiting(store, ctx.now)
    return [Reply(_("Done: family #%(id)s (%(village)s) is now with %(name)s (#%(cw)s).",
                    id=family.id, village=family.village,
                    name=caseworker.display_name or _("caseworker"), cw=caseworker.id))]


def _now_yours(locale: str, family_id: int, village: str) -> str:
    _ = translator(locale)
    return _("📁 Family #%(id)s (%(village)s) is now in your care. /family %(id)s shows the file.",
             id=family_id, village=village)
