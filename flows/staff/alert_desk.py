"""The caseworker's side of an alert: acknowledge, resolve (outcome and a short note), call the
guardian, the escalation ladder (caseworker -> supervisor -> admins), the /alerts queue and the
/families overview. Every button is checked on the server against who may act on the alert."""

from __future__ import annotations

from datetime import date, datetime, timedelta, tzinfo

from db.alerts import Alert
from db.dialogs import Dialog
from db.models import Person
from db.outbox import LANE_ALERT, NewMessage
from db.store import Store
from flows.core.access import visible_family_ids
from flows.core.buttons import (
    AlertAck,
    AlertNoteSkip,
    AlertOutcome,
    AlertQueuePage,
    AlertResolve,
    TimelinePage,
)
from flows.core.clock import from_iso, to_iso
from flows.core.i18n import N_, Translator, translator
from flows.core.labels import relation_label
from flows.core.recurring import zone_of
from flows.core.timeplan import zone_named
from flows.core.ui import Buttons, FlowContext, Reply, markup_json, pager_row
from flows.staff.alerts import (
    SEVERITY_BADGE,
    SEVERITY_LABEL,
    Waits,
    alert_buttons,
    alert_title,
    child_line,
    describe_alert,
    route,
    route_waiting,
    source_of,
    staff_gone,
    wait_for,
)
from flows.staff.durations import duration_words

RESOLVE = "resolve"
OUTCOMES = {"called": N_("📞 Called"), "visited": N_("🏠 Visited"), "referred": N_("➡️ Referred"),
            "none": N_("✔️ No action needed")}
PAGE = 5
LEVEL_NAMES = {1: N_("supervisor"), 2: N_("administrators")}
ESCALATED_HEAD = {
    1: N_("⏫ Nobody has acknowledged this for %(waited)s. It now comes to you, as the "
          "supervisor."),
    2: N_("⏫ Nobody has acknowledged this for %(waited)s. It now comes to you, as an "
          "administrator."),
}


def may_act(store: Store, person: Person | None, alert: Alert | None) -> bool:
    if person is None or alert is None or not person.is_staff or person.status == "opted_out":
        return False
    if alert.family_id is None:
        return person.role == "admin" or alert.person_id in about_people(store, person)
    return alert.family_id in visible_family_ids(store, person)


def about_people(store: Store, person: Person) -> list[int]:
    """Staff whose family-less alerts (e.g. "a caseworker left") this person handles."""
    if person.role == "admin":
        return [p.id for role in ("caseworker", "supervisor") for p in store.people.with_role(role)]
    if person.role == "supervisor":
        return [p.id for p in store.people.supervised_by(person.id)]
    return []


def refuse(store: Store, ctx: FlowContext, person: Person | None, what: str) -> list[Reply]:
    """A press on an alert this person may not touch: refused, kindly, and written down."""
    store.audit.add(at=to_iso(ctx.now), actor_id=person.id if person else None,
                    action="refused", target=what[:64])
    _ = translator(person.locale if person else ctx.default_locale)
    return [Reply(_("This button is not for you, or no longer active. Send /alerts for your "
                    "open alerts."))]


def acknowledge(store: Store, ctx: FlowContext, person: Person, alert: Alert) -> list[Reply]:
    _ = translator(person.locale)
    now = to_iso(ctx.now)
    if store.alerts.acknowledge(alert.id, by=person.id, at=now):
        store.alerts.add_event(alert.id, at=now, event="acknowledged", actor_id=person.id)
        # the pressed alert loses its buttons: the ones still useful come back here
        rest = [[b for b in row if not b[1].startswith(AlertAck.prefix + ":")]
                for row in alert_buttons(_, alert.id, alert.family_id)]
        return [Reply(_("✅ Alert #%(id)s acknowledged. It will not climb further. Resolve it "
                        "when it is handled.", id=alert.id), [r for r in rest if r])]
    return [Reply(_("Alert #%(id)s was already acknowledged or resolved.", id=alert.id))]


def ask_outcome(store: Store, person: Person, alert: Alert) -> list[Reply]:
    _ = translator(person.locale)
    if alert.status == "resolved":
        return [Reply(_("Alert #%(id)s was already acknowledged or resolved.", id=alert.id))]
    rows: Buttons = [[(_(label), AlertOutcome(alert.id, key).pack())]
                     for key, label in OUTCOMES.items()]
    return [Reply(_("What was done about alert #%(id)s?", id=alert.id), rows)]


