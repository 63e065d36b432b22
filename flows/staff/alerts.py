"""Raising alerts for caseworkers: one alert per situation, delivered through the outbox."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta
from types import MappingProxyType
from zoneinfo import ZoneInfo

from db.alerts import Alert
from db.models import Person
from db.outbox import LANE_ALERT, NewMessage
from db.store import Store
from flows.core.age import age_in_years
from flows.core.buttons import AlertAck, AlertCall, AlertResolve, TimelinePage
from flows.core.clock import from_iso, to_iso
from flows.core.i18n import N_, Translator, translator
from flows.core.labels import ROLE_LABELS
from flows.core.timeplan import quiet_until, zone_named
from flows.core.ui import markup_json
from flows.guardian.risk_titles import TEXT_RULE_TITLES

SEVERITIES = ("urgent", "high", "normal")
SEVERITY_BADGE = {"urgent": "🔴", "high": "🟠", "normal": "🟡"}
SEVERITY_LABEL = {"urgent": N_("Urgent"), "high": N_("High"), "normal": N_("Normal")}
# How long an alert may stay unacknowledged before it climbs the ladder, unless the deployment
# says otherwise (KINBRIDGE_ESCALATE_*: Settings.escalation_after, passed in as ``waits``).
ESCALATION_AFTER: Mapping[str, timedelta] = MappingProxyType(
    {"urgent": timedelta(minutes=30), "high": timedelta(hours=4), "normal": timedelta(hours=24)})
Waits = Mapping[str, timedelta] | None


def wait_for(waits: Waits, severity: str) -> timedelta:
    """How long an alert of ``severity`` waits before it climbs (the defaults fill gaps)."""
    return (waits or ESCALATION_AFTER).get(severity) or ESCALATION_AFTER[severity]


RULE_TITLES = {
    "unreachable": N_("Messages can no longer be delivered to %(name)s (the bot was blocked or "
                      "the account was closed)."),
    "sos": N_("🆘 The guardian asked for help now."),
    "undelivered": N_("Messages to %(name)s could not be delivered after several tries."),
    "no_call": N_("%(name)s has not logged a call with the child for three weeks."),
    "sad_streak": N_("The child was sad at the last %(n)s check-ins."),
    "injured": N_("The guardian says the child is injured."),
    "unwell": N_("The guardian says the child is unwell."),
    "missed_school": N_("The child missed school %(n)s times this week."),
    "silence": N_("No check-in from this family for %(n)s days."),
    "worry": N_("The guardian is worried about the child."),
    "keyword_self_harm": N_("A guardian's message speaks of self-harm or suicide."),
    "keyword_violence_abuse": N_("A guardian's message speaks of violence or abuse."),
    "keyword_bullying": N_("A guardian's message speaks of bullying."),
    "keyword_missing": N_("A guardian's message says a child is missing or ran away."),
    "keyword_injury": N_("A guardian's message speaks of an injury."),
    "keyword_no_adult": N_("A guardian's message says no adult is looking after the child."),
    "staff_unreachable": N_("Caseworker %(name)s can no longer be reached: messages to them are "
                            "not delivered (the bot was blocked or the account was closed)."),
    "staff_left": N_("A caseworker left KinBridge and asked for their data to be removed."),
}
# the same rules when the count is not known (an alert raised without one)
RULE_TITLES_NO_COUNT = {
    "sad_streak": N_("The child was sad at several check-ins in a row."),
    "missed_school": N_("The child missed school several times this week."),
    "silence": N_("No check-in from this family for several days."),
}
# alerts about a member of staff (no family): their families wait, unassigned, for /reassign
STAFF_RULES = ("staff_unreachable", "staff_left")
RULE_TITLES.update(TEXT_RULE_TITLES)  # branch risk: the risk engine's classes




def alert_buttons(_: Translator, alert_id: int, family_id: int | None) -> list[list[tuple[str, str]]]:
    """Acknowledge / Resolve / Timeline / Call guardian: every press is checked on the server."""
    rows = [[(_("✅ Acknowledge"), AlertAck(alert_id).pack()),
             (_("📝 Resolve"), AlertResolve(alert_id).pack())]]
    if family_id is not None:
        rows.append([(_("📜 Timeline"), TimelinePage(family_id, 0).pack()),
                     (_("📞 Call guardian"), AlertCall(alert_id).pack())])
    return rows


def ladder(store: Store, family_id: int | None, subject_id: int | None = None) -> list[int]:
    """Who may hold an alert, in order: the family's caseworker, the supervisor (the family's,
    else the caseworker's), then the admins. An alert about a member of staff (no family)
    goes to that person's supervisor, then the admins."""
    ids: list[int] = []
    supervisor_id = None
    family = store.families.get(family_id) if family_id is not None else None
    if family is not None:
        caseworker = None
        if family.caseworker_id is not None:
            ids.append(family.caseworker_id)
            caseworker = store.people.get(family.caseworker_id)
        supervisor_id = family.supervisor_id or (caseworker.supervisor_id if caseworker else None)
    elif subject_id is not None:
        subject = store.people.get(subject_id)
        if subject is not None and subject.is_staff:
            supervisor_id = subject.supervisor_id
    if supervisor_id is not None:
        ids.append(supervisor_id)
    ids += [admin.id for admin in store.people.with_role("admin")]
    return list(dict.fromkeys(ids))


