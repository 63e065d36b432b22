"""The guardian check-in: one question per message, big buttons, also answered by number, word,
sentence or voice note. Each answer is stored (and the dialog moved on) in one transaction before
the guardian sees the next question, so an acknowledged answer is never lost and a restart
resumes where it stopped.

Questions follow the seeds' topics: mood (psychology), health, school (study), eating and
sleeping (life) and "anything worrying?" (safety). Every answer is assessed at once with the
child's recent history (flows.guardian.risk), so a child at risk is noticed the same day.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from functools import cache

from db.checkins import Checkin
from db.dialogs import Dialog
from db.models import Child, Person
from db.outbox import LANE_BULK, LANE_REMINDER, NewMessage
from db.schedules import Schedule
from db.store import Store
from flows.core.age import age_in_years
from flows.core.answer_sense import MID, NEG, NO, POS, WINS, YES
from flows.core.buttons import CheckinAnswer, SosStart, StaleButton
from flows.core.clock import to_iso
from flows.core.i18n import N_, Translator, translator
from flows.core.recurring import zone_of
from flows.core.ui import (
    REPLY_UNSEEN,
    Buttons,
    FlowContext,
    Option,
    Reply,
    markup_json,
    match_in_sentence,
    pick,
)
from flows.guardian.forwarding import forward_words
from flows.guardian.risk import TEXT_CLASSES, CheckinRecord, Finding, alert_findings, evaluate, match_terms
from flows.guardian.risk_topics import record_topics
from flows.staff.alerts import Waits, raise_alert

KIND = "checkin"
SOS_BUTTON_DATA = SosStart().pack()
OPEN_FOR = timedelta(hours=3)  # unanswered this long, the check-in ends politely
HISTORY_DAYS = 14
QUESTIONS = ("mood", "health", "school", "eating_sleeping", "worry")
TOPICS = {"mood": N_("the child's mood"), "health": N_("the child's health"),
          "school": N_("school"), "eating_sleeping": N_("eating and sleeping"),
          "worry": N_("anything worrying"), "worry_detail": N_("what is worrying")}
# a sentence this long that answers nothing is still kept and passed on
SUBSTANTIAL_TEXT = 4


def options(_: Translator, field: str) -> list[Option]:
    return list(_options(_.locale, field))


@cache
def _options(locale: str, field: str) -> tuple[Option, ...]:
    """The answers to a question in a language (built once: they are asked thousands of times)."""
    return tuple(_build_options(translator(locale), field))


def _build_options(_: Translator, field: str) -> list[Option]:
    """Each option's own words (Chinese as people type and say it, dialect included, and
    English), and the general senses it takes ("还行" is so-so for the mood and normal for
    eating; "不怎么开心" is ``not:happy``, which the sad option takes). flows.core.answer_sense
    reads degree words, negation, contrast ("就是…"), homophone slips and numbers."""
    if field == "mood":
        return [Option("happy", _("😊 Happy"), (
            "开心", "高兴", "快乐", "好", "很好", "挺好", "笑", "乐", "开开心心", "高高兴兴", "乐呵呵",
            "笑嘻嘻", "有说有笑", "蹦蹦跳跳", "欢喜", "美滋滋", "心情好", "心情不错", "乐呵", "笑呵呵",
            "happy", "good", "great", "cheerful", "glad", "smiling", "smiled", "smile", "laughing",
            "laughed", "excited", "😊", "😀", "😄", "😁", "😃", "🙂", "🥰"), senses=(POS,)),
                Option("neutral", _("😐 So-so"), (
                    "一般", "还行", "还好", "还可以", "凑合", "平常", "老样子", "平平", "平静", "不好不坏",
                    "不好也不坏", "跟平常一样", "没什么特别", "so-so", "ok", "okay", "fine", "alright",
                    "nothing special", "neither", "😐"), senses=(MID,)),
                Option("sad", _("😢 Sad"), (
                    "不开心", "难过", "伤心", "哭", "哭了", "不高兴", "不好", "闷闷不乐", "生气", "不太开心",
                    "不太高兴", "郁闷", "闷", "委屈", "发脾气", "闹脾气", "不乐意", "想妈妈", "想爸爸",
                    "想爸妈", "心情不好", "不爱说话", "不说话", "蔫", "哭鼻子", "掉眼泪", "抹眼泪", "烦",
                    "气呼呼", "吵架", "发火", "sad", "unhappy", "upset", "cried", "crying", "cry", "cries",
                    "doesnt talk", "dont talk", "not talking", "withdrawn",
                    "grumpy", "moody", "down", "angry", "mad", "cross", "😢", "😭", "😞", "😔", "☹",
                    "🙁", "😟", "😠", "😡"), senses=(NEG, "not:happy"))]
    if field == "health":
        return [Option("well", _("💪 Well"), (
            "好", "很好", "健康", "没病", "没事", "正常", "壮", "结实", "身体好", "能跑能跳", "没生病",
            "没毛病", "well", "fine", "healthy", "good", "strong", "💪"),
                       senses=(POS, MID, "not:unwell", "not:injured")),
                Option("unwell", _("🤒 Unwell"), (
                    "不舒服", "生病", "病了", "发烧", "感冒", "咳嗽", "肚子疼", "头疼", "拉肚子", "发热",
                    "烧", "咳", "流鼻涕", "鼻涕", "嗓子疼", "喉咙痛", "牙疼", "肚子痛", "头痛", "疼", "痛",
                    "吐", "呕吐", "拉稀", "病", "着凉", "不得劲", "难受", "没精神", "打喷嚏", "过敏",
                    "出疹子", "疹子", "痒", "长痘", "打针", "吃药", "拿药", "诊所", "医院",
                    "sick", "ill", "unwell", "fever", "cold", "cough", "coughing", "flu", "headache",
                    "stomachache", "stomach ache", "runny nose", "sore throat", "threw up", "vomit",
                    "vomited", "diarrhea", "rash", "a bit hot", "hot", "toilet",
                    "🤒", "🤧", "😷", "🤮", "🤢"),
                       senses=(NEG, "not:well", WINS)),
                Option("injured", _("🩹 Injured"), (
                    "受伤", "伤了", "摔了", "摔伤", "碰伤", "流血", "磕", "磕破", "磕伤", "擦伤", "摔跤",
                    "摔倒", "跌倒", "跌了", "崴", "扭伤", "划破", "割破", "烫伤", "骨折", "伤口", "摔了一跤",
                    "磕了", "碰了", "咬", "咬了", "烫着", "烫了", "划了", "口子", "蛰", "蜇", "肿", "挂彩",
                    "青了", "青一块", "淤青", "打架", "injured", "hurt", "injury", "fell", "cut",
                    "bruise", "bruised", "bit", "bitten", "bite", "burnt", "burned", "burn", "bumped",
                    "lump", "twisted", "sprained", "stung", "sting", "swollen", "black eye", "fight",
                    "bleeding", "🤕", "🩹"))]
    if field == "school":
        return [Option("went", _("🏫 Went to school"), (
            "去了", "上学了", "上学", "去上学了", "去学校了", "去", "上了", "去啦", "照常上学", "按时上学",
            "在学校", "放学", "上课了", "走了", "有去", "克了", "went", "yes", "attended", "at school",
            "🏫", "🎒"),
                       senses=(YES, "not:missed")),
                Option("missed", _("🚫 Did not go"), (
                    "没去", "没上学", "不去", "没有去", "逃学", "旷课", "逃课", "没上", "请假", "请假了",
                    "不肯去", "不想去", "不想上", "跑回来", "跑回家", "missed", "no", "absent", "skipped",
                    "didnt go", "stayed home", "refused", "ran back", "ran home", "went to the clinic",
                    "went to the hospital", "went to the doctor"),
                       senses=(NO, "not:went")),
                Option("holiday", _("🏖 No school today"), (
                    "放假", "假期", "周末", "休息", "不上课", "周六", "周日", "星期六", "星期天", "礼拜天",
                    "寒假", "暑假", "礼拜六", "星期日", "放假了", "没课", "不用上学", "过节", "假", "停课",
                    "放一天假", "不用上学", "不用上", "不用去", "考场",
                    "holiday", "weekend", "no school", "vacation", "day off", "saturday",
                    "sunday", "break", "closed", "no classes", "no class", "🏖"))]
    if field == "eating_sleeping":
        return [Option("normal", _("✅ Normal"), (
            "正常", "好", "很好", "都好", "还好", "能吃能睡", "吃得好", "睡得好", "吃得香", "睡得香", "能吃",
            "能睡", "吃饱了", "胃口好", "香", "吃得多", "吃得挺多", "睡到天亮", "一觉", "睡得着",
            "normal", "fine", "good", "ok", "ate", "asleep", "slept well", "eats well", "✅"),
                       senses=(POS, MID, YES, "not:not_normal")),
                Option("not_normal", _("⚠️ Not normal"), (
                    "不正常", "不好", "没吃", "吃不下", "不吃饭", "没睡好", "睡不着", "失眠", "不好好吃饭",
                    "吃得少", "不想吃", "胃口不好", "做噩梦", "睡不好", "吃不好", "不吃", "没胃口", "挑食",
                    "做梦", "吃得不多", "睡得晚", "熬夜", "半夜醒", "尿床", "睡不踏实", "吃不香", "吃不进",
                    "醒了", "哭醒", "吃不落", "才睡", "没怎么吃", "不饿", "零食", "不好好睡", "not normal",
                    "bad", "poor", "not eating", "cant sleep", "didnt eat", "no appetite", "nightmare",
                    "nightmares", "little", "woke", "snacks", "badly", "midnight", "wet the bed",
                    "restless", "⚠"),
                       senses=(NEG, NO, "not:normal", WINS))]
    if field == "worry":
        return [Option("n", _("✅ No, all fine"), (
            "没有", "没", "没事", "都好", "无", "不", "no", "nothing", "fine", "all fine", "没啥", "没什么",
            "不担心", "放心", "都挺好", "一切都好", "✅"), senses=(NO, POS, MID, "not:y")),
                Option("y", _("❗ Yes, something"), (
                    "有", "有的", "有点", "担心", "是", "yes", "something", "有事", "担忧", "操心", "发愁",
                    "不放心", "怕", "愁", "学坏", "撒谎", "太瘦", "不长个", "近视", "打架", "欺负", "一个人",
                    "worried", "worry", "afraid", "scared", "bully", "bullying", "bullied", "grades",
                    "alone", "skinny", "lying", "lies", "❗"), senses=(YES, NEG, "not:n"))]
    raise ValueError(f"unknown check-in question {field!r}")


# words naming each question's topic: a general word next to another question's topic answers
# that one ("心情还行" asked about health); the worry question takes any topic
TOPIC_WORDS = {"mood": ("心情", "情绪", "mood"), "health": ("身体", "health"),
               "school": ("学校", "上学", "上课", "school", "class"),
               "eating_sleeping": ("吃饭", "睡觉", "胃口", "eating", "sleeping", "appetite")}
# what other questions' answers say is a concern (for "anything worrying?")
CONCERNS = {"mood": {"sad"}, "health": {"unwell", "injured"}, "eating_sleeping": {"not_normal"}}


def understand_answer(_: Translator, field: str, text: str) -> Option | None:
    """A typed sentence as an answer to ``field``, or None (asked again)."""
    choices = options(_, field)
    foreign = tuple(w for other, words in TOPIC_WORDS.items() if other not in (field, "worry")
                    for w in words) if field != "worry" else ()
    chosen = match_in_sentence(text, choices, foreign)
    if field == "worry" and (chosen is None or chosen.value == "n") and concern_in(_, text):
        # "他老玩手机 管不住", "he misses his mum and cries": the worry is told, not named
        return next(o for o in choices if o.value == "y")
    return chosen


def concern_in(_: Translator, text: str) -> bool:
    """A normal-level topic of the risk engine, or a sad, ill, hurt or not-eating child."""
    if match_terms(text):
        return True
    for field, values in CONCERNS.items():
        chosen = match_in_sentence(text, list(_concern_options(_.locale, field)))
        if chosen is not None and chosen.value in values:
            return True
    return False


@cache
def _concern_options(locale: str, field: str) -> tuple[Option, ...]:
    """A question's options without yes and no ("nope" says nothing about eating here)."""
    return tuple(Option(o.value, o.label, o.words, tuple(s for s in o.senses if s not in (YES, NO)))
                 for o in _options(locale, field))


