"""What a family member says outside any exchange: risk words first (they win over everything,
even a request to stop), then a call for help, a request to stop. Words that carry a concern (a
normal-level topic, a sad or ill child) or that she asks to pass on ("告诉主任…") go to the
caseworker; other news about the child ("孩子今天挺开心的") is thanked for and kept for the
parents' weekly message; a short reply ("去了", "1") gets a small menu of what she can do."""

from __future__ import annotations

import re

from db.models import Person
from db.outbox import LANE_REPLY, NewMessage
from db.store import Store
from flows.account import account
from flows.core.buttons import (
    MenuChoice,
    ParentAnotherTip,
    ParentCalled,
    ReminderAsk,
    SosStart,
    VisitPlan,
)
from flows.core.clock import to_iso
from flows.core.i18n import Translator, translator
from flows.core.labels import relation_label
from flows.core.recurring import zone_of
from flows.core.ui import Buttons, FlowContext, Reply, match_in_sentence, normalise
from flows.guardian import checkin, sos
from flows.guardian.forwarding import forward_words
from flows.guardian.risk import alert_findings, match_terms
from flows.guardian.risk_topics import record_topics
from flows.parent import parent_actions
from flows.staff.alerts import first_reachable, raise_alert, staff_name

HELP_WORDS = ("求助", "救命", "紧急求助", "sos", "helpnow")
STOP_WORDS = ("不要再发", "别再发", "别发了", "不要发了", "不想收", "退订", "取消订阅", "停止发送",
              "不要打扰", "stop", "unsubscribe", "dontsend")
SUBSTANTIAL = 4
COURTESY = {"谢谢", "谢谢你", "谢谢您", "好的", "嗯嗯", "收到", "知道了", "ok", "okay",
            "thanks", "thankyou", "谢了", "辛苦了"}
# "告诉主任…", "帮我转告", "跟李主任说一下", "please tell the director"
PASS_ON = re.compile(r"转告|转达|转给|帮我(说|问|讲|带)|(告诉|跟|和|给|让|请|叫|问问?)[^。，！？]{0,5}"
                     r"(主任|督导|工作人员|村里|干部)|(tell|ask|inform|let)\b.{0,30}\b(director|"
                     r"caseworker|staff|social worker)|pass (this |it |that )?on")

KIND_EMOJI = {"👍", "🙏", "😊", "❤️", "🌹", "🌷", "👌", "🤝", "😀", "😄"}


def is_help_call(text: str) -> bool:
    cleaned = normalise(text)
    return text.strip().startswith("🆘") or cleaned in HELP_WORDS


def is_checkin_call(text: str, locale: str) -> bool:
    """The keyboard's "📝 Tell about the child now", in the person's language or the other."""
    cleaned = normalise(text)
    return any(cleaned == normalise(translator(lang)("📝 Tell about the child now"))
               for lang in {locale, "zh_CN", "en"})


def asks_to_pass_on(text: str) -> bool:
    return bool(PASS_ON.search(text.strip().lower()))


def _reads_as(_: Translator, text: str, field: str) -> str | None:
    chosen = match_in_sentence(text, checkin.options(_, field))
    return chosen.value if chosen else None


carries_concern = checkin.concern_in  # a risk topic, or a sad, ill, hurt or not-eating child


def asks_to_stop(text: str) -> bool:
    cleaned = normalise(text)
    return any(word in cleaned for word in STOP_WORDS)


def raise_word_alerts(store: Store, ctx: FlowContext, person: Person, text: str) -> list[int]:
    """Alerts for every alert-level class in the words (normal topics raise none), for each
    family of the person; the title names the words that were heard."""
    raised: list[int] = []
    for finding in alert_findings(match_terms(text)):
        for membership in store.families.memberships_of(person.id):
            alert_id = raise_alert(store, now=ctx.now, family_id=membership.family_id,
                                   person_id=None, rule=finding.rule, severity=finding.severity,
                                   evidence=text[:300], reporter_id=person.id,
                                   name_for_title=finding.evidence, waits=ctx.escalation)
            if alert_id is not None:
                raised.append(alert_id)
    return raised


def _forward(store: Store, ctx: FlowContext, person: Person, chat_id: int, message_id: int,
             text: str | None, voice: bool, photo: bool = False, said: str = "") -> bool:
    """Pass the message on; the normal-level topics heard in ``said`` (the text or caption)
    are shown on it and counted for the week."""
    families = [m.family_id for m in store.families.memberships_of(person.id)]
    topics = record_topics(store, ctx.now, families, match_terms(said)) if said.strip() else []
    sent = False
    for family_id in families:
        sent = forward_words(store, now=ctx.now, person=person, family_id=family_id,
                             chat_id=chat_id, message_id=message_id, text=text, voice=voice,
                             photo=photo, topics=topics) or sent
    return sent