def first_reachable(store: Store, family_id: int | None,
                    subject_id: int | None = None) -> Person | None:
    """The first person on the ladder who can receive a message now: active (not paused,
    blocked or forgotten) and with a chat."""
    for person_id in ladder(store, family_id, subject_id):
        person = store.people.get(person_id)
        if person is not None and person.is_staff and person.reachable:
            return person
    return None


def alert_recipient(store: Store, family_id: int | None) -> int | None:
    """Who hears about a family now: the first reachable person on its ladder."""
    person = first_reachable(store, family_id)
    return person.id if person is not None else None


def staff_name(_: Translator, person: Person | None) -> str:
    """How a family member is told who has their call: the name staff go by, else the role."""
    if person is None:
        return _("the children's director")
    return person.display_name or _(ROLE_LABELS.get(person.role, person.role))


def rule_title(_: Translator, rule: str, name: str | None, count: int) -> str:
    """The rule in words. A missing name reads "the family member", never "?"; a rule whose
    count is unknown never reads "for  days"."""
    msgid = RULE_TITLES.get(rule)
    if msgid is None:
        return _("An alert about this family.")
    if "%(n)s" in msgid and count <= 0:
        msgid = RULE_TITLES_NO_COUNT.get(rule, msgid)
    return _(msgid, name=name or _("the family member"), n=count)


def alert_title(store: Store, _: Translator, alert: Alert) -> str:
    """The rule in words for an alert already stored: with the name of whom it is about and
    the count it was raised with (the queue, the timeline, the exports)."""
    subject = store.people.get(alert.person_id) if alert.person_id is not None else None
    return rule_title(_, alert.rule, subject.display_name if subject else None,
                      store.alerts.raised_count(alert.id))


def child_line(store: Store, _: Translator, alert: Alert, today: date) -> str | None:
    """"小明，10 岁" for the alert's child (or the family's children); None without a family."""
    if alert.family_id is None:
        return None
    children = store.families.children(alert.family_id)
    if alert.child_id is not None:
        children = [c for c in children if c.id == alert.child_id] or children
    parts = []
    for child in children:
        age = age_in_years(child.birth_month, today)
        parts.append(_("%(name)s, %(age)s years", name=child.name, age=age)
                     if age is not None else child.name)
    return _("; ").join(parts) if parts else None