def question_text(_: Translator, field: str, child: str) -> str:
    texts = {
        "mood": _("How was %(child)s's mood today?", child=child),
        "health": _("How is %(child)s's health?", child=child),
        "school": _("Did %(child)s go to school today?", child=child),
        "eating_sleeping": _("Are %(child)s's eating and sleeping normal?", child=child),
        "worry": _("Is anything worrying you about %(child)s?", child=child),
        "worry_detail": _("Please tell me what is worrying you: write a few words, or send a "
                          "voice note."),
    }
    return texts[field]


def _child_of(store: Store, checkin: Checkin) -> Child | None:
    if checkin.child_id is None:
        return None
    return next((c for c in store.families.children(checkin.family_id) if c.id == checkin.child_id),
                None)


def _child_name(_: Translator, child: Child | None) -> str:
    return child.name if child is not None else _("the child")


def _ask_school(child: Child | None, day: date) -> bool:
    age = age_in_years(child.birth_month, day) if child is not None else None
    return age is None or age >= 6


def _fields_for(store: Store, checkin: Checkin) -> list[str]:
    child = _child_of(store, checkin)
    day = date.fromisoformat(checkin.local_day)
    return [f for f in QUESTIONS if f != "school" or _ask_school(child, day)]


def question(store: Store, _: Translator, checkin: Checkin, field: str, *,
             again: bool = False, lead: str | None = None) -> Reply:
    """The question as one message: optional lead line, the question, and big numbered buttons."""
    child = _child_of(store, checkin)
    text = question_text(_, field, _child_name(_, child))
    if again:
        text = _("Sorry, I did not understand. Please press one of the buttons, or type its "
                 "number.") + "\n\n" + text
    if lead:
        text = lead + "\n\n" + text
    buttons: Buttons = []
    if field != "worry_detail":
        for i, option in enumerate(options(_, field), start=1):
            buttons.append([(f"{i}. {option.label}", CheckinAnswer(checkin.id, field, option.value).pack())])
    else:
        buttons.append([(_("Nothing more to add"), CheckinAnswer(checkin.id, field, "skip").pack())])
    buttons.append([(_("🆘 Help now"), SOS_BUTTON_DATA)])
    return Reply(text, buttons)


