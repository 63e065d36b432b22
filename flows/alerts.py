"""Raising alerts for caseworkers: one alert per situation, delivered through the outbox."""

from __future__ import annotations

from datetime import datetime, timedelta

from db.outbox import LANE_ALERT, NewMessage
from db.store import Store
from flows.clock import to_iso
from flows.i18n import N_, translator

SEVERITIES = ("urgent", "high", "normal")
SEVERITY_BADGE = {"urgent": "🔴", "high": "🟠", "normal": "🟡"}
SEVERITY_LABEL = {"urgent": N_("Urgent"), "high": N_("High"), "normal": N_("Normal")}
# How long an alert may stay unacknowledged before it climbs the ladder.
ESCALATION_AFTER = {"urgent": timedelta(minutes=30), "high": timedelta(hours=4),
                    "normal": timedelta(hours=24)}
RULE_TITLES = {
    "unreachable": N_("Messages can no longer be delivered to %(name)s (the bot was blocked or "
                      "the account was closed)."),
}


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


def raise_alert(store: Store, *, now: datetime, family_id: int | None, person_id: int | None,
                rule: str, severity: str, evidence: str | None,
                name_for_title: str | None = None) -> int | None:
    """Record the alert and queue the message to the caseworker; None if already open."""
    if severity not in SEVERITIES:
        raise ValueError(f"unknown severity {severity!r}")
    if store.alerts.open_for(family_id, person_id, rule) is not None:
        return None
    now_iso = to_iso(now)
    alert_id = store.alerts.add(
        family_id=family_id, person_id=person_id, rule=rule, severity=severity,
        evidence=evidence, now=now_iso, next_escalation_at=to_iso(now + ESCALATION_AFTER[severity]),
    )
    store.alerts.add_event(alert_id, at=now_iso, event="raised", detail=rule)
    recipient_id = alert_recipient(store, family_id)
    recipient = store.people.get(recipient_id) if recipient_id is not None else None
    if recipient is None or recipient.tg_chat_id is None:
        store.alerts.add_event(alert_id, at=now_iso, event="no_recipient")
        return alert_id
    _ = translator(recipient.locale)
    family = store.families.get(family_id) if family_id is not None else None
    title_msgid = RULE_TITLES.get(rule)
    title = _(title_msgid, name=name_for_title or "?") if title_msgid else rule
    lines = [f"{SEVERITY_BADGE[severity]} {_(SEVERITY_LABEL[severity])}: {title}"]
    if family is not None:
        lines.append(_("Family #%(id)s, %(village)s", id=family.id, village=family.village))
    if evidence:
        lines.append(evidence)
    store.outbox.enqueue(
        NewMessage(
            dedupe_key=f"alert:{alert_id}:0", chat_id=recipient.tg_chat_id, lane=LANE_ALERT,
            payload={"text": "\n".join(lines), "family_id": family_id},
            person_id=recipient.id, respect_quiet=severity != "urgent",
        ),
        now=now_iso,
    )
    store.alerts.add_event(alert_id, at=now_iso, event="sent", actor_id=recipient.id)
    return alert_id
