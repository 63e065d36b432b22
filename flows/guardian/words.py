"""What a family member says outside any exchange: risk words first (they win over everything,
even a request to stop), then a call for help, a request to stop, and otherwise the words are
passed on to the caseworker so nothing a grandmother says is lost."""

from __future__ import annotations

from db.models import Person
from db.store import Store
from flows.account.menu import menu
from flows.core.buttons import MenuChoice, SosStart
from flows.core.i18n import translator
from flows.core.ui import FlowContext, Reply, normalise
from flows.guardian import sos
from flows.guardian.forwarding import forward_words
from flows.guardian.risk import alert_findings, match_terms
from flows.guardian.risk_topics import record_topics
from flows.staff.alerts import raise_alert

HELP_WORDS = ("求助", "救命", "紧急求助", "sos", "helpnow")
STOP_WORDS = ("不要再发", "别再发", "别发了", "不要发了", "不想收", "退订", "取消订阅", "停止发送",
              "不要打扰", "stop", "unsubscribe", "dontsend")
SUBSTANTIAL = 4
COURTESY = {"谢谢", "谢谢你", "谢谢您", "好的", "好", "嗯", "嗯嗯", "收到", "知道了", "行", "ok", "okay",
            "thanks", "thankyou", "谢了", "辛苦了"}
KIND_EMOJI = {"👍", "🙏", "😊", "❤️", "🌹", "🌷", "👌", "🤝", "😀", "😄"}


def is_help_call(text: str) -> bool:
    cleaned = normalise(text)
    return text.strip().startswith("🆘") or cleaned in HELP_WORDS


def is_checkin_call(text: str, locale: str) -> bool:
    """The keyboard's "📝 Tell about the child now", in the person's language or the other."""
    cleaned = normalise(text)
    return any(cleaned == normalise(translator(lang)("📝 Tell about the child now"))
               for lang in {locale, "zh_CN", "en"})


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
        return [Reply(_("Would you like me to pause all messages? You can resume at any time with "
                        "/start."), [[(_("⏸ Pause messages"), MenuChoice("stop").pack())]])]
    only_emoji = bool(words) and not normalise(words)  # 😢 alone says something too
    worth_passing_on = len(normalise(words)) >= SUBSTANTIAL or only_emoji
    if worth_passing_on and _forward(store, ctx, person, chat_id, message_id, words, voice=False,
                                     said=words):
        return [Reply(_("Thank you, I have passed your message on to the staff who look after the child."))]
    return [Reply(_("I did not quite understand. Here is what I can do:")), menu(_, person)]


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
    return [Reply(_("Thank you! I can only read text and buttons here for now. Here is what I "
                    "can do:")), menu(_, person)]