# ---- opening ----------------------------------------------------------------------------
def open_checkins(store: Store, *, now: datetime, guardian: Person,
                  family_ids: Sequence[int]) -> list[Checkin]:
    """Today's open check-ins for the guardian, one per child of each family (created if new);
    also queues the polite close after OPEN_FOR. Already answered ones are left out."""
    local_day = now.astimezone(zone_of(guardian)).date().isoformat()
    now_iso = to_iso(now)
    opened: list[Checkin] = []
    for family_id in family_ids:
        children = store.families.children(family_id) or [None]
        for child in children:
            checkin, created = store.checkins.open_or_get(
                family_id=family_id, child_id=child.id if child else None,
                guardian_id=guardian.id, local_day=local_day, now=now_iso)
            if checkin.status == "open":
                opened.append(checkin)
                if created:
                    store.schedules.add(person_id=guardian.id, kind="checkin_close",
                                        ref_id=checkin.id, next_run_at=to_iso(now + OPEN_FOR),
                                        once_at=to_iso(now + OPEN_FOR), now=now_iso)
    return opened


def guardian_families(store: Store, person: Person) -> list[int]:
    return [m.family_id for m in store.families.memberships_of(person.id)]


def _start(store: Store, now: datetime, guardian: Person, family_ids: Sequence[int],
           greeting: str) -> Reply | None:
    checkins = open_checkins(store, now=now, guardian=guardian, family_ids=family_ids)
    if not checkins:
        return None
    first = checkins[0]
    store.dialogs.put(guardian.tg_user_id or 0, KIND, _first_open_field(store, first),
                      {"checkin_id": first.id, "queue": [c.id for c in checkins[1:]]},
                      now=to_iso(now))
    _ = translator(guardian.locale)
    return question(store, _, first, _first_open_field(store, first), lead=greeting)


