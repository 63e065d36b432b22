"""🆘 help, at any moment: the urgent alert goes out the instant it is asked for, before any
question; the answers ("in danger now?", a few words, a voice note) follow it to the caseworker.
Whatever exchange the person was in is put aside and resumed afterwards."""

from __future__ import annotations

from db.dialogs import Dialog
from db.models import Person
from db.store import Store
from flows.core.buttons import SosAnswer
from flows.core.clock import to_iso
from flows.core.i18n import Translator, translator
from flows.core.ui import FlowContext, Option, Reply, pick
from flows.guardian import checkin
from flows.guardian.forwarding import forward_words
from flows.staff.alerts import add_to_alert, holder_of, raise_alert, staff_name

KIND = "sos"
FAMILY_ROLES = ("guardian", "parent")
MISTAKE = "m"  # "按错了": the alert stays, marked as possibly accidental


def danger_options(_: Translator) -> list[Option]:
    return [Option("y", _("🚨 Yes, in danger now"), ("是", "是的", "有", "危险", "有危险", "yes", "y")),
            Option("n", _("No, but we need help"), ("不是", "没有", "否", "不", "no", "n")),
            Option(MISTAKE, _("🙈 Pressed by mistake"), ("按错了", "按错", "点错了", "点错", "误按",
                                                     "不小心按的", "不小心按到了", "按错了吧",
                                                     "mistake", "by mistake", "wrong button"))]


def _danger_question(_: Translator, lead: str | None = None) -> Reply:
    buttons = [[(f"{i}. {o.label}", SosAnswer("danger", o.value).pack())]
               for i, o in enumerate(danger_options(_), start=1)]
    question = _("Is the child in danger right now?")
    return Reply(f"{lead}\n\n{question}" if lead else question, buttons)


def _holder(store: Store, dialog_or_ids: Dialog | list[int]) -> Person | None:
    """Who has (or is being sent) the family's 🆘 now; None when nobody can be reached."""
    ids = dialog_or_ids if isinstance(dialog_or_ids, list) else \
        [int(a) for a in dialog_or_ids.data.get("alerts", [])]
    return holder_of(store, ids)


def _passing_on(_: Translator, holder: Person | None) -> str:
    """The first words after 🆘: only what is true now. The alert is queued to ``holder``, not
    yet delivered; the family is told once it has arrived (flows.staff.alerts.confirm_delivered)."""
    if holder is None:
        return _("🆘 I have kept your call for help, but right now I cannot reach the children's "
                 "director or anyone else at KinBridge. I will pass it on the moment someone can "
                 "receive it. If the child is in danger, call 110 (police) or 120 (ambulance) "
                 "now.")
    return _("🆘 I am passing your call for help to %(name)s right now. I will tell you as soon "
             "as it has arrived.", name=staff_name(_, holder))


def _more_question(_: Translator, lead: str) -> Reply:
    return Reply(lead + "\n\n" + _("If you can, tell me more: write a few words or send a voice "
                                   "note."),
                 [[(_("Nothing more to add"), SosAnswer("more", "skip").pack())]])


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
                               severity="urgent", evidence=None, reporter_id=person.id,
                               waits=ctx.escalation)
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
    return [_danger_question(_, _passing_on(_, _holder(store, alert_ids)))]


def _tell(store: Store, ctx: FlowContext, person: Person, dialog: Dialog, event: str,
          words: str | None) -> None:
    for alert_id in dialog.data.get("alerts", []):
        add_to_alert(store, int(alert_id), now=ctx.now, event=event, words=words,
                     actor_id=person.id)


def _words_passed(_: Translator, holder: Person | None, voice: bool = False) -> str:
    if holder is None:
        return _("Thank you, I have kept it. I will pass it on as soon as someone can receive "
                 "it.")
    if voice:
        return _("🎙 Thank you, I am passing your voice message on to %(name)s.",
                 name=staff_name(_, holder))
    return _("Thank you, I am passing your words on to %(name)s.", name=staff_name(_, holder))


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
        said = _words_passed(_, _holder(store, dialog), voice=True)
        if dialog.step == "danger":
            return [Reply(said), _danger_question(_)]
        return _finish(store, ctx, person, dialog, said)
    holder = _holder(store, dialog)
    if dialog.step == "danger":
        chosen = pick(danger_options(_), value, text)
        if chosen is None:
            if words:
                _tell(store, ctx, person, dialog, "sos_words", words)
                return [Reply(_words_passed(_, holder)), _danger_question(_)]
            return [_danger_question(_)]
        if chosen.value == MISTAKE:
            # the urgent alert is out and stays out: the caseworker is told at once (alert
            # lane) that it may have been a slip, and decides; the family hears only that
            _tell(store, ctx, person, dialog, "sos_mistake", None)
            if holder is None:
                said = _("All right, I have noted that it may have been pressed by mistake.")
            else:
                said = _("All right, I am telling %(name)s that it may have been pressed by "
                         "mistake. %(name)s may still call you to make sure all is well.",
                         name=staff_name(_, holder))
            return _finish(store, ctx, person, dialog, said)
        if chosen.value == "y":
            _tell(store, ctx, person, dialog, "sos_danger_now", None)
            if holder is None:
                lead = _("Please call 110 (police) or 120 (ambulance) now. I cannot reach anyone "
                         "at KinBridge at this moment; I keep trying.")
            else:
                lead = _("Please call 110 (police) or 120 (ambulance) now if you can. I am "
                         "telling %(name)s that the child is in danger.",
                         name=staff_name(_, holder))
        else:
            _tell(store, ctx, person, dialog, "sos_not_now", None)
            lead = _not_now(_, holder)
        store.dialogs.put(dialog.tg_user_id, KIND, "more", dict(dialog.data), now=to_iso(ctx.now))
        return [_more_question(_, lead)]
    if value == "skip" or not words:  # what was said before is not said again
        return _finish(store, ctx, person, dialog, _("All right."))
    _tell(store, ctx, person, dialog, "sos_words", words)
    return _finish(store, ctx, person, dialog, _words_passed(_, holder))


def _not_now(_: Translator, holder: Person | None) -> str:
    if holder is None:
        return _("Thank you. I will pass this on as soon as someone can receive it. If things get "
                 "worse, call 110 (police) or 120 (ambulance).")
    return _("Thank you. I am passing this on to %(name)s.", name=staff_name(_, holder))


def _finish(store: Store, ctx: FlowContext, person: Person, dialog: Dialog,
            lead: str) -> list[Reply]:
    """End the help exchange and go back to whatever was interrupted."""
    _ = translator(person.locale)
    store.dialogs.end(dialog.tg_user_id)
    resume = dialog.data.get("resume")
    if not isinstance(resume, dict):
        return [Reply(lead + "\n" + _("Press 🆘 again at any time if you need help."))]
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