def handle_words(store: Store, ctx: FlowContext, person: Person, *, chat_id: int, message_id: int,
                 text: str) -> list[Reply]:
    _ = translator(person.locale)
    words = text.strip()
    risky = alert_findings(match_terms(words))
    if risky:
        raise_word_alerts(store, ctx, person, words)
        if not _forward(store, ctx, person, chat_id, message_id, words, voice=False, said=words):
            # nobody on the family's ladder can be reached now: say so (the alert waits)
            return [Reply(_("Thank you for telling me. I have kept it, but right now I cannot "
                            "reach the children's director or anyone else at KinBridge; I will "
                            "pass it on the moment someone can receive it. If the child is in "
                            "danger, call 110 (police) or 120 (ambulance) now."),
                          [[(_("🆘 Help now"), SosStart().pack())]])]
        return [Reply(_("Thank you for telling me. I have passed this on to the staff who look after the "
                        "child right away. If the child is in danger now, press 🆘 or call 110 "
                        "(police) or 120 (ambulance)."),
                      [[(_("🆘 Help now"), SosStart().pack())]])]
    if is_help_call(words):
        return sos.begin_help(store, ctx, person)
    if normalise(words) in COURTESY or words in KIND_EMOJI:
        # "谢谢" / "好的" / 👍: a warm word back, not "I did not understand"
        return [Reply(_("🌷 You are welcome! I am here whenever you need me."))]
    if asks_to_stop(words):
        return [Reply(_("Would you like me to pause all messages? You can start them again at any "
                        "time."), [[(_("⏸ Pause messages"), MenuChoice("stop").pack())]])]
    only_emoji = bool(words) and not normalise(words)  # 😢 alone says something too
    substantial = len(normalise(words)) >= SUBSTANTIAL
    if asks_to_pass_on(words) or ((substantial or only_emoji) and carries_concern(_, words)):
        if _forward(store, ctx, person, chat_id, message_id, words, voice=False, said=words):
            return [Reply(_("Thank you, I have passed your message on to the staff who look after "
                            "the child."))]
        return [Reply(_("Thank you, I have kept your message. Right now I cannot reach the "
                        "children's director; I will pass it on as soon as I can."))]
    if substantial and person.role == "guardian":
        return keep_for_the_week(store, ctx, person, words)
    if substantial and _forward(store, ctx, person, chat_id, message_id, words, voice=False,
                                said=words):  # a parent's words: the caseworker reads them
        return [Reply(_("Thank you, I have passed your message on to the staff who look after "
                        "the child."))]
    return [small_menu(_, person)]


def small_menu(_: Translator, person: Person, lead: str | None = None) -> Reply:
    """What a family member can do, in three big buttons: never the settings with 🗑."""
    rows: Buttons = []
    if person.role == "guardian":
        rows.append([(_("📝 Tell about the child"), MenuChoice("checkin").pack())])
    rows.append([(_("🆘 Help now"), SosStart().pack())])
    rows.append([(_("📞 Contact the director"), MenuChoice("contact").pack())])
    rows.append([(_("⚙️ Settings"), MenuChoice("settings").pack())])
    if person.status == "paused":
        rows.append([(_("▶️ Start my messages again"), MenuChoice("resume").pack())])
    return Reply(lead or _("What would you like to do? Press a button:"), rows)


def keep_for_the_week(store: Store, ctx: FlowContext, person: Person, words: str) -> list[Reply]:
    """Good news about the child: thanked for, kept for the parents' weekly message, not sent
    to the caseworker (who would read every "he was happy today" as something to act on)."""
    _ = translator(person.locale)
    day = ctx.now.astimezone(zone_of(person)).date().isoformat()
    mood = _reads_as(_, words, "mood")
    has_parent = False
    for membership in store.families.memberships_of(person.id):
        store.kept_words.add(family_id=membership.family_id, person_id=person.id,
                             at=to_iso(ctx.now), local_day=day,
                             mood=mood if mood in ("happy", "neutral") else None, text=words[:1000])
        has_parent = has_parent or any(
            (p := store.people.get(m.person_id)) is not None and p.role == "parent"
            for m in store.families.members(membership.family_id))
    if has_parent:
        return [Reply(_("🌷 How nice, thank you for telling me! I have written it down, and the "
                        "child's parents will read it in this week's message."))]
    return [Reply(_("🌷 How nice, thank you for telling me! I have written it down."))]