def _first_open_field(store: Store, checkin: Checkin) -> str:
    for field in _fields_for(store, checkin):
        if getattr(checkin, field) is None:
            return field
    return "worry"


def _greeting(store: Store, guardian: Person, family_ids: Sequence[int]) -> str:
    _ = translator(guardian.locale)
    names = "、".join(c.name for f in family_ids for c in store.families.children(f))
    return _("🌷 Hello, %(name)s! A few quick taps about %(children)s: it takes less than a minute.",
             name=guardian.display_name or "", children=names or _("the child"))


def begin_now(store: Store, ctx: FlowContext, person: Person) -> list[Reply]:
    """/checkin: a guardian tells us about the child now, without waiting for the prompt."""
    _ = translator(person.locale)
    if person.role != "guardian":
        return [Reply(_("Check-ins are answered by the child's guardians at home."))]
    families = guardian_families(store, person)
    if not families:
        return [Reply(_("You are not linked to a family yet. Please ask your village children's director"
                        "."))]
    reply = _start(store, ctx.now, person, families, _greeting(store, person, families))
    if reply is None:
        return [Reply(_("You have already told me about today. Thank you! 🌷 If something "
                        "worries you, press 🆘 at any time."))]
    return [reply]


def prompt_messages(store: Store, schedule: Schedule, occurrence: datetime) -> list[NewMessage]:
    """The due-work producer for kind "checkin": open today's check-in and send its first question."""
    guardian = store.people.get(schedule.person_id)
    if guardian is None or not guardian.reachable or guardian.tg_user_id is None:
        return []
    current = store.dialogs.get(guardian.tg_user_id)
    if current is not None and current.kind == "sos":  # sos.KIND (sos imports this module)
        return []  # in the middle of asking for help: not now
    families = [schedule.ref_id] if schedule.ref_id is not None else guardian_families(store, guardian)
    reply = _start(store, occurrence, guardian, families, _greeting(store, guardian, families))
    if reply is None or guardian.tg_chat_id is None:
        return []
    return [NewMessage(
        dedupe_key=f"checkin:{schedule.id}:{to_iso(occurrence)}", chat_id=guardian.tg_chat_id,
        lane=LANE_BULK, person_id=guardian.id,
        payload={"text": reply.text, "reply_markup": markup_json(reply.buttons),
                 "family_id": families[0] if families else None})]