def choose_outcome(store: Store, ctx: FlowContext, person: Person, alert: Alert,
                   outcome: str) -> list[Reply]:
    _ = translator(person.locale)
    if outcome not in OUTCOMES or alert.status == "resolved":
        return [Reply(_("Alert #%(id)s was already acknowledged or resolved.", id=alert.id))]
    store.dialogs.put(person.tg_user_id or 0, RESOLVE, "note",
                      {"alert_id": alert.id, "outcome": outcome}, now=to_iso(ctx.now))
    return [Reply(_("Please write a short note about what happened (or press Skip)."),
                  [[(_("Skip"), AlertNoteSkip(alert.id).pack())]])]


def finish_resolve(store: Store, ctx: FlowContext, person: Person, dialog: Dialog,
                   note: str | None) -> list[Reply]:
    _ = translator(person.locale)
    store.dialogs.end(dialog.tg_user_id)
    alert = store.alerts.get(int(dialog.data.get("alert_id") or 0))
    if not may_act(store, person, alert) or alert is None:
        return refuse(store, ctx, person, f"resolve:{dialog.data.get('alert_id')}")
    outcome = str(dialog.data.get("outcome") or "none")
    now = to_iso(ctx.now)
    if not store.alerts.resolve(alert.id, by=person.id, at=now, outcome=outcome,
                                note=(note or "")[:1000] or None):
        return [Reply(_("Alert #%(id)s was already acknowledged or resolved.", id=alert.id))]
    store.alerts.add_event(alert.id, at=now, event="resolved", actor_id=person.id,
                           detail=outcome)
    return [Reply(_("📝 Alert #%(id)s resolved: %(outcome)s. Thank you.", id=alert.id,
                    outcome=_(OUTCOMES[outcome])))]


def call_guardian(store: Store, person: Person, alert: Alert) -> list[Reply]:
    _ = translator(person.locale)
    lines = [_("📞 Who to call for family #%(id)s:", id=alert.family_id)]
    for member in store.families.members(alert.family_id or 0):
        contact = store.people.get(member.person_id)
        if contact is None or contact.status == "opted_out":
            continue
        name = contact.display_name or _("the family member")
        link = f"tg://user?id={contact.tg_user_id}" if contact.tg_user_id else _("no contact")
        lines.append(_("• %(name)s (%(relation)s): %(link)s", name=name,
                       relation=relation_label(_, member.relation), link=link))
    if len(lines) == 1:
        lines.append(_("No family member can be reached through KinBridge."))
    return [Reply("\n".join(lines))]


# ---- the ladder -------------------------------------------------------------------------
def _ladder_recipients(store: Store, alert: Alert, level: int,
                       skip: int | None = None) -> list[Person]:
    """The reachable people of a step of the ladder, without the one who holds it already."""
    return [p for p in _step(store, alert, level) if p.id != skip]


def _step(store: Store, alert: Alert, level: int) -> list[Person]:
    family = store.families.get(alert.family_id) if alert.family_id is not None else None
    if level == 1:
        supervisor_id = family.supervisor_id if family else None
        if supervisor_id is None and family is not None and family.caseworker_id is not None:
            caseworker = store.people.get(family.caseworker_id)
            supervisor_id = caseworker.supervisor_id if caseworker else None
        supervisor = store.people.get(supervisor_id) if supervisor_id else None
        if supervisor is not None and supervisor.reachable:
            return [supervisor]
        return []
    return [p for p in store.people.with_role("admin") if p.reachable]


def history_lines(store: Store, _: Translator, alert_id: int, zone_name: str) -> list[str]:
    """The steps an alert took, for the alert itself ("shown on the alert")."""
    zone = zone_named(zone_name)
    lines = []
    alert = store.alerts.get(alert_id)
    raised_on = from_iso(alert.created_at).astimezone(zone).date() if alert else None
    for event in store.alerts.timeline_events(alert_id):
        at = from_iso(str(event["at"]))
        # the time alone on the day it was raised; with the date on a later day
        when = _.time(at, zone) if at.astimezone(zone).date() == raised_on else \
            _.datetime(at, zone, "short")
        if event["event"] == "escalated":
            lines.append(_("⏫ %(time)s sent on to the %(whom)s", time=when,
                           whom=_(LEVEL_NAMES.get(int(str(event["detail"] or 2)), N_("administrators")))))
        elif event["event"] == "acknowledged":
            lines.append(_("✅ %(time)s acknowledged", time=when))
    return lines


