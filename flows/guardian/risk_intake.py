"""Risk heard wherever words arrive, not only as a free message: words typed in the middle of
any other exchange (joining, settings, the family file ...), a photo's caption during a check-in,
an edited message, the words written after 🆘. Alert-level findings raise their alerts at once
(risk beats everything, "stop" included); normal-level topics are recorded for the weekly counts
and shown on the forwarded message."""

from __future__ import annotations

from collections.abc import Sequence

from db.dialogs import Dialog
from db.models import Person
from db.store import Store
from flows.core.buttons import SosStart
from flows.core.i18n import translator
from flows.core.ui import FlowContext, Reply
from flows.guardian import checkin, sos
from flows.guardian.forwarding import forward_words
from flows.guardian.risk import Finding, alert_findings, match_terms
from flows.staff.alerts import add_to_alert, raise_alert

EXCHANGES_THAT_READ_WORDS = (checkin.KIND, sos.KIND)


def _families(store: Store, person: Person | None, dialog: Dialog | None) -> list[int]:
    if person is not None:
        return [m.family_id for m in store.families.memberships_of(person.id)]
    family_id = dialog.data.get("family_id") if dialog is not None else None
    return [int(family_id)] if isinstance(family_id, int) else []  # joining: the invite's family


def raise_for(store: Store, ctx: FlowContext, person: Person | None, families: Sequence[int],
              findings: Sequence[Finding], text: str) -> list[int]:
    raised = []
    for finding in alert_findings(findings):
        for family_id in families:
            alert_id = raise_alert(store, now=ctx.now, family_id=family_id, person_id=None,
                                   rule=finding.rule, severity=finding.severity,
                                   evidence=text[:300], name_for_title=finding.evidence,
                                   reporter_id=person.id if person is not None else None,
                                   waits=ctx.escalation)
            if alert_id is not None:
                raised.append(alert_id)
    return raised


def _thanks(locale: str, with_help_button: bool) -> Reply:
    _ = translator(locale)
    return Reply(_("Thank you for telling me. I have passed this on to the staff who look after the child "
                   "right away. If the child is in danger now, press 🆘 or call 110 (police) or "
                   "120 (ambulance)."),
                 [[(_("🆘 Help now"), SosStart().pack())]] if with_help_button else None)


def words_in_exchange(store: Store, ctx: FlowContext, dialog: Dialog, person: Person | None, *,
                      text: str, typed: bool, chat_id: int, message_id: int) -> list[Reply] | None:
    """Risk words inside an exchange: alerts now, then the exchange goes on where it was.
    None when there is no risk, or when the exchange reads the words itself (a typed check-in
    answer; 🆘, whose words also raise their own class here)."""
    words = text.strip()
    if not words:
        return None
    findings = match_terms(words)
    if not alert_findings(findings):
        return None
    families = _families(store, person, dialog)
    if not families:
        return None  # nobody to tell (a staff invitation): the exchange reads the words as usual
    if dialog.kind == sos.KIND and typed:
        raise_for(store, ctx, person, families, findings, words)
        return None  # the 🆘 exchange goes on and passes the words on itself
    if dialog.kind in EXCHANGES_THAT_READ_WORDS and typed:
        return None
    raise_for(store, ctx, person, families, findings, words)
    if person is not None:
        for family_id in families:
            forward_words(store, now=ctx.now, person=person, family_id=family_id, chat_id=chat_id,
                          message_id=message_id, text=words if typed else None, voice=False,
                          photo=not typed)
    locale = person.locale if person is not None else str(dialog.data.get("locale")
                                                          or ctx.default_locale)
    _ = translator(locale)
    return [_thanks(locale, person is not None),
            Reply(_("Let us go on where we stopped: please answer the question above."))]


def words_after_help(store: Store, ctx: FlowContext, person: Person, text: str) -> None:
    """"🆘 孩子不见了": the words after 🆘 follow the help alert and raise their own class."""
    words = text.strip().removeprefix("🆘").strip()
    if not words:
        return
    dialog = store.dialogs.get(person.tg_user_id or 0)
    if dialog is not None and dialog.kind == sos.KIND:
        for alert_id in dialog.data.get("alerts", []):
            add_to_alert(store, int(alert_id), now=ctx.now, event="sos_words", words=words,
                         actor_id=person.id)
    raise_for(store, ctx, person, _families(store, person, None), match_terms(words), words)


def edited_words(store: Store, ctx: FlowContext, person: Person, *, text: str, chat_id: int,
                 message_id: int) -> list[Reply]:
    """An edited message is read again: risk added by the edit raises its alert (one open alert
    per situation, so an edit of an already alerted message adds none)."""
    words = text.strip()
    findings = match_terms(words) if words else []
    if not alert_findings(findings):
        return []
    families = _families(store, person, None)
    raise_for(store, ctx, person, families, findings, words)
    for family_id in families:
        forward_words(store, now=ctx.now, person=person, family_id=family_id, chat_id=chat_id,
                      message_id=message_id, text=words, voice=False)
    return [_thanks(person.locale, True)]