def close_messages(store: Store, schedule: Schedule, occurrence: datetime) -> list[NewMessage]:
    """The due-work producer for kind "checkin_close": end an unanswered check-in politely and
    record it as missed (nothing answered) or partial (some answers kept)."""
    checkin = store.checkins.get(schedule.ref_id or 0)
    if checkin is None or checkin.status != "open":
        return []
    status = "partial" if checkin.answered_anything else "missed"
    store.checkins.close(checkin.id, status, now=to_iso(occurrence))
    if status == "partial":
        nudge_parents(store, occurrence, checkin)
    guardian = store.people.get(schedule.person_id)
    if guardian is None or guardian.tg_user_id is None:
        return []
    dialog = store.dialogs.get(guardian.tg_user_id)
    if dialog is None or dialog.kind != KIND or dialog.data.get("checkin_id") != checkin.id:
        return []
    store.dialogs.end(guardian.tg_user_id)
    if not guardian.reachable or guardian.tg_chat_id is None:
        return []
    _ = translator(guardian.locale)
    text = _("No problem, we can talk next time. 🌷 If anything worries you about the child, "
             "press 🆘 at any time.")
    return [NewMessage(dedupe_key=f"checkin_close:{checkin.id}", chat_id=guardian.tg_chat_id,
                       lane=LANE_REMINDER, person_id=guardian.id, payload={"text": text})]


