"""Raising alerts for caseworkers: one alert per situation, delivered through the outbox."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from db.outbox import LANE_ALERT, NewMessage
from db.store import Store
from flows.clock import to_iso
from flows.i18n import N_, Translator, translator
from flows.risk_titles import TEXT_RULE_TITLES
from flows.timeplan import zone_named
from flows.ui import markup_json

SEVERITIES = ("urgent", "high", "normal")
SEVERITY_BADGE = {"urgent": "🔴", "high": "🟠", "normal": "🟡"}
SEVERITY_LABEL = {"urgent": N_("Urgent"), "high": N_("High"), "normal": N_("Normal")}
# How long an alert may stay unacknowledged before it climbs the ladder.
ESCALATION_AFTER = {"urgent": timedelta(minutes=30), "high": timedelta(hours=4),
                    "normal": timedelta(hours=24)}
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
}
RULE_TITLES.update(TEXT_RULE_TITLES)  # branch risk: the risk engine's classes


def age_in_years(birth_month: str | None, today: date) -> int | None:
    """Whole years from a "YYYY-MM" birth month; None when unknown or unreadable."""
    try:
        year, month = (int(part) for part in (birth_month or "").split("-")[:2])
    except ValueError:
        return None
    years = today.year - year - (1 if today.month < month else 0)
    return years if 0 <= years < 30 else None


ALERT_PREFIX = "a"


def alert_buttons(_: Translator, alert_id: int, family_id: int | None) -> list[list[tuple[str, str]]]:
    """Acknowledge / Resolve / Timeline / Call guardian: every press is checked on the server."""
    rows = [[(_("✅ Acknowledge"), f"{ALERT_PREFIX}:ack:{alert_id}"),
             (_("📝 Resolve"), f"{ALERT_PREFIX}:res:{alert_id}")]]
    if family_id is not None:
        rows.append([(_("📜 Timeline"), f"{ALERT_PREFIX}:tl:{family_id}:0"),
                     (_("📞 Call guardian"), f"{ALERT_PREFIX}:call:{alert_id}")])
    return rows


def set_escalation(minutes: dict[str, int]) -> None:
    """Deployment settings may change how long each severity waits before it climbs."""
    for severity, value in minutes.items():
        if severity in ESCALATION_AFTER and value > 0:
            ESCALATION_AFTER[severity] = timedelta(minutes=value)


def alert_recipient(store: Store, family_id: int | None) -> int | None:
    """The family's caseworker; without one, the first admin."""
    if family_id is not None:
        family = store.families.get(family_id)
        if family is not None and family.caseworker_id is not None:
            return family.caseworker_id
        if family is not None and family.supervisor_id is not None:
            return family.supervisor_id
    admins = store.people.with_role("admin")
    return admins[0].id if admins else None


def describe_alert(store: Store, _: Translator, zone: ZoneInfo, *, rule: str, severity: str,
                   family_id: int | None, child_id: int | None, evidence: str | None, count: int,
                   at: datetime, name_for_title: str | None = None) -> str:
    """The alert in a few lines: badge and rule, family and village, child and age, evidence, when."""
    title_msgid = RULE_TITLES.get(rule)
    title = _(title_msgid, name=name_for_title or "?", n=count) if title_msgid else rule
    lines = [f"{SEVERITY_BADGE[severity]} {_(SEVERITY_LABEL[severity])}: {title}"]
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
    if evidence:
        lines.append(_("In their words: “%(words)s”", words=evidence))
    lines.append(_("When: %(when)s", when=_.datetime(at, zone, "short")))
    return "\n".join(lines)