def describe_alert(store: Store, _: Translator, zone: ZoneInfo, *, rule: str, severity: str,
                   family_id: int | None, child_id: int | None, evidence: str | None, count: int,
                   at: datetime, name_for_title: str | None = None) -> str:
    """The alert in a few lines: badge and rule, family and village, child and age, evidence, when."""
    title = rule_title(_, rule, name_for_title, count)
    lines = [_("%(badge)s %(severity)s: %(title)s", badge=SEVERITY_BADGE[severity],
               severity=_(SEVERITY_LABEL[severity]), title=title)]
    family = store.families.get(family_id) if family_id is not None else None
    if family is not None:
        lines.append(_("Family #%(id)s, %(village)s", id=family.id, village=family.village))
        children = store.families.children(family.id)
        if child_id is not None:
            children = [c for c in children if c.id == child_id]
        for child in children:
            age = age_in_years(child.birth_month, at.astimezone(zone).date())
            lines.append(_("Child: %(name)s, %(age)s years", name=child.name, age=age)
                         if age is not None else _("Child: %(name)s", name=child.name))
    if rule in STAFF_RULES:
        lines.append(_("Their families have no caseworker now: %(families)s",
                       families=evidence or "—"))
        lines.append(_("Give each to another caseworker: /reassign <family> <caseworker> "
                       "(/staff lists the caseworkers)."))
    elif evidence:
        lines.append(_("In their words: “%(words)s”", words=evidence))
    lines.append(_("When: %(when)s", when=_.datetime(at, zone, "short")))
    return "\n".join(lines)


def raise_alert(store: Store, *, now: datetime, family_id: int | None, person_id: int | None,
                rule: str, severity: str, evidence: str | None,
                name_for_title: str | None = None, child_id: int | None = None,
                count: int = 0, reporter_id: int | None = None,
                waits: Waits = None) -> int | None:
    """Record the alert and queue it to the first reachable person on the ladder; None if an
    alert for the same situation is already open. Nobody reachable: it waits (``holder_id``
    NULL) and goes out the moment someone is (see ``route_waiting``)."""
    if severity not in SEVERITIES:
        raise ValueError(f"unknown severity {severity!r}")
    if store.alerts.open_for(family_id, person_id, rule, child_id) is not None:
        return None
    now_iso = to_iso(now)
    climb_from = now if severity == "urgent" else _after_quiet(
        now, first_reachable(store, family_id, person_id if family_id is None else None))
    alert_id = store.alerts.add(
        family_id=family_id, person_id=person_id, rule=rule, severity=severity,
        evidence=evidence, now=now_iso,
        next_escalation_at=to_iso(climb_from + wait_for(waits, severity)),
        child_id=child_id,
    )
    # the count (e.g. sad check-ins running) rides on the "raised" event for later copies
    store.alerts.add_event(alert_id, at=now_iso, event="raised",
                           detail=f"{rule}:{count}" if count else rule)
    if reporter_id is not None:
        store.alerts.add_event(alert_id, at=now_iso, event="reported_by", actor_id=reporter_id)
    route(store, alert_id, now, name_for_title=name_for_title, count=count)
    return alert_id


def _after_quiet(now: datetime, holder: Person | None) -> datetime:
    """When a non-urgent alert can first reach its holder: it waits for the end of her quiet
    hours, and so does its escalation clock (nobody is "not acknowledging" in her sleep)."""
    if holder is None:
        return now
    return quiet_until(now, zone_named(holder.tz), holder.quiet_start, holder.quiet_end) or now


def source_of(store: Store, alert: Alert) -> int | None:
    """The person whose words or data an alert carries: who reported it, else whom it is about."""
    return store.alerts.reporter(alert.id) or alert.person_id