# ---- answering --------------------------------------------------------------------------
def _next_field(store: Store, checkin: Checkin, field: str) -> str | None:
    fields = _fields_for(store, checkin)
    if field == "worry_detail":
        return None
    index = fields.index(field) if field in fields else len(fields) - 1
    return fields[index + 1] if index + 1 < len(fields) else None


def answer(store: Store, ctx: FlowContext, person: Person, dialog: Dialog, *, value: str | None,
           text: str | None, checkin_ref: int | None = None, voice: tuple[int, int] | None = None,
           message: tuple[int, int] | None = None) -> list[Reply]:
    """One answer to the current question: a pressed button (``value``), typed ``text``, or a
    ``voice`` note (chat id, message id). ``message`` names a text message for forwarding."""
    _ = translator(person.locale)
    checkin = store.checkins.get(int(dialog.data.get("checkin_id") or 0))
    if checkin is None or checkin.status != "open":
        store.dialogs.end(dialog.tg_user_id)
        return [Reply(_("This check-in has closed. Thank you! I will ask again next time."))]
    if checkin_ref is not None and checkin_ref != checkin.id:
        raise StaleButton("checkin")
    field = dialog.step
    now_iso = to_iso(ctx.now)
    words = (text or "").strip()
    data = dict(dialog.data)
    if data.pop(REPLY_UNSEEN, False) and value is None and voice is None \
            and not (words and (match_terms(words) or len(words) >= SUBSTANTIAL_TEXT)):
        # the reply that showed this question failed: she may never have seen it, so a typed
        # word is not taken as its answer; she gets the question (her own words and risk words
        # go on as always below)
        store.dialogs.put(dialog.tg_user_id, KIND, field, data, now=now_iso)
        return [question(store, _, checkin, field)]

    if voice is not None:
        store.checkins.add_voice_note(checkin.id, now=now_iso)
        forward_words(store, now=ctx.now, person=person, family_id=checkin.family_id,
                      chat_id=voice[0], message_id=voice[1], text=None, voice=True,
                      about=TOPICS[field])
        if field == "worry":
            store.checkins.answer(checkin.id, "worry", 1, now=now_iso)
        elif field != "worry_detail":
            store.checkins.answer(checkin.id, field, "voice", now=now_iso)
        lead = _("🎙 Thank you, I have passed your voice message on to the staff who look after the child.")
        return _advance(store, ctx, person, dialog.tg_user_id, data, checkin, field, lead=lead, said=None)

    if field == "worry_detail":
        if value == "skip":
            return _advance(store, ctx, person, dialog.tg_user_id, data, checkin, field, lead=None, said=None)
        if not words:
            return [question(store, _, checkin, field, again=True)]
        store.checkins.add_notes(checkin.id, words[:4000], now=now_iso)
        _forward_text(store, ctx, person, checkin, message, words, field)
        return _advance(store, ctx, person, dialog.tg_user_id, data, checkin, field, lead=None, said=words)

    choices = options(_, field)
    chosen = pick(choices, value, text)
    if chosen is None and value is None and words:
        chosen = understand_answer(_, field, words)
    risky = alert_findings(match_terms(words)) if words else []
    if chosen is None:
        if value is not None:
            raise StaleButton("checkin")
        if risky or len(words) >= SUBSTANTIAL_TEXT:
            # not an answer, but the guardian's own words: keep them and pass them on
            store.checkins.add_notes(checkin.id, words[:4000], now=now_iso)
            _forward_text(store, ctx, person, checkin, message, words, field)
            raised = assess(store, ctx.now, person, store.checkins.get(checkin.id) or checkin,
                            said=words, data=data, waits=ctx.escalation)
            store.dialogs.put(dialog.tg_user_id, KIND, field, data, now=now_iso)
            lead = _("Thank you for telling me. I have passed this on to the staff who look after the child "
                     "right away.") if raised or risky else \
                _("Thank you, I have kept your words for the children's director.")
            return [question(store, _, checkin, field, lead=lead)]
        return [question(store, _, checkin, field, again=True)]
    if field == "worry":
        store.checkins.answer(checkin.id, "worry", 1 if chosen.value == "y" else 0, now=now_iso)
        if chosen.value == "y":
            if words and len(words) >= SUBSTANTIAL_TEXT:  # "有，他说肚子疼": the worry is told
                store.checkins.add_notes(checkin.id, words[:4000], now=now_iso)
                _forward_text(store, ctx, person, checkin, message, words, "worry_detail")
                return _advance(store, ctx, person, dialog.tg_user_id, data, checkin,
                                "worry_detail", lead=None, said=words)
            store.dialogs.put(dialog.tg_user_id, KIND, "worry_detail", data, now=now_iso)
            return [question(store, _, checkin, "worry_detail")]
    else:
        store.checkins.answer(checkin.id, field, chosen.value, now=now_iso)
    if words and risky:
        store.checkins.add_notes(checkin.id, words[:4000], now=now_iso)
    return _advance(store, ctx, person, dialog.tg_user_id, data, checkin, field, lead=None,
                    said=words or None)