def raise_alert(store: Store, *, now: datetime, family_id: int | None, person_id: int | None,
                rule: str, severity: str, evidence: str | None,
                name_for_title: str | None = None, child_id: int | None = None,
                count: int = 0, reporter_id: int | None = None) -> int | None:
    """Record the alert and queue the message to the caseworker; None if already open."""
    if severity not in SEVERITIES:
        raise ValueError(f"unknown severity {severity!r}")
    if store.alerts.open_for(family_id, person_id, rule, child_id) is not None:
        return None
    now_iso = to_iso(now)
    alert_id = store.alerts.add(
        family_id=family_id, person_id=person_id, rule=rule, severity=severity,
        evidence=evidence, now=now_iso, next_escalation_at=to_iso(now + ESCALATION_AFTER[severity]),
        child_id=child_id,
    )
    store.alerts.add_event(alert_id, at=now_iso, event="raised", detail=rule)
    if reporter_id is not None:
        store.alerts.add_event(alert_id, at=now_iso, event="reported_by", actor_id=reporter_id)
    recipient_id = alert_recipient(store, family_id)
    recipient = store.people.get(recipient_id) if recipient_id is not None else None
    if recipient is None or recipient.tg_chat_id is None:
        store.alerts.add_event(alert_id, at=now_iso, event="no_recipient")
        return alert_id
    _ = translator(recipient.locale)
    text = describe_alert(store, _, zone_named(recipient.tz), rule=rule, severity=severity,
                          family_id=family_id, child_id=child_id, evidence=evidence, count=count,
                          at=now, name_for_title=name_for_title)
    store.outbox.enqueue(
        NewMessage(
            dedupe_key=f"alert:{alert_id}:0", chat_id=recipient.tg_chat_id, lane=LANE_ALERT,
            payload={"text": text[:4000], "family_id": family_id,
                     "source_person_id": reporter_id,
                     "reply_markup": markup_json(alert_buttons(_, alert_id, family_id))},
            person_id=recipient.id, respect_quiet=severity != "urgent",
        ),
        now=now_iso,
    )
    store.alerts.add_event(alert_id, at=now_iso, event="sent", actor_id=recipient.id)
    return alert_id


def add_to_alert(store: Store, alert_id: int, *, now: datetime, event: str, words: str | None,
                 actor_id: int | None) -> None:
    """More about an open alert (the guardian's answer, a voice note): logged and sent on at once."""
    alert = store.alerts.get(alert_id)
    if alert is None:
        return
    now_iso = to_iso(now)
    store.alerts.add_event(alert_id, at=now_iso, event=event, actor_id=actor_id, detail=words)
    recipient = store.people.get(alert_recipient(store, alert.family_id) or 0)
    if recipient is None or recipient.tg_chat_id is None:
        return
    _ = translator(recipient.locale)
    family = store.families.get(alert.family_id) if alert.family_id is not None else None
    where = _("Family #%(id)s, %(village)s", id=family.id, village=family.village) if family else ""
    lines = [f"{SEVERITY_BADGE[alert.severity]} " + _("More on alert #%(id)s", id=alert_id), where]
    lines.append(_(FOLLOW_UP_EVENTS.get(event, event)))
    if words:
        lines.append(_("In their words: “%(words)s”", words=words))
    sequence = len(store.alerts.events(alert_id))
    store.outbox.enqueue(
        NewMessage(
            dedupe_key=f"alert:{alert_id}:more:{sequence}", chat_id=recipient.tg_chat_id,
            lane=LANE_ALERT, payload={"text": "\n".join(x for x in lines if x)[:4000],
                                      "family_id": alert.family_id, "source_person_id": actor_id},
            person_id=recipient.id, respect_quiet=alert.severity != "urgent",
        ),
        now=now_iso,
    )


FOLLOW_UP_EVENTS = {
    "sos_danger_now": N_("The guardian says the child is in danger right now."),
    "sos_not_now": N_("The guardian says the child is not in immediate danger but needs help."),
    "sos_again": N_("The guardian pressed the help button again."),
    "sos_words": N_("The guardian added:"),
    "sos_voice": N_("The guardian sent a voice note (forwarded next)."),
}
