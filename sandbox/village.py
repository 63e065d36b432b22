"""The seeded demo village 青山村: the persona family a newcomer plays, and five more families
with their own stories and history, so every caseworker view has something real to triage.

Only the sandbox uses this module (``python bot.py sandbox`` and the demo tests)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from db.store import Store
from flows.core.clock import from_iso, to_iso
from flows.core.person_plans import sync_person
from flows.staff.alerts import raise_alert

SHANGHAI = ZoneInfo("Asia/Shanghai")
VILLAGE = "青山村"
CHECKIN_TIME = "19:00"
HISTORY_DAYS = 14
JOINED_WEEKS_AGO = 6


@dataclass(frozen=True)
class DemoPerson:
    tg_user_id: int
    name: str
    role: str
    relation: str | None
    tz: str
    description: str  # English note (the web chat's English chrome)
    note_zh: str = ""  # Chinese note (the web chat's default chrome)
    family: str | None = None  # the story key of the family they belong to


# The people the web chat offers first: the persona family and the staff.
DEMO_PEOPLE: tuple[DemoPerson, ...] = (
    DemoPerson(1001, "奶奶", "guardian", "grandmother", "Asia/Shanghai",
               "grandmother caring for 小明 in 青山村", "小明的奶奶，在青山村照顾小明", "persona"),
    DemoPerson(1002, "爸爸", "parent", "father", "Asia/Shanghai",
               "小明's father, working in a Shenzhen factory", "小明的爸爸，在深圳工厂打工",
               "persona"),
    DemoPerson(1003, "妈妈", "parent", "mother", "Asia/Dubai",
               "小明's mother, working in Dubai (another time zone)",
               "小明的妈妈，在迪拜打工（另一个时区）", "persona"),
    DemoPerson(2001, "李主任", "caseworker", None, "Asia/Shanghai",
               "children's director (儿童主任) of 青山村: six families", "青山村儿童主任，负责六个家庭"),
    DemoPerson(2002, "王督导", "supervisor", None, "Asia/Shanghai",
               "township supervisor (儿童督导员)", "乡镇儿童督导员，李主任的上级"),
    DemoPerson(9001, "管理员", "admin", None, "Asia/Shanghai", "KinBridge administrator",
               "亲情桥管理员"),
)


@dataclass(frozen=True)
class Story:
    key: str
    child: str
    birth_month: str
    grade: str
    summary_en: str
    summary_zh: str
    lives_on: bool  # do its guardians answer by themselves when the clock jumps?


STORIES: tuple[Story, ...] = (
    Story("well", "小红", "2014-09", "五年级", "doing well: happy every day, calls twice a week",
          "一切都好：天天开心，每周通两次电话", True),
    Story("sad", "小军", "2013-05", "六年级", "sad at the last three check-ins",
          "最近三次问候都说孩子不开心", True),
    Story("silent", "小兰", "2015-11", "四年级", "no answer for a week",
          "一个星期没有回复问候", False),
    Story("nocall", "小刚", "2012-08", "初一", "father has not called for three weeks",
          "爸爸三个星期没有打电话", True),
    Story("urgent", "小丽", "2017-02", "二年级", "an urgent alert, not yet acknowledged",
          "有一条紧急提醒，还没人确认", True),
)

# The other families' people: real chats in the sandbox, listed apart in the web chat.
VILLAGERS: tuple[DemoPerson, ...] = (
    DemoPerson(1101, "陈爷爷", "guardian", "grandfather", "Asia/Shanghai",
               "小红's grandfather", "小红的爷爷", "well"),
    DemoPerson(1102, "陈爸爸", "parent", "father", "Asia/Shanghai",
               "小红's father, in Guangzhou", "小红的爸爸，在广州", "well"),
    DemoPerson(1201, "周外婆", "guardian", "grandmother", "Asia/Shanghai",
               "小军's grandmother", "小军的外婆", "sad"),
    DemoPerson(1202, "周妈妈", "parent", "mother", "Asia/Shanghai",
               "小军's mother, in Hangzhou", "小军的妈妈，在杭州", "sad"),
    DemoPerson(1301, "刘爷爷", "guardian", "grandfather", "Asia/Shanghai",
               "小兰's grandfather", "小兰的爷爷", "silent"),
    DemoPerson(1302, "刘爸爸", "parent", "father", "Asia/Shanghai",
               "小兰's father, in Dongguan", "小兰的爸爸，在东莞", "silent"),
    DemoPerson(1401, "王奶奶", "guardian", "grandmother", "Asia/Shanghai",
               "小刚's grandmother", "小刚的奶奶", "nocall"),
    DemoPerson(1402, "王爸爸", "parent", "father", "Asia/Shanghai",
               "小刚's father, in Beijing", "小刚的爸爸，在北京", "nocall"),
    DemoPerson(1501, "赵外公", "guardian", "grandfather", "Asia/Shanghai",
               "小丽's grandfather", "小丽的外公", "urgent"),
    DemoPerson(1502, "赵妈妈", "parent", "mother", "Asia/Shanghai",
               "小丽's mother, in Xiamen", "小丽的妈妈，在厦门", "urgent"),
)

CASEWORKER, SUPERVISOR, PERSONA_GUARDIAN = 2001, 2002, 1001
URGENT_WORDS = "小丽放学回来说被村里的大孩子打了，脸上有伤，不肯说话。"


def everyone() -> tuple[DemoPerson, ...]:
    return DEMO_PEOPLE + VILLAGERS


def _ids(store: Store, people: tuple[DemoPerson, ...], now: str) -> dict[int, int]:
    ids: dict[int, int] = {}
    for p in people:
        existing = store.people.by_telegram_user(p.tg_user_id)
        ids[p.tg_user_id] = existing.id if existing else store.people.add(
            role=p.role, now=now, display_name=p.name, tg_user_id=p.tg_user_id,
            tg_chat_id=p.tg_user_id, tz=p.tz, consent_at=now,
        )
    return ids


def _family(store: Store, ids: dict[int, int], members: list[DemoPerson], *, child: str,
            birth_month: str, grade: str, now: str, joined: str) -> int:
    store.people.set_supervisor(ids[CASEWORKER], ids[SUPERVISOR])
    family_id = store.families.add(village=VILLAGE, now=joined, caseworker_id=ids[CASEWORKER],
                                   supervisor_id=ids[SUPERVISOR], consent_confirmed_at=joined)
    store.families.add_child(family_id, name=child, now=joined, birth_month=birth_month,
                             school="青山小学", grade=grade)
    for p in members:
        if p.relation:
            store.families.add_member(family_id, ids[p.tg_user_id], p.relation, now=joined)
        if p.role == "guardian":
            store.people.set_checkin_time(ids[p.tg_user_id], CHECKIN_TIME)
        if p.role == "parent":
            store.people.set_weekly(ids[p.tg_user_id], 7, "20:00")
    for p in members:
        sync_person(store, ids[p.tg_user_id], from_iso(now))
    return family_id


def seed_demo_village(store: Store, *, now: str, joined: str | None = None) -> int:
    """Create the demo people and the persona family (小明's); returns its id. Idempotent."""
    ids = _ids(store, DEMO_PEOPLE, now)
    family = store.families.first_family_of(ids[PERSONA_GUARDIAN])
    if family is not None:
        return family
    members = [p for p in DEMO_PEOPLE if p.family == "persona"]
    family_id = _family(store, ids, members, child="小明", birth_month="2016-03", grade="三年级",
                        now=now, joined=joined or now)
    for p in DEMO_PEOPLE:
        if p.family is None:
            sync_person(store, ids[p.tg_user_id], from_iso(now))
    return family_id


# ---- history ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Day:
    mood: str = "happy"
    health: str = "well"
    school: str = "went"
    eating_sleeping: str = "normal"
    worry: int = 0


CALM = Day()


def _evening(day: datetime, zone: ZoneInfo = SHANGHAI) -> datetime:
    return datetime.combine(day.date(), time(19, 3), zone)


def record_day(store: Store, family_id: int, guardian_id: int, at: datetime, answers: Day,
               *, zone: ZoneInfo = SHANGHAI) -> None:
    """One answered check-in, as the guardian would have given it at ``at``."""
    child = store.families.children(family_id)
    at_iso = to_iso(at)
    checkin, _created = store.checkins.open_or_get(
        family_id=family_id, child_id=child[0].id if child else None, guardian_id=guardian_id,
        local_day=at.astimezone(zone).date().isoformat(), now=at_iso)
    if checkin.status != "open":
        return
    for field in ("mood", "health", "school", "eating_sleeping", "worry"):
        store.checkins.answer(checkin.id, field, getattr(answers, field), now=at_iso)
    store.checkins.close(checkin.id, "completed", now=at_iso)


def _story_day(key: str, days_ago: int) -> Day | None:
    """What the guardian said ``days_ago`` evenings ago (None: no answer)."""
    if key == "silent":
        return None if days_ago <= 7 else Day(mood="neutral" if days_ago % 4 == 0 else "happy")
    if key == "sad":
        return Day(mood="sad", eating_sleeping="not_normal" if days_ago == 1 else "normal") \
            if days_ago <= 3 else Day(mood="neutral" if days_ago % 3 == 0 else "happy")
    if key == "persona":
        return Day(mood="neutral" if days_ago in (4, 9) else "happy")
    return Day(mood="neutral" if days_ago % 5 == 0 else "happy")


CALL_EVERY = {"persona": 3, "well": 3, "sad": 4, "silent": 7, "urgent": 4}


def _history(store: Store, key: str, family_id: int, ids: dict[int, int],
             members: list[DemoPerson], now: datetime) -> None:
    guardian = next(p for p in members if p.role == "guardian")
    parents = [p for p in members if p.role == "parent"]
    for days_ago in range(HISTORY_DAYS, 0, -1):
        evening = _evening(now.astimezone(SHANGHAI) - timedelta(days=days_ago))
        answers = _story_day(key, days_ago)
        if answers is not None:
            record_day(store, family_id, ids[guardian.tg_user_id], evening, answers)
        elif days_ago <= 7:  # asked and not answered: closed as missed three hours later
            child = store.families.children(family_id)
            checkin, _ = store.checkins.open_or_get(
                family_id=family_id, child_id=child[0].id if child else None,
                guardian_id=ids[guardian.tg_user_id], local_day=evening.date().isoformat(),
                now=to_iso(evening))
            store.checkins.close(checkin.id, "missed", now=to_iso(evening + timedelta(hours=3)))
    every = CALL_EVERY.get(key)
    for n, parent in enumerate(parents):
        last_days = range(23, 40, 7) if key == "nocall" else range(1 + n, 22, every or 7)
        for days_ago in last_days:
            at = _evening(now.astimezone(SHANGHAI) - timedelta(days=days_ago)) + timedelta(hours=2)
            store.calls.add(family_id=family_id, parent_id=ids[parent.tg_user_id], at=to_iso(at),
                            local_day=at.date().isoformat())


def seed_full_village(store: Store, *, now: datetime) -> dict[str, int]:
    """The whole demo village with two weeks of history; returns story key -> family id."""
    now_iso = to_iso(now)
    joined = to_iso(now - timedelta(weeks=JOINED_WEEKS_AGO))
    families = {"persona": seed_demo_village(store, now=now_iso, joined=joined)}
    ids = _ids(store, everyone(), now_iso)
    _history(store, "persona", families["persona"], ids,
             [p for p in DEMO_PEOPLE if p.family == "persona"], now)
    for story in STORIES:
        members = [p for p in VILLAGERS if p.family == story.key]
        family_id = _family(store, ids, members, child=story.child, birth_month=story.birth_month,
                            grade=story.grade, now=now_iso, joined=joined)
        families[story.key] = family_id
        _history(store, story.key, family_id, ids, members, now)
    _seed_alerts(store, families, ids, now)
    return families


def _seed_alerts(store: Store, families: dict[str, int], ids: dict[int, int],
                 now: datetime) -> None:
    """The sad streak was raised yesterday evening and 李主任 is following it; 小丽's urgent
    alert came in ten minutes ago and nobody has acknowledged it yet. (The week of silence and
    the three weeks without a call are found by the bot's own watches on its first sweep.)"""
    yesterday = _evening(now.astimezone(SHANGHAI) - timedelta(days=1)) + timedelta(minutes=2)
    # history, not news: recorded as it happened yesterday (its message went out then)
    sad = store.alerts.add(family_id=families["sad"], person_id=None, rule="sad_streak",
                           severity="high", evidence=None, now=to_iso(yesterday),
                           next_escalation_at=None)
    store.alerts.add_event(sad, at=to_iso(yesterday), event="raised", detail="sad_streak")
    store.alerts.add_event(sad, at=to_iso(yesterday), event="sent", actor_id=ids[CASEWORKER])
    at = to_iso(yesterday + timedelta(minutes=40))
    store.alerts.acknowledge(sad, by=ids[CASEWORKER], at=at)
    store.alerts.add_event(sad, at=at, event="acknowledged", actor_id=ids[CASEWORKER])
    guardian = ids[1501]
    raise_alert(store, now=now - timedelta(minutes=10), family_id=families["urgent"],
                person_id=guardian, rule="keyword_violence_abuse", severity="urgent",
                evidence=URGENT_WORDS, reporter_id=guardian)


# ---- the village lives on while the clock jumps ----------------------------------------------
PROMPT_LATENESS = timedelta(hours=2)  # the due-work sweep still asks a check-in this late


def _occurrences(start: datetime, end: datetime, zone: ZoneInfo, local_time: str
                 ) -> list[datetime]:
    hour, minute = (int(x) for x in local_time.split(":"))
    found = []
    day = start.astimezone(zone).date()
    while True:
        at = datetime.combine(day, time(hour, minute), zone)
        if at > end:
            return found
        if at > start:
            found.append(at)
        day += timedelta(days=1)


def live_through(store: Store, start: datetime, end: datetime) -> int:
    """The demo clock jumped from ``start`` to ``end``: the other families' guardians answered
    their evening check-ins in between (and their parents called as usual), as they would have.
    The persona family's evenings that the bot will not ask any more (too late to send) are
    recorded as calm days, so a jump does not look like a week of neglect; the evening the bot
    still asks is left to the person playing 奶奶. Returns the check-ins recorded."""
    recorded = 0
    by_key = {s.key: s for s in STORIES}
    for person in everyone():
        if person.role != "guardian" or person.family is None:
            continue
        story = by_key.get(person.family)
        if story is not None and not story.lives_on:
            continue
        guardian = store.people.by_telegram_user(person.tg_user_id)
        if guardian is None or guardian.status != "active":
            continue
        zone = ZoneInfo(guardian.tz or "Asia/Shanghai")
        families = [m.family_id for m in store.families.memberships_of(guardian.id)]
        last = end - PROMPT_LATENESS if story is None else end
        for at in _occurrences(start, last, zone, guardian.checkin_time or CHECKIN_TIME):
            for family_id in families:
                mood = "neutral" if story is not None and story.key == "sad" else "happy"
                record_day(store, family_id, guardian.id, at + timedelta(minutes=3),
                           Day(mood=mood), zone=zone)
                recorded += 1
    _calls_through(store, start, end)
    return recorded


def _calls_through(store: Store, start: datetime, end: datetime) -> None:
    for person in VILLAGERS:
        every = CALL_EVERY.get(person.family or "")
        if person.role != "parent" or every is None or person.family == "silent":
            continue
        parent = store.people.by_telegram_user(person.tg_user_id)
        if parent is None:
            continue
        for at in _occurrences(start, end, SHANGHAI, "21:00"):
            if at.toordinal() % every == 0:
                for m in store.families.memberships_of(parent.id):
                    store.calls.add(family_id=m.family_id, parent_id=parent.id, at=to_iso(at),
                                    local_day=at.date().isoformat())