def _forward_text(store: Store, ctx: FlowContext, person: Person, checkin: Checkin,
                  message: tuple[int, int] | None, words: str, field: str) -> None:
    if message is not None:
        topics = record_topics(store, ctx.now, [checkin.family_id], match_terms(words))
        forward_words(store, now=ctx.now, person=person, family_id=checkin.family_id,
                      chat_id=message[0], message_id=message[1], text=words, voice=False,
                      about=TOPICS[field], topics=topics)


def _advance(store: Store, ctx: FlowContext, person: Person, tg_user_id: int,
             data: dict[str, object], checkin: Checkin, field: str, *, lead: str | None,
             said: str | None) -> list[Reply]:
    """After an answer: assess, then the next question, the next child, or the thanks."""
    _ = translator(person.locale)
    now_iso = to_iso(ctx.now)
    history = _history(store, checkin)
    fresh = next((c for c in history if c.id == checkin.id), None) or checkin
    raised = assess(store, ctx.now, person, fresh, said=said, data=data, history=history,
                    waits=ctx.escalation)
    following = _next_field(store, fresh, field)
    if following is not None:
        store.dialogs.put(tg_user_id, KIND, following, data, now=now_iso)
        return [question(store, _, fresh, following, lead=lead)]
    store.checkins.close(fresh.id, "completed", now=now_iso)
    if not data.get("urgent"):
        nudge_parents(store, ctx.now, store.checkins.get(fresh.id) or fresh)
    data["urgent"] = False
    queue = [int(c) for c in data.get("queue", [])]  # type: ignore[attr-defined]
    while queue:
        nxt = store.checkins.get(queue.pop(0))
        if nxt is not None and nxt.status == "open":
            data = {"checkin_id": nxt.id, "queue": queue}
            step = _first_open_field(store, nxt)
            store.dialogs.put(tg_user_id, KIND, step, data, now=now_iso)
            child = _child_name(_, _child_of(store, nxt))
            intro = _("Thank you! Now a few taps about %(child)s.", child=child)
            return [question(store, _, nxt, step, lead="\n".join(x for x in (lead, intro) if x))]
    store.dialogs.end(tg_user_id)
    thanks = _("Thank you, that is all for today! 🌷 You are taking good care of the child.")
    if raised:
        thanks += "\n" + _("I have let the staff who look after the child know about what you told me; "
                           "they may call you.")
    return [Reply("\n".join(x for x in (lead, thanks) if x))]


# ---- assessing --------------------------------------------------------------------------
def record_of(checkin: Checkin) -> CheckinRecord:
    return CheckinRecord(
        day=date.fromisoformat(checkin.local_day), mood=checkin.mood, health=checkin.health,
        school=checkin.school, eating_sleeping=checkin.eating_sleeping,
        worry=bool(checkin.worry), worry_text=checkin.notes,
        missed=checkin.status == "missed" and not checkin.answered_anything)


def _history(store: Store, checkin: Checkin) -> list[Checkin]:
    """The child's check-ins of the last HISTORY_DAYS (this one included), newest first."""
    since = (date.fromisoformat(checkin.local_day) - timedelta(days=HISTORY_DAYS)).isoformat()
    return store.checkins.history(checkin.family_id, checkin.child_id, since_day=since)


