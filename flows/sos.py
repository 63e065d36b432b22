"""🆘 help, at any moment: the urgent alert goes out the instant it is asked for, before any
question; the answers ("in danger now?", a few words, a voice note) follow it to the caseworker.
Whatever exchange the person was in is put aside and resumed afterwards."""

from __future__ import annotations

from db.dialogs import Dialog
from db.models import Person
from db.store import Store
from flows import checkin
from flows.alerts import add_to_alert, raise_alert
from flows.clock import to_iso
from flows.forwarding import forward_words
from flows.i18n import Translator, translator
from flows.ui import FlowContext, Option, Reply, pick

KIND = "help"
PREFIX = "h"
FAMILY_ROLES = ("guardian", "parent")


def danger_options(_: Translator) -> list[Option]:
    return [Option("y", _("🚨 Yes, in danger now"), ("是", "是的", "有", "危险", "有危险", "yes", "y")),
            Option("n", _("No, but we need help"), ("不是", "没有", "否", "不", "no", "n"))]


def _danger_question(_: Translator) -> Reply:
    buttons = [[(f"{i}. {o.label}", f"{PREFIX}:danger:{o.value}")]
               for i, o in enumerate(danger_options(_), start=1)]
    return Reply(_("🆘 I have alerted the children's director right now.\n\nIs the child in danger "
                   "right now?"), buttons)


def _more_question(_: Translator, lead: str) -> Reply:
    return Reply(lead + "\n\n" + _("If you can, tell me more: write a few words or send a voice "
                                   "note."),
                 [[(_("Nothing more to add"), f"{PREFIX}:more:skip")]])


def begin_help(store: Store, ctx: FlowContext, person: Person) -> list[Reply]:
    _ = translator(person.locale)
    if person.role not in FAMILY_ROLES:
        return [Reply(_("The 🆘 button is for the children's families. Your alerts arrive here as "
                        "messages; /menu shows what you can do."))]
    families = [m.family_id for m in store.families.memberships_of(person.id)]
    if not families:
        return [Reply(_("You are not linked to a family yet. If a child is in danger, call 110 "
                        "(police) or 120 (ambulance) now."))]
    now = ctx.now
    alert_ids: list[int] = []
    for family_id in families:
        open_alert = store.alerts.open_for(family_id, None, "sos")
        if open_alert is not None:
            add_to_alert(store, open_alert.id, now=now, event="sos_again", words=None,
                         actor_id=person.id)
            alert_ids.append(open_alert.id)
            continue
        alert_id = raise_alert(store, now=now, family_id=family_id, person_id=None, rule="sos",
                               severity="urgent", evidence=None, reporter_id=person.id)
        if alert_id is not None:
            alert_ids.append(alert_id)
    uid = person.tg_user_id or 0
    current = store.dialogs.get(uid)
    data: dict[str, object] = {"alerts": alert_ids}
    if current is not None and current.kind != KIND:
        data["resume"] = {"kind": current.kind, "step": current.step, "data": current.data}
    elif current is not None:
        data["resume"] = current.data.get("resume")
    store.dialogs.put(uid, KIND, "danger", data, now=to_iso(now))
    return [_danger_question(_)]


def _tell(store: Store, ctx: FlowContext, person: Person, dialog: Dialog, event: str,
          words: str | None) -> None:
    for alert_id in dialog.data.get("alerts", []):
        add_to_alert(store, int(alert_id), now=ctx.now, event=event, words=words,
                     actor_id=person.id)


def answer_help(store: Store, ctx: FlowContext, person: Person, dialog: Dialog, *,
                value: str | None, text: str | None, voice: tuple[int, int] | None = None
                ) -> list[Reply]:
    _ = translator(person.locale)
    words = (text or "").strip()[:3000]
    if voice is not None:
        _tell(store, ctx, person, dialog, "sos_voice", None)
        families = [m.family_id for m in store.families.memberships_of(person.id)]
        for family_id in families:
            forward_words(store, now=ctx.now, person=person, family_id=family_id, chat_id=voice[0],
                          message_id=voice[1], text=None, voice=True)
        if dialog.step == "danger":
            return [Reply(_("🎙 Thank you, I have passed your voice message on to the children's "
                            "director.")), _danger_question(_)]
        return _finish(store, ctx, person, dialog, _("🎙 Thank you, I have passed your voice "
                                                     "message on to the children's director."))
    if dialog.step == "danger":
        chosen = pick(danger_options(_), value, text)
        if chosen is None:
            if words:
                _tell(store, ctx, person, dialog, "sos_words", words)
                return [Reply(_("Thank you, the children's director has your words.")),
                        _danger_question(_)]
            return [_danger_question(_)]
        if chosen.value == "y":
            _tell(store, ctx, person, dialog, "sos_danger_now", None)
            lead = _("Please call 110 (police) or 120 (ambulance) now if you can. The children's "
                     "director has been told that the child is in danger.")
        else:
            _tell(store, ctx, person, dialog, "sos_not_now", None)
            lead = _("Thank you. The children's director will contact you soon.")
        store.dialogs.put(dialog.tg_user_id, KIND, "more", dict(dialog.data), now=to_iso(ctx.now))
        return [_more_question(_, lead)]
    if value == "skip" or not words:
        return _finish(store, ctx, person, dialog, _("Thank you. The children's director will "
                                                     "contact you soon."))
    _tell(store, ctx, person, dialog, "sos_words", words)
    return _finish(store, ctx, person, dialog, _("Thank you, the children's director has your "
                                                 "words."))


def _finish(store: Store, ctx: FlowContext, person: Person, dialog: Dialog,
            lead: str) -> list[Reply]:
    """End the help exchange and go back to whatever was interrupted."""
    _ = translator(person.locale)
    store.dialogs.end(dialog.tg_user_id)
    resume = dialog.data.get("resume")
    if not isinstance(resume, dict):
        return [Reply(lead + "\n" + _("Press 🆘 or send /help_now again at any time."))]
    kind, step, data = str(resume.get("kind")), str(resume.get("step")), resume.get("data") or {}
    store.dialogs.put(dialog.tg_user_id, kind, step, dict(data), now=to_iso(ctx.now))
    if kind == checkin.KIND:
        open_checkin = store.checkins.get(int(data.get("checkin_id") or 0))
        if open_checkin is not None and open_checkin.status == "open":
            return [Reply(lead), checkin.question(store, _, open_checkin, step,
                                                  lead=_("Let us go on where we stopped."))]
        store.dialogs.end(dialog.tg_user_id)
        return [Reply(lead)]
    return [Reply(lead + "\n" + _("Let us go on where we stopped: please answer the question "
                                  "above."))]
