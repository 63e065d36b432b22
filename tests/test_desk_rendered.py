"""Every text the caseworker's desk renders, from a realistic fortnight, in zh_CN and en
(issue 16 point 13): every alert kind as it arrives and as an escalated copy, every queue row,
the timeline, the digest, the chart's words and every cell of the exports. Fails on an empty
count, a "?", a raw code, an English word in Chinese text or ASCII punctuation in Chinese."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import pytest

from db.database import Database
from db.interactions import Interaction
from db.store import Store
from flows.core.clock import to_iso
from flows.core.i18n import translator
from flows.core.ui import FlowContext
from flows.staff import alert_desk, case_file, digest
from flows.staff.alerts import RULE_TITLES, STAFF_RULES, raise_alert
from tests.support.families import add_family

START = datetime(2026, 11, 9, 2, 0, tzinfo=UTC)  # a Monday, 10:00 in Shanghai
NOW = START + timedelta(days=14)
CJK = "\u4e00-\u9fff"
ALLOWED_LATIN = re.compile(r"KinBridge|/[a-z]+|\.csv|<[^>]+>")


def problems(text: str, locale: str) -> list[str]:
    found = []
    if "?" in text:
        found.append("a '?'")
    if re.search(r"已经\s*(天|分钟|小时)|\bfor\s+(days|minutes|hours)\b|for\s{2,}", text) \
            or re.search(r"(?<![0-9])0 ?天", text):
        found.append("an empty count")
    if re.search(r"\b[a-z]+_[a-z_]+\b|\bNone\b|\bnull\b|tg://|\b[a-z]:\d+:", text):
        found.append("a raw code")
    if locale == "zh_CN":
        latin = ALLOWED_LATIN.sub("", text)
        if re.search(r"[A-Za-z]{2,}", latin):
            found.append(f"English in Chinese: {re.findall(r'[A-Za-z]{2,}', latin)[:3]}")
        if re.search(fr"[{CJK}][,:;!?(]|[,:;!?)][{CJK}]|[{CJK}]: ", text):
            found.append("ASCII punctuation in Chinese")
    return found


def ctx(now: datetime) -> FlowContext:
    return FlowContext(now=now, default_tz="Asia/Shanghai", default_locale="zh_CN",
                       bot_username="KinBridgeBot")


def fortnight(s: Store, locale: str) -> dict[str, int]:
    """Two families, every kind of alert, answers, calls, visits, notes, and what staff did."""
    a = add_family(s, caseworker_tg=201)
    b = add_family(s, guardian_tg=111, parent_tg=112, caseworker_tg=202, village="白云村")
    s.conn.execute("UPDATE people SET display_name = '赵主任' WHERE id = ?", (b["caseworker"],))
    supervisor = s.people.add(role="supervisor", now=to_iso(START), display_name="王督导",
                              tg_user_id=301, tg_chat_id=301)
    s.people.add(role="admin", now=to_iso(START), display_name="陈管理员", tg_user_id=9001,
                 tg_chat_id=9001)
    for cw in (a["caseworker"], b["caseworker"]):
        s.people.set_supervisor(cw, supervisor)
    for person in s.conn.execute("SELECT id FROM people").fetchall():
        s.people.set_locale(int(person[0]), locale)
    at = START
    for number, rule in enumerate(sorted(RULE_TITLES)):
        at += timedelta(hours=3)
        family = a if number % 2 == 0 else b
        about = family["parent"] if rule in ("no_call", "unreachable", "undelivered") else None
        if rule in STAFF_RULES:
            about, family_id = b["caseworker"], None
        else:
            family_id = family["family"]
        alert = raise_alert(s, now=at, family_id=family_id, person_id=about, rule=rule,
                            severity=("urgent", "high", "normal")[number % 3],
                            evidence="孩子说不想上学，晚上哭" if number % 4 == 1 else None,
                            count=(number % 3) * 4)
        assert alert is not None, rule
        worker = family["caseworker"]
        if number % 5 == 1:
            s.alerts.acknowledge(alert, by=worker, at=to_iso(at + timedelta(minutes=20)))
            s.alerts.add_event(alert, at=to_iso(at + timedelta(minutes=20)),
                               event="acknowledged", actor_id=worker)
        if number % 5 == 2:
            outcome = ("called", "visited", "referred", "none")[number % 4]
            s.alerts.resolve(alert, by=worker, at=to_iso(at + timedelta(hours=2)),
                             outcome=outcome, note="上门看了，孩子没事")
            s.alerts.add_event(alert, at=to_iso(at + timedelta(hours=2)), event="resolved",
                               actor_id=worker, detail=outcome)
    alert_desk.escalate_due(s, at + timedelta(days=2))  # the unacknowledged climb ...
    alert_desk.escalate_due(s, at + timedelta(days=4))  # ... to the admins
    for day in range(14):
        when = START + timedelta(days=day)
        guardian = s.people.get(a["guardian"])
        assert guardian is not None
        if day % 4 == 3:
            missed, _ = s.checkins.open_or_get(family_id=a["family"], child_id=None,
                                               guardian_id=a["guardian"],
                                               local_day=when.date().isoformat(),
                                               now=to_iso(when))
            s.checkins.close(missed.id, "missed", now=to_iso(when + timedelta(hours=12)))
            continue
        answers = ("happy", "well", "went", "normal", "n") if day % 3 else \
            ("sad", "injured", "missed", "not_normal", "y")
        c, _ = s.checkins.open_or_get(family_id=a["family"], child_id=None,
                                      guardian_id=a["guardian"],
                                      local_day=when.date().isoformat(), now=to_iso(when))
        for field, value in zip(("mood", "health", "school", "eating_sleeping"), answers,
                                strict=False):
            s.checkins.answer(c.id, field, value, now=to_iso(when))
        s.checkins.answer(c.id, "worry", answers[-1] == "y", now=to_iso(when))
        s.checkins.close(c.id, "completed", now=to_iso(when + timedelta(minutes=3)))
    s.interactions.add_many([
        Interaction(at=to_iso(START + timedelta(hours=1)), person_id=a["guardian"],
                    family_id=a["family"], direction="in", kind="text", summary="孩子今天挺好"),
        Interaction(at=to_iso(START + timedelta(hours=2)), person_id=a["guardian"],
                    family_id=a["family"], direction="in", kind="callback",
                    summary="c:1:mood:sad"),
        Interaction(at=to_iso(START + timedelta(hours=3)), person_id=a["guardian"],
                    family_id=a["family"], direction="out", kind="text", summary=None)])
    s.calls.add(family_id=a["family"], parent_id=a["parent"],
                at=to_iso(START + timedelta(days=2)), local_day="2026-11-11")
    s.visits.add(family_id=a["family"], parent_id=a["parent"], visit_day="2026-11-20",
                 now=to_iso(START))
    s.notes.add(family_id=a["family"], author_id=a["caseworker"],
                at=to_iso(START + timedelta(days=1)), text="打电话给奶奶，孩子发烧已经好了")
    return {"family": a["family"], "other": b["family"], "caseworker": a["caseworker"]}


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
async def test_every_rendered_desk_text_reads_right(db: Database, locale: str) -> None:
    ids = await db.write(lambda s: fortnight(s, locale))
    texts: list[tuple[str, str]] = []

    def render(s: Store) -> None:
        for tg in (201, 202, 301, 9001):
            person = s.people.by_telegram_user(tg)
            assert person is not None
            page, pages = 0, 1
            while page < pages:
                (reply,) = alert_desk.queue(s, ctx(NOW), person, page)
                texts.append((f"queue {tg} p{page}", reply.text))
                texts.extend([(f"queue button {tg}", label) for row in reply.buttons or []
                              for label, _ in row])
                match = re.search(r"(\d+)\D+(\d+)\D*$", reply.text.splitlines()[0])
                pages = int(match.group(2)) if match else 1
                page += 1
            if person.role in ("caseworker", "supervisor"):
                texts.append((f"digest {tg}", digest.digest_text(s, person, NOW)))
        cw = s.people.get(ids["caseworker"])
        assert cw is not None
        for family in (ids["family"], ids["other"]):
            items = case_file.entries(s, translator(locale), family)
            texts.extend([(f"timeline {family}", e.text) for e in items])
            (page,) = case_file.timeline(s, ctx(NOW), cw, ids["family"], 0)
            texts.append(("timeline page", page.text))
        points = digest.series(s, cw, NOW)
        labels = digest.chart_labels(translator(locale), points)
        texts.extend([(f"chart {k}", str(v)) for k, v in labels.items()])
        supervisor = s.people.by_telegram_user(301)
        assert supervisor is not None
        tables = case_file.export_tables(s, supervisor, (START - timedelta(days=1)).date(),
                                         NOW.date())
        for name, rows in tables.items():
            texts.append(("export file name", name))
            for row in rows:
                texts.extend([(f"export {name}", str(cell)) for cell in row if cell != ""])
        for row in s.conn.execute("SELECT dedupe_key, payload FROM outbox WHERE dedupe_key "
                                  "LIKE 'alert:%'").fetchall():
            payload = json.loads(row[1])
            texts.append((f"outbox {row[0]}", payload["text"]))
            for line in (payload.get("reply_markup") or {}).get("inline_keyboard", []):
                texts.extend([(f"outbox button {row[0]}", b["text"]) for b in line])
    await db.write(render)  # the timeline view is audited (a write)
    kinds = {where.split(" ")[0] for where, _ in texts}
    assert {"queue", "digest", "timeline", "chart", "export", "outbox"} <= kinds
    assert len([w for w, _ in texts if w.startswith("outbox alert:")]) >= len(RULE_TITLES)
    bad = [(where, why, text[:160]) for where, text in texts for why in problems(text, locale)]
    assert bad == [], "\n".join(map(str, bad[:40]))


def test_the_checks_catch_what_the_issue_quoted() -> None:
    """The checks themselves fail on the texts issue 16 quoted."""
    for text in ("这个家庭已经天没有回复问候了", "? 已经三周没有记录给孩子打电话了",
                 "已经0天", "🔴 紧急: 监护人紧急求助", "😢 injured went not_normal",
                 "callback: c:1:mood:sad", "探亲：planned"):
        assert problems(text, "zh_CN"), text
    assert problems("No check-in from this family for  days.", "en")
    assert problems("⏫ 已经 3 小时没有人确认，现在转给您（督导员）处理。", "zh_CN") == []