def route(store: Store, alert_id: int, now: datetime, *, name_for_title: str | None = None,
          count: int = 0) -> Person | None:
    """Give the alert to the first reachable person on its ladder (skipping the unreachable,
    forgotten, paused and missing), with what was added to it so far when it changes hands.
    Returns the new holder, or None when nobody can be reached (it then waits)."""
    alert = store.alerts.get(alert_id)
    if alert is None or alert.status == "resolved":
        return None
    now_iso = to_iso(now)
    holder = first_reachable(store, alert.family_id,
                             alert.person_id if alert.family_id is None else None)
    if holder is None:
        if alert.holder_id is not None or not store.alerts.has_event(alert_id, "no_recipient"):
            store.alerts.add_event(alert_id, at=now_iso, event="no_recipient")
        store.alerts.set_holder(alert_id, None)
        return None
    if holder.id == alert.holder_id:
        return holder
    first = not store.alerts.has_event(alert_id, "sent")
    store.alerts.set_holder(alert_id, holder.id)
    if name_for_title is None and alert.person_id is not None:
        subject = store.people.get(alert.person_id)
        name_for_title = subject.display_name if subject else None
    _ = translator(holder.locale)
    text = describe_alert(store, _, zone_named(holder.tz), rule=alert.rule,
                          severity=alert.severity, family_id=alert.family_id,
                          child_id=alert.child_id, evidence=alert.evidence,
                          count=count or store.alerts.raised_count(alert_id),
                          at=from_iso(alert.created_at), name_for_title=name_for_title)
    source = source_of(store, alert)
    store.outbox.enqueue(
        NewMessage(
            dedupe_key=f"alert:{alert_id}:0" if first else f"alert:{alert_id}:to:{holder.id}",
            chat_id=holder.tg_chat_id or 0, lane=LANE_ALERT,
            payload={"text": text[:4000], "family_id": alert.family_id,
                     "source_person_id": source,
                     "reply_markup": markup_json(alert_buttons(_, alert_id, alert.family_id))},
            person_id=holder.id, respect_quiet=alert.severity != "urgent",
            source_person_id=source,
        ),
        now=now_iso,
    )
    store.alerts.add_event(alert_id, at=now_iso, event="sent", actor_id=holder.id)
    # a new holder also gets what the family added before (while it waited, or for the last one)
    for event in store.alerts.follow_ups(alert_id):
        _send_follow_up(store, alert, holder, now_iso, key=f"e{event['id']}",
                        event=str(event["event"]), words=_str_or_none(event["detail"]),
                        actor_id=_int_or_none(event["actor_id"]))
    return holder


def route_waiting(store: Store, now: datetime) -> int:
    """Alerts nobody could be given: try again (someone came back, joined or was assigned)."""
    return sum(route(store, alert.id, now) is not None
               for alert in store.alerts.waiting_for_anyone())


def holder_of(store: Store, alert_ids: list[int]) -> Person | None:
    """Who holds (the first of) these alerts now, if anyone."""
    for alert_id in alert_ids:
        alert = store.alerts.get(int(alert_id))
        if alert is not None and alert.holder_id is not None:
            return store.people.get(alert.holder_id)
    return None


def add_to_alert(store: Store, alert_id: int, *, now: datetime, event: str, words: str | None,
                 actor_id: int | None) -> None:
    """More about an open alert (the guardian's answer, a voice note): logged and sent on at
    once to whoever holds it (if nobody does yet, it goes with the alert when it is routed)."""
    alert = store.alerts.get(alert_id)
    if alert is None:
        return
    now_iso = to_iso(now)
    store.alerts.add_event(alert_id, at=now_iso, event=event, actor_id=actor_id, detail=words)
    holder = store.people.get(alert.holder_id) if alert.holder_id is not None else None
    if holder is None or not holder.reachable:
        return
    sequence = len(store.alerts.events(alert_id))
    _send_follow_up(store, alert, holder, now_iso, key=str(sequence), event=event, words=words,
                    actor_id=actor_id)