def contact_director(store: Store, ctx: FlowContext, person: Person) -> list[Reply]:
    """"📞 Contact the director": who looks after the family, and a button asking them to call."""
    _ = translator(person.locale)
    families = [m.family_id for m in store.families.memberships_of(person.id)]
    holder = first_reachable(store, families[0]) if families else None
    if holder is None:
        return [Reply(_("Right now I cannot reach the children's director. If the child is in "
                        "danger, call 110 (police) or 120 (ambulance)."))]
    return [Reply(_("%(name)s looks after your family. Press the button and I will ask "
                    "%(name)s to call you.", name=staff_name(_, holder)),
                  [[(_("📞 Please call me"), MenuChoice("callme").pack())]])]


def _call_back_text(_: Translator, person: Person, relation: str | None, family_id: int,
                    village: str) -> str:
    return _("📞 %(name)s (%(relation)s, family #%(id)s, %(village)s) asks you to call back.",
             name=person.display_name or "?", relation=relation_label(_, relation), id=family_id,
             village=village)


def ask_for_a_call(store: Store, ctx: FlowContext, person: Person) -> list[Reply]:
    """The caseworker is asked (through the outbox) to call this family member back."""
    _ = translator(person.locale)
    asked = None
    for membership in store.families.memberships_of(person.id):
        holder = first_reachable(store, membership.family_id)
        if holder is None or holder.tg_chat_id is None:
            continue
        family = store.families.get(membership.family_id)
        day = ctx.now.astimezone(zone_of(person)).date().isoformat()
        store.outbox.enqueue(NewMessage(
            dedupe_key=f"callme:{person.id}:{membership.family_id}:{day}",
            chat_id=holder.tg_chat_id, lane=LANE_REPLY, person_id=holder.id,
            payload={"text": _call_back_text(translator(holder.locale), person,
                                             membership.relation, membership.family_id,
                                             family.village if family else ""),
                "family_id": membership.family_id}), now=to_iso(ctx.now))
        asked = holder
    if asked is None:
        return [Reply(_("Right now I cannot reach the children's director. If the child is in "
                        "danger, call 110 (police) or 120 (ambulance)."))]
    return [Reply(_("📞 I have asked %(name)s to call you.", name=staff_name(_, asked)))]


def handle_media(store: Store, ctx: FlowContext, person: Person, *, chat_id: int,
                 message_id: int, photo: bool = False, caption: str = "") -> list[Reply]:
    """A voice note or photo: passed on as it is (the caseworker can listen or look); risk words
    in a photo's caption raise their alerts like any message."""
    _ = translator(person.locale)
    raised = raise_word_alerts(store, ctx, person, caption) if caption.strip() else []
    if _forward(store, ctx, person, chat_id, message_id, None, voice=not photo, photo=photo,
                said=caption):
        if raised:
            return [Reply(_("Thank you for telling me. I have passed this on to the staff who look after the "
                            "child right away. If the child is in danger now, press 🆘 or call "
                            "110 (police) or 120 (ambulance)."), [[(_("🆘 Help now"), SosStart().pack())]])]
        return [Reply(_("🎙 Thank you, I have passed your message on to the staff who look after the child."))]
    return [small_menu(_, person, _("Thank you! I could not pass it on right now. Here is what "
                                    "I can do:"))]


# the parent's keys do what these buttons under the weekly message do
PARENT_KEYS = {"called": ParentCalled, "remind": ReminderAsk, "visit": VisitPlan,
               "tip": ParentAnotherTip}


def keyboard_key(store: Store, ctx: FlowContext, person: Person, action: str) -> list[Reply]:
    """A key of the persistent keyboard (flows.account.welcome.KEYS), pressed in any exchange.
    The parent's keys do what the weekly message's buttons do, for their first family."""
    if action == "sos":
        return sos.begin_help(store, ctx, person)
    if action == "checkin" and person.role == "guardian":
        return checkin.begin_now(store, ctx, person)
    if action == "contact":
        return contact_director(store, ctx, person)
    if action == "settings":
        return account.begin_settings(store, ctx, person, person.tg_user_id or 0)
    families = [m.family_id for m in store.families.memberships_of(person.id)]
    if person.role == "parent" and families and action in PARENT_KEYS:
        return parent_actions.handle(store, ctx, PARENT_KEYS[action](families[0]))
    _ = translator(person.locale)
    return [small_menu(_, person)]