def assess(store: Store, now: datetime, guardian: Person, checkin: Checkin, *,
           said: str | None, data: dict[str, object] | None = None,
           history: list[Checkin] | None = None, waits: Waits = None) -> list[int]:
    """Run the risk rules over the child's recent history (and the words just said); raise one
    alert per situation. An urgent finding is remembered in ``data`` (no parent nudge then:
    the caseworker acts)."""
    day = date.fromisoformat(checkin.local_day)
    records = [record_of(c) for c in (history if history is not None else _history(store, checkin))]
    findings = evaluate(records, day)
    if said:
        findings += alert_findings(match_terms(said))  # a normal topic in words is no alert
    raised: list[int] = []
    for finding in findings:
        alert_id = raise_alert(
            store, now=now, family_id=checkin.family_id, person_id=None, rule=finding.rule,
            severity=finding.severity, evidence=_evidence(finding, said),
            child_id=None if finding.rule in TEXT_CLASSES else checkin.child_id,
            count=finding.count, reporter_id=guardian.id,
            name_for_title=finding.evidence if finding.rule in TEXT_CLASSES else None, waits=waits)
        if alert_id is not None:
            raised.append(alert_id)
    if data is not None and any(f.severity == "urgent" for f in findings):
        data["urgent"] = True
    return raised


def _evidence(finding: Finding, said: str | None) -> str | None:
    """Keyword findings quote the whole sentence (the caseworker needs context, not one word)."""
    if finding.rule in TEXT_CLASSES and said:
        return said[:300]
    return finding.evidence or None


def worrying_signs(store: Store, checkin: Checkin) -> list[str]:
    """Untranslated reasons the day was worrying (for the parents' nudge); empty if it was not."""
    day = date.fromisoformat(checkin.local_day)
    records = [record_of(c) for c in _history(store, checkin)]
    reasons = [NUDGE_REASONS[f.rule] for f in evaluate(records, day) if f.rule in NUDGE_REASONS]
    if checkin.mood == "sad" and NUDGE_REASONS["sad_streak"] not in reasons:
        reasons.insert(0, NUDGE_REASONS["sad"])
    if checkin.eating_sleeping == "not_normal":
        reasons.append(NUDGE_REASONS["eating_sleeping"])
    return list(dict.fromkeys(reasons))


NUDGE_REASONS = {"sad_streak": N_("sad for several days"), "sad": N_("seemed sad"),
                 "injured": N_("hurt"), "unwell": N_("not feeling well"),
                 "missed_school": N_("missed school"),
                 "eating_sleeping": N_("not eating or sleeping well"),
                 "worry": N_("something is worrying the grandparent")}


def nudge_parents(store: Store, now: datetime, checkin: Checkin) -> int:
    """A gentle same-evening message to each parent suggesting a call, when the day was worrying
    (through the outbox: the parent's quiet hours are kept)."""
    reasons = worrying_signs(store, checkin)
    if not reasons:
        return 0
    child = _child_of(store, checkin)
    queued = 0
    for member in store.families.members(checkin.family_id):
        parent = store.people.get(member.person_id)
        if parent is None or parent.role != "parent" or not parent.reachable:
            continue
        _ = translator(parent.locale)
        local = now.astimezone(zone_of(parent))
        evening = local.replace(hour=19, minute=0, second=0, microsecond=0)
        send_at = max(now, evening.astimezone(now.tzinfo))
        separator = "、" if parent.locale.startswith("zh") else ", "
        text = _("💛 A note about %(child)s today: %(reasons)s. A short call tonight could mean a "
                 "lot: ask how the day went, and listen to the end.",
                 child=_child_name(_, child), reasons=separator.join(_(r) for r in reasons))
        if store.outbox.enqueue(NewMessage(
                dedupe_key=f"nudge:{checkin.family_id}:{checkin.child_id}:{checkin.local_day}:"
                           f"{parent.id}",
                chat_id=parent.tg_chat_id or 0, lane=LANE_REMINDER, person_id=parent.id,
                not_before=to_iso(send_at), payload={"text": text, "family_id": checkin.family_id}),
                now=to_iso(now)):
            queued += 1
    return queued