def escalate_due(store: Store, now: datetime, waits: Waits = None) -> int:
    """Unacknowledged past its deadline: to the supervisor, then to the admins; each step is
    logged on the alert and the next deadline set. Acknowledging stops it (status != open).
    Alerts that nobody could be given yet are tried again first (someone may be back)."""
    climbed = route_waiting(store, now)
    for alert in store.alerts.due_escalations(to_iso(now)):
        level = alert.level + 1
        recipients = _ladder_recipients(store, alert, level, skip=alert.holder_id)
        if level == 1 and not recipients:  # nobody else supervises this family: to the admins
            level = 2
            recipients = _ladder_recipients(store, alert, level, skip=alert.holder_id)
        following = None if level >= 2 else to_iso(now + wait_for(waits, alert.severity))
        store.alerts.escalate(alert.id, level=level, next_at=following)
        store.alerts.add_event(alert.id, at=to_iso(now), event="escalated", detail=str(level))
        climbed += 1
        _send_copies(store, alert, level, recipients, now)
    return climbed


def send_escalation(store: Store, alert: Alert, level: int, now: datetime) -> None:
    """An escalation copy could not be delivered (403): the next step up gets it at once."""
    recipients = _ladder_recipients(store, alert, level, skip=alert.holder_id)
    if recipients:
        store.alerts.add_event(alert.id, at=to_iso(now), event="escalated", detail=str(level))
        _send_copies(store, alert, level, recipients, now)


def _copy_level(dedupe_key: str) -> tuple[int, int | None] | None:
    """(alert id, escalation level or None) of an alert copy's dedupe key."""
    parts = dedupe_key.split(":")
    if len(parts) < 3 or parts[0] != "alert" or not parts[1].isdigit():
        return None
    return int(parts[1]), int(parts[2]) if parts[2].isdigit() else None


def on_unreachable(store: Store, now: datetime, person: Person, dedupe_key: str,
                   waits: Waits = None) -> None:
    """A message to ``person`` came back 403 (hooked on the sender's path). Her alerts go on
    at once to the next reachable person; an escalation copy that failed goes one step up; a
    caseworker who cannot be reached any more leaves her families unassigned and her
    supervisor (or the admins) is told. ``person`` is as she was before the 403."""
    for alert in store.alerts.held_by(person.id):
        route(store, alert.id, now)
    copy = _copy_level(dedupe_key)
    if copy is not None and copy[1] is not None and copy[1] >= 1:
        alert = store.alerts.get(copy[0])
        if alert is not None and alert.status == "open" and alert.holder_id != person.id:
            send_escalation(store, alert, 2, now)
    if person.role == "caseworker" and person.status != "unreachable":
        staff_gone(store, now, person, rule="staff_unreachable", waits=waits)


def _send_copies(store: Store, alert: Alert, level: int, recipients: list[Person],
                 now: datetime) -> None:
    source = source_of(store, alert)
    for person in recipients:
        _ = translator(person.locale)
        waited = now - from_iso(alert.created_at)
        head = _(ESCALATED_HEAD[level], waited=duration_words(_, waited))
        body = describe_alert(store, _, zone_of(person), rule=alert.rule,
                              severity=alert.severity, family_id=alert.family_id,
                              child_id=alert.child_id, evidence=alert.evidence,
                              count=store.alerts.raised_count(alert.id),
                              at=from_iso(alert.created_at))
        lines = [head, body, *history_lines(store, _, alert.id, person.tz)]
        store.outbox.enqueue(NewMessage(
            dedupe_key=f"alert:{alert.id}:{level}:{person.id}", chat_id=person.tg_chat_id or 0,
            lane=LANE_ALERT, person_id=person.id, respect_quiet=alert.severity != "urgent",
            payload={"text": "\n".join(lines)[:4000], "family_id": alert.family_id,
                     "source_person_id": source,
                     "reply_markup": markup_json(alert_buttons(_, alert.id, alert.family_id))},
            source_person_id=source), now=to_iso(now))


# ---- the queue and the overview ---------------------------------------------------------
CLIMBED = {1: N_("⏫ sent on to the supervisor"), 2: N_("⏫ sent on to the administrators")}


def _who(store: Store, _: Translator, alert: Alert) -> str:
    """Whom a queue row is about, for its buttons: the child, else the village, else the person."""
    if alert.family_id is not None:
        children = store.families.children(alert.family_id)
        named = [c for c in children if c.id == alert.child_id] or children
        if named:
            return named[0].name
        family = store.families.get(alert.family_id)
        if family is not None:
            return family.village
    subject = store.people.get(alert.person_id) if alert.person_id is not None else None
    return (subject.display_name if subject else None) or _("the family member")