def _send_follow_up(store: Store, alert: Alert, holder: Person, now_iso: str, *, key: str,
                    event: str, words: str | None, actor_id: int | None) -> None:
    _ = translator(holder.locale)
    family = store.families.get(alert.family_id) if alert.family_id is not None else None
    where = _("Family #%(id)s, %(village)s", id=family.id, village=family.village) if family else ""
    lines = [f"{SEVERITY_BADGE[alert.severity]} " + _("More on alert #%(id)s", id=alert.id), where]
    lines.append(_(FOLLOW_UP_EVENTS.get(event, event)))
    if words:
        lines.append(_("In their words: “%(words)s”", words=words))
    store.outbox.enqueue(
        NewMessage(
            dedupe_key=f"alert:{alert.id}:more:{key}:{holder.id}", chat_id=holder.tg_chat_id or 0,
            lane=LANE_ALERT, payload={"text": "\n".join(x for x in lines if x)[:4000],
                                      "family_id": alert.family_id, "source_person_id": actor_id},
            person_id=holder.id, respect_quiet=alert.severity != "urgent",
            source_person_id=actor_id,
        ),
        now=now_iso,
    )


def confirm_delivered(store: Store, now: datetime, outbox_ids: list[int]) -> int:
    """Once a 🆘 alert has really reached someone, the family is told who has it (the first
    reply only said it was being passed on). Called where deliveries are recorded."""
    told = 0
    for alert_id, person_id in store.alerts.copies_among(outbox_ids):
        alert = store.alerts.get(alert_id)
        if alert is None or alert.rule != "sos" or store.alerts.has_event(alert_id, "family_told"):
            continue
        store.alerts.add_event(alert_id, at=to_iso(now), event="family_told", actor_id=person_id)
        reporter = store.people.get(store.alerts.reporter(alert_id) or 0)
        if reporter is None or not reporter.reachable:
            continue
        _ = translator(reporter.locale)
        text = _("✅ %(name)s has received your call for help.",
                 name=staff_name(_, store.people.get(person_id)))
        store.outbox.enqueue(NewMessage(
            dedupe_key=f"sos_received:{alert_id}", chat_id=reporter.tg_chat_id or 0,
            lane=LANE_ALERT, person_id=reporter.id, respect_quiet=False,
            payload={"text": text, "family_id": alert.family_id}), now=to_iso(now))
        told += 1
    return told


def staff_gone(store: Store, now: datetime, person: Person, *, rule: str,
               waits: Waits = None) -> int | None:
    """A caseworker left (/forget) or cannot be reached: her families are unassigned (they wait
    with her supervisor for /reassign), the alerts she held move on, and her supervisor (or
    the admins) gets an alert listing the families."""
    family_ids = store.families.unassign_caseworker(person.id, person.supervisor_id)
    for alert in store.alerts.held_by(person.id):
        route(store, alert.id, now)
    families = [store.families.get(f) for f in family_ids]
    listing = ", ".join(f"#{f.id} {f.village}" for f in families if f is not None)
    return raise_alert(store, now=now, family_id=None, person_id=person.id, rule=rule,
                       severity="high", evidence=listing or None,
                       name_for_title=person.display_name if rule == "staff_unreachable" else None,
                       waits=waits)


def _str_or_none(value: object) -> str | None:
    return str(value) if value else None


def _int_or_none(value: object) -> int | None:
    return value if isinstance(value, int) else None


FOLLOW_UP_EVENTS = {
    "sos_danger_now": N_("The guardian says the child is in danger right now."),
    "sos_not_now": N_("The guardian says the child is not in immediate danger but needs help."),
    "sos_again": N_("The guardian pressed the help button again."),
    "sos_words": N_("The guardian added:"),
    "sos_voice": N_("The guardian sent a voice note (forwarded next)."),
    # branch families (issue 17.3): the alert stays open; the caseworker decides
    "sos_mistake": N_("⚠️ The family says the help button may have been pressed by mistake. The "
                      "alert stays open: a short call to make sure all is well."),
}
