"""Response figures from a seeded history with fixed timestamps (issue 16 point 10): time to
acknowledge, to first contact and to resolve, median and 90th percentile (nearest rank), per
severity and per caseworker, checked as numbers in the figures, the digest and both exports."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

from db.database import Database
from db.store import Store
from flows.core.clock import to_iso
from flows.staff import case_file, digest, figures
from tests.support.families import add_family

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # Monday 10:00 in Shanghai
DAY = timedelta(days=1)
MIN = timedelta(minutes=1)

# (family, severity, raised, minutes to acknowledge, note after, outcome, minutes to resolve)
# a note while the alert is open is a recorded contact (of every alert open in that family);
# so is resolving as called / visited / referred
PLAN = [
    ("a", "urgent", NOW - 6 * DAY, 5, 200, "none", 120),    # the note came after: no contact
    ("a", "urgent", NOW - 5 * DAY, 15, None, "called", 60),  # contact 60 (called), resolve 60
    ("b", "urgent", NOW - 4 * DAY, 25, None, None, None),    # contact 1620: the note below
    ("b", "high", NOW - 3 * DAY, 120, 180, "visited", 300),  # contact 180 (note before visit)
    ("a", "normal", NOW - 2 * DAY, None, None, None, None),  # still open
    ("a", "urgent", NOW - 40 * DAY, 900, None, "called", 900),  # older than 4 weeks: not counted
]


async def seed(db: Database) -> dict[str, int]:
    def work(s: Store) -> dict[str, int]:
        a = add_family(s, caseworker_tg=201)
        b = add_family(s, guardian_tg=111, parent_tg=112, caseworker_tg=202, village="白云村")
        s.conn.execute("UPDATE people SET display_name = '赵主任' WHERE id = ?",
                       (b["caseworker"],))
        supervisor = s.people.add(role="supervisor", now=to_iso(NOW), display_name="王督导",
                                  tg_user_id=301, tg_chat_id=301)
        for cw in (a["caseworker"], b["caseworker"]):
            s.people.set_supervisor(cw, supervisor)
        families = {"a": a, "b": b}
        for key, severity, raised, ack, note, outcome, res in PLAN:
            ids = families[key]
            alert = s.alerts.add(family_id=ids["family"], person_id=None, rule="worry",
                                 severity=severity, evidence=None, now=to_iso(raised),
                                 next_escalation_at=None)
            s.alerts.add_event(alert, at=to_iso(raised), event="sent", actor_id=ids["caseworker"])
            if ack is not None:
                s.alerts.acknowledge(alert, by=ids["caseworker"], at=to_iso(raised + ack * MIN))
            if note is not None:
                s.notes.add(family_id=ids["family"], author_id=ids["caseworker"],
                            at=to_iso(raised + note * MIN), text="打了电话，奶奶说孩子没事")
            if res is not None and outcome is not None:
                s.alerts.resolve(alert, by=ids["caseworker"], at=to_iso(raised + res * MIN),
                                 outcome=outcome, note="已处理")
        return {"a": a["caseworker"], "b": b["caseworker"], "supervisor": supervisor,
                "family_a": a["family"], "family_b": b["family"]}
    return await db.write(work)


def numbers(found: list[figures.Figure]) -> dict[str, tuple[int, float | None, float | None]]:
    return {f.measure: (f.count, f.median, f.p90) for f in found}


async def test_the_figures_per_severity_and_per_caseworker(db: Database) -> None:
    ids = await seed(db)
    alerts = await db.read(lambda s: s.alerts.times([ids["family_a"], ids["family_b"]],
                                                     to_iso(NOW - 28 * DAY), to_iso(NOW)))
    assert len(alerts) == 5  # the 40-day-old one is outside the four weeks
    severity = {k: numbers(v) for k, v in figures.by_severity(alerts).items()}
    assert severity["urgent"] == {"acknowledge": (3, 15, 25), "contact": (2, 840, 1620),
                                  "resolve": (2, 90, 120)}
    assert severity["high"] == {"acknowledge": (1, 120, 120), "contact": (1, 180, 180),
                                "resolve": (1, 300, 300)}
    assert severity["normal"] == {"acknowledge": (0, None, None), "contact": (0, None, None),
                                  "resolve": (0, None, None)}
    holder = {k: numbers(v) for k, v in figures.by_holder(alerts).items()}
    assert holder[ids["a"]] == {"acknowledge": (2, 10, 15), "contact": (1, 60, 60),
                                "resolve": (2, 90, 120)}
    assert holder[ids["b"]] == {"acknowledge": (2, 72.5, 120), "contact": (2, 900, 1620),
                                "resolve": (1, 300, 300)}


def test_the_90th_percentile_is_the_nearest_rank() -> None:
    values = [float(v) for v in range(1, 21)]  # 1..20: the 18th value
    assert figures.nearest_rank(values, 0.9) == 18
    assert figures.nearest_rank([7.0], 0.9) == 7


async def test_the_supervisors_digest_gives_the_figures_in_words(db: Database) -> None:
    ids = await seed(db)

    def text(s: Store) -> str:
        person = s.people.get(ids["supervisor"])
        assert person is not None
        return digest.digest_text(s, person, NOW)
    found = await db.read(text)
    assert ("🔴 紧急，3 条警报：确认用时 15 分钟（九成在 25 分钟内）；首次联系用时 14 小时（九成在 "
            "27 小时内）；处理完用时 90 分钟（九成在 2 小时内）") in found, found
    assert ("🟠 高，1 条警报：确认用时 2 小时（九成在 2 小时内）；首次联系用时 3 小时（九成在 3 小时内）；"
            "处理完用时 5 小时（九成在 5 小时内）") in found, found
    assert "🟡 一般，1 条警报：确认用时 暂无数据；首次联系用时 暂无数据；处理完用时 暂无数据" in found
    assert ("👤 李主任，3 条警报：确认用时 10 分钟（九成在 15 分钟内）；首次联系用时 60 分钟（九成在 "
            "60 分钟内）") in found, found
    assert "👤 赵主任，2 条警报：确认用时 72 分钟（九成在 2 小时内）；首次联系用时 15 小时" in found

    def caseworker_text(s: Store) -> str:
        person = s.people.get(ids["a"])
        assert person is not None
        return digest.digest_text(s, person, NOW)
    own = await db.read(caseworker_text)
    assert "👤" not in own  # a caseworker sees her own figures per severity, no league table
    assert "🔴 紧急，2 条警报：确认用时 10 分钟（九成在 15 分钟内）" in own, own


async def test_both_exports_carry_the_figures(db: Database) -> None:
    ids = await seed(db)

    def export(raw: bool) -> dict[str, bytes]:
        def read(s: Store) -> dict[str, bytes]:
            person = s.people.get(ids["supervisor"])
            assert person is not None
            return case_file.csv_files(case_file.export_tables(
                s, person, (NOW - 27 * DAY).date(), NOW.date(), raw=raw))
        return read
    raw = await db.read(export(True))
    rows = list(csv.DictReader(io.StringIO(raw["figures.csv"].decode("utf-8-sig"))))
    got = {(r["scope"], r["group"], r["measure"]): (r["alerts"], r["reached"], r["median_minutes"],
                                                    r["p90_minutes"]) for r in rows}
    assert got[("severity", "urgent", "acknowledge")] == ("3", "3", "15", "25")
    assert got[("severity", "urgent", "contact")] == ("3", "2", "840", "1620")
    assert got[("severity", "high", "resolve")] == ("1", "1", "300", "300")
    assert got[("severity", "normal", "acknowledge")] == ("1", "0", "", "")
    assert got[("caseworker", str(ids["b"]), "acknowledge")] == ("2", "2", "72", "120")
    alerts = list(csv.DictReader(io.StringIO(raw["alerts.csv"].decode("utf-8-sig"))))
    assert [a["minutes_to_first_contact"] for a in alerts] == ["", "60", "1620", "180", ""]
    human = await db.read(export(False))
    table = list(csv.reader(io.StringIO(human["响应用时.csv"].decode("utf-8-sig"))))
    assert table[0] == ["对象", "警报数", "哪一步", "做到这一步的警报数", "中位数（分钟）",
                        "九成在多少分钟内"]
    assert ["紧急", "3", "首次联系", "2", "840", "1620"] in table
    assert ["赵主任", "2", "确认", "2", "72", "120"] in table, table