def queue_row(store: Store, _: Translator, alert: Alert, now: datetime,
              zone: tzinfo) -> tuple[str, list[tuple[str, str]]]:
    """One alert of the queue: severity and state, the child and age, the village, the rule in
    words and how long ago; buttons in words naming whom they are about."""
    state = _("acknowledged") if alert.status == "acknowledged" else _("not yet acknowledged")
    head = [SEVERITY_BADGE[alert.severity] + " " + _(SEVERITY_LABEL[alert.severity]), state,
            _("%(time)s ago", time=duration_words(_, now - from_iso(alert.created_at)))]
    if alert.level in CLIMBED:
        head.append(_(CLIMBED[alert.level]))
    family = store.families.get(alert.family_id) if alert.family_id is not None else None
    who = [line for line in (child_line(store, _, alert, now.astimezone(zone).date()),
                             family.village if family else None) if line]
    text = "\n".join([" · ".join(head), *([" · ".join(who)] if who else []),
                      alert_title(store, _, alert)])
    name = _who(store, _, alert)
    buttons = []
    if alert.status == "open":
        buttons.append((_("✅ Acknowledge: %(who)s", who=name), AlertAck(alert.id).pack()))
    buttons.append((_("📝 Resolve: %(who)s", who=name), AlertResolve(alert.id).pack()))
    if alert.family_id:
        buttons.append((_("📜 Timeline: %(who)s", who=name),
                        TimelinePage(alert.family_id, 0).pack()))
    return text, buttons


def queue(store: Store, ctx: FlowContext, person: Person, page: int = 0) -> list[Reply]:
    """/alerts: open alerts by severity, then the not yet acknowledged, then the oldest; paged,
    each with its buttons (one row each: a row of three is too narrow for names)."""
    _ = translator(person.locale)
    if not person.is_staff:
        return [Reply(_("Only the village children's director can open family files."))]
    alerts = store.alerts.visible_open(visible_family_ids(store, person),
                                       about_people(store, person))
    if not alerts:
        return [Reply(_("🟢 No open alerts. Thank you for looking after your families."))]
    pages = (len(alerts) + PAGE - 1) // PAGE
    page = max(0, min(page, pages - 1))
    lines = [_("Open alerts: %(n)s (page %(page)s of %(pages)s)", n=len(alerts), page=page + 1,
               pages=pages)]
    rows: Buttons = []
    for number, alert in enumerate(alerts[page * PAGE:(page + 1) * PAGE], start=page * PAGE + 1):
        text, buttons = queue_row(store, _, alert, ctx.now, zone_of(person))
        lines.append(f"\n{number}. {text}")
        rows += [[button] for button in buttons]
    paging = pager_row(page, pages, _("◀ Newer"), _("More ▶"), lambda n: AlertQueuePage(n))
    if paging:
        rows.append(paging)
    return [Reply("\n".join(lines)[:4000], rows)]


def family_status(store: Store, family_id: int, today: date) -> str:
    """🔴 an open alert, 🤫 silent for a week, 🟢 all well."""
    if any(a.status != "resolved" for a in store.alerts.for_family(family_id)):
        return "🔴"
    recent = store.checkins.between(family_id, (today - timedelta(days=6)).isoformat(),
                                    today.isoformat())
    if not any(c.answered_at for c in recent):
        return "🤫"
    return "🟢"


def families_overview(store: Store, ctx: FlowContext, person: Person) -> list[Reply]:
    _ = translator(person.locale)
    if not person.is_staff:
        return [Reply(_("Only the village children's director can open family files."))]
    today = ctx.now.astimezone(zone_of(person)).date()
    lines = [_("Your families (🔴 open alert · 🤫 no check-in for a week · 🟢 all well):")]
    ids = visible_family_ids(store, person)
    hint = False
    for family_id in ids[:80]:
        family = store.families.get(family_id)
        if family is None:
            continue
        children = "、".join(c.name for c in store.families.children(family_id))
        unassigned = " · ⚠️ " + _("no caseworker") if family.caseworker_id is None else ""
        lines.append(f"{family_status(store, family_id, today)} #{family.id} {family.village} · "
                     f"{children}{unassigned}")
        hint = hint or bool(unassigned)
    if len(ids) > 80:
        lines.append(_("… and %(n)s more. /alerts shows what needs you first.", n=len(ids) - 80))
    if len(lines) == 1:
        lines.append(_("No families yet. /newfamily creates one."))
    if hint and person.role in ("supervisor", "admin"):
        lines.append(_("⚠️ Give a family to a caseworker: /reassign <family> <caseworker> "
                       "(/staff lists the caseworkers)."))
    return [Reply("\n".join(lines)[:4000])]
