"""The caseworker's desk over a real SQLite file and a fast-forwarded clock: the escalation
ladder, acknowledging, forged buttons, the queue order, timeline paging, CSV exports checked
against the database, the audit log, and the digest chart's data."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from PIL import Image

from db.database import Database
from db.interactions import Interaction
from db.models import OutboxItem
from db.schedules import Schedule
from db.store import Store
from flows.core.clock import ManualClock, to_iso
from flows.core.ui import FlowContext, Reply
from flows.guardian import checkin
from flows.staff import alert_desk, case_file, digest
from flows.staff import alerts as alerts_flow
from flows.staff.alerts import raise_alert
from tests.support.families import add_family

START = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # Monday 10:00 in Shanghai
CW, OTHER_CW, SUPERVISOR, ADMIN = 201, 202, 301, 9001


class Desk:
    def __init__(self, db: Database, clock: ManualClock, ids: dict[str, int]) -> None:
        self.db, self.clock, self.ids = db, clock, ids

    def ctx(self) -> FlowContext:
        return FlowContext(now=self.clock.now(), default_tz="Asia/Shanghai",
                           default_locale="zh_CN", bot_username="KinBridgeBot")

    async def as_person(self, tg: int, fn: Any) -> list[Reply]:
        def flow(s: Store) -> list[Reply]:
            person = s.people.by_telegram_user(tg)
            assert person is not None
            return fn(s, self.ctx(), person)
        return await self.db.write(flow)

    async def raise_(self, rule: str = "sos", severity: str = "urgent",
                     family: str = "family") -> int:
        alert_id = await self.db.write(lambda s: raise_alert(
            s, now=self.clock.now(), family_id=self.ids[family], person_id=None, rule=rule,
            severity=severity, evidence="孩子发烧了"))
        assert alert_id is not None
        return alert_id

    async def messages_to(self, chat: int) -> list[dict[str, Any]]:
        rows = await self.db.read(lambda s: s.conn.execute(
            "SELECT dedupe_key, payload FROM outbox WHERE chat_id = ? ORDER BY id",
            (chat,)).fetchall())
        return [{"key": r[0], **json.loads(r[1])} for r in rows]

    async def climb(self) -> int:
        return await self.db.write(lambda s: alert_desk.escalate_due(s, self.clock.now()))


@pytest.fixture
async def desk(db: Database) -> Desk:
    def setup(s: Store) -> dict[str, int]:
        ids = add_family(s, caseworker_tg=CW)
        now = to_iso(START)
        supervisor = s.people.add(role="supervisor", now=now, display_name="王督导",
                                  tg_user_id=SUPERVISOR, tg_chat_id=SUPERVISOR)
        s.people.set_supervisor(ids["caseworker"], supervisor)
        s.people.add(role="admin", now=now, display_name="管理员", tg_user_id=ADMIN,
                     tg_chat_id=ADMIN)
        other = add_family(s, guardian_tg=111, parent_tg=112, caseworker_tg=OTHER_CW,
                           village="白云村")
        return ids | {"supervisor": supervisor, "other_family": other["family"],
                      "other_cw": other["caseworker"]}
    return Desk(db, ManualClock(START), await db.write(setup))


async def test_the_ladder_supervisor_after_30_minutes_then_admins(desk: Desk) -> None:
    alert_id = await desk.raise_()
    (first,) = await desk.messages_to(CW)
    assert first["key"] == f"alert:{alert_id}:0" and "🔴" in first["text"]
    assert [b["callback_data"] for row in first["reply_markup"]["inline_keyboard"] for b in row] \
        == [f"a:ack:{alert_id}", f"a:res:{alert_id}", f"a:tl:{desk.ids['family']}:0",
            f"a:call:{alert_id}"]
    desk.clock.advance(timedelta(minutes=29))
    assert await desk.climb() == 0
    desk.clock.advance(timedelta(minutes=2))
    assert await desk.climb() == 1
    (sup,) = await desk.messages_to(SUPERVISOR)
    assert "⏫" in sup["text"] and "督导" in sup["text"] and "a:ack" in json.dumps(sup)
    assert await desk.messages_to(ADMIN) == []
    desk.clock.advance(timedelta(minutes=31))
    assert await desk.climb() == 1
    (admin,) = await desk.messages_to(ADMIN)
    assert "管理员" in admin["text"] and "⏫" in admin["text"]
    desk.clock.advance(timedelta(hours=5))
    assert await desk.climb() == 0  # the top of the ladder: no more steps
    events = await desk.db.read(lambda s: s.alerts.events(alert_id))
    assert [e for e, _ in events if e == "escalated"] == ["escalated", "escalated"]


async def test_acknowledging_stops_the_climb(desk: Desk) -> None:
    alert_id = await desk.raise_(rule="injured", severity="high")
    desk.clock.advance(timedelta(hours=1))
    alert = await desk.db.read(lambda s: s.alerts.get(alert_id))
    replies = await desk.as_person(CW, lambda s, c, p: alert_desk.acknowledge(s, c, p, alert))
    assert "已确认" in replies[0].text
    desk.clock.advance(timedelta(hours=10))
    assert await desk.climb() == 0
    assert await desk.messages_to(SUPERVISOR) == []


async def test_resolving_asks_outcome_and_note(desk: Desk) -> None:
    alert_id = await desk.raise_()
    alert = await desk.db.read(lambda s: s.alerts.get(alert_id))
    asked = await desk.as_person(CW, lambda s, c, p: alert_desk.ask_outcome(s, p, alert))
    assert (asked[0].buttons or [])[0][0][1] == f"a:out:{alert_id}:called"
    await desk.as_person(CW, lambda s, c, p: alert_desk.choose_outcome(s, c, p, alert, "visited"))

    def note(s: Store, c: FlowContext, p: Any) -> list[Reply]:
        dialog = s.dialogs.get(CW)
        assert dialog is not None and dialog.kind == alert_desk.RESOLVE
        return alert_desk.finish_resolve(s, c, p, dialog, "上门看过，孩子已退烧")
    done = await desk.as_person(CW, note)
    assert "已处理" in done[0].text
    row = await desk.db.read(lambda s: s.conn.execute(
        "SELECT status, outcome, resolution_note, resolved_by FROM alerts WHERE id = ?",
        (alert_id,)).fetchone())
    assert tuple(row) == ("resolved", "visited", "上门看过，孩子已退烧", desk.ids["caseworker"])


async def test_another_caseworkers_alert_is_refused_and_logged(desk: Desk) -> None:
    alert_id = await desk.raise_()
    alert = await desk.db.read(lambda s: s.alerts.get(alert_id))
    allowed = await desk.db.read(lambda s: [
        alert_desk.may_act(s, s.people.by_telegram_user(tg), alert)
        for tg in (CW, OTHER_CW, SUPERVISOR, ADMIN, 101)])
    assert allowed == [True, False, True, True, False]
    refused = await desk.as_person(OTHER_CW, lambda s, c, p: alert_desk.refuse(
        s, c, p, f"a:ack:{alert_id}"))
    assert "不属于您" in refused[0].text
    audit = await desk.db.read(lambda s: s.conn.execute(
        "SELECT actor_id, action, target FROM audit_log WHERE action = 'refused'").fetchall())
    assert [tuple(a) for a in audit] == [(desk.ids["other_cw"], "refused", f"a:ack:{alert_id}")]
    timeline = await desk.as_person(OTHER_CW, lambda s, c, p: case_file.timeline(
        s, c, p, desk.ids["family"]))
    assert "不能" in timeline[0].text and "小明" not in timeline[0].text


async def test_the_queue_orders_by_severity_then_age(desk: Desk) -> None:
    normal = await desk.raise_(rule="unwell", severity="normal")
    desk.clock.advance(timedelta(minutes=5))
    high_old = await desk.raise_(rule="injured", severity="high")
    desk.clock.advance(timedelta(minutes=5))
    high_new = await desk.raise_(rule="missed_school", severity="high")
    desk.clock.advance(timedelta(minutes=5))
    urgent = await desk.raise_(rule="sos", severity="urgent")
    await desk.raise_(rule="sos", severity="urgent", family="other_family")  # not hers
    replies = await desk.as_person(CW, lambda s, c, p: alert_desk.queue(s, c, p))
    order = [int(row[0][1].split(":")[2]) for row in replies[0].buttons or []
             if row[0][1].startswith("a:ack")]
    assert order == [urgent, high_old, high_new, normal]
    sup = await desk.as_person(SUPERVISOR, lambda s, c, p: alert_desk.queue(s, c, p))
    assert "4" in sup[0].text.splitlines()[0]


async def test_timeline_pages_newest_first_and_every_view_is_audited(desk: Desk) -> None:
    fid = desk.ids["family"]
    for i in range(23):
        await desk.as_person(CW, lambda s, c, p, i=i: case_file.add_note(s, c, p, fid, f"记录{i:02d}"))
        desk.clock.advance(timedelta(minutes=1))
    first = await desk.as_person(CW, lambda s, c, p: case_file.timeline(s, c, p, fid, 0))
    assert "第 1/3 页" in first[0].text
    assert first[0].text.index("记录22") < first[0].text.index("记录13")
    assert "记录12" not in first[0].text
    buttons = [d for row in first[0].buttons or [] for _, d in row]
    assert buttons == [f"a:tl:{fid}:1"]
    last = await desk.as_person(CW, lambda s, c, p: case_file.timeline(s, c, p, fid, 2))
    assert "记录00" in last[0].text and "第 3/3 页" in last[0].text
    views = await desk.db.read(lambda s: s.conn.execute(
        "SELECT detail FROM audit_log WHERE action = 'view_timeline' ORDER BY id").fetchall())
    assert [v[0] for v in views] == ["page 1", "page 3"]


async def test_the_timeline_shows_every_kind_of_event_newest_first(desk: Desk) -> None:
    """Not only notes: what was said, check-ins (answered and missed), an alert and its
    acknowledgement, a call, a visit and a note, each once, in the order they happened."""
    fid, cw, father = desk.ids["family"], desk.ids["caseworker"], desk.ids["parent"]

    def at(minutes: int) -> str:
        return to_iso(START - timedelta(days=2) + timedelta(minutes=minutes))

    def add(s: Store) -> None:
        s.interactions.add(Interaction(at=at(1), person_id=desk.ids["guardian"], family_id=fid,
                                       direction="in", kind="text", summary="说了一句话"))
        missed, _ = s.checkins.open_or_get(family_id=fid, child_id=None,
                                           guardian_id=desk.ids["guardian"],
                                           local_day="2026-11-19", now=at(2))
        s.checkins.close(missed.id, "missed", now=at(2))
        answered, _ = s.checkins.open_or_get(family_id=fid, child_id=None,
                                             guardian_id=desk.ids["guardian"],
                                             local_day="2026-11-20", now=at(3))
        s.checkins.answer(answered.id, "mood", "sad", now=at(3))
        s.checkins.close(answered.id, "completed", now=at(3))
        alert = s.alerts.add(family_id=fid, person_id=None, rule="sos", severity="urgent",
                             evidence=None, now=at(4), next_escalation_at=None)
        s.alerts.add_event(alert, at=at(5), event="acknowledged", actor_id=cw)
        s.calls.add(family_id=fid, parent_id=father, at=at(6), local_day="2026-11-20")
        s.notes.add(family_id=fid, author_id=cw, at=at(7), text="上门看过了")
    await desk.db.write(add)
    await desk.db.write(lambda s: s.visits.add(family_id=fid, parent_id=father,
                                               visit_day="2026-11-22", now=at(8)))
    (page,) = await desk.as_person(CW, lambda s, c, p: case_file.timeline(s, c, p, fid, 0))
    marks = ["🏠", "上门看过了", "📞", "李主任 已确认", "🔴", "😢", "没有回复", "说了一句话"]
    missing = [m for m in marks if m not in page.text]
    assert not missing, (missing, page.text)
    positions = [page.text.index(m) for m in marks]
    assert positions == sorted(positions), page.text  # newest first


async def test_exports_match_the_database_and_are_audited(desk: Desk) -> None:
    fid = desk.ids["family"]

    def answer(s: Store) -> None:
        person = s.people.by_telegram_user(101)
        assert person is not None
        checkin.begin_now(s, desk.ctx(), person)
        for value in ("sad", "injured", "went", "normal", "n"):
            dialog = s.dialogs.get(101)
            assert dialog is not None
            checkin.answer(s, desk.ctx(), person, dialog, value=value, text=None)
    await desk.db.write(answer)
    alert_id = (await desk.db.read(lambda s: s.alerts.all()))[0].id
    desk.clock.advance(timedelta(minutes=12))
    alert = await desk.db.read(lambda s: s.alerts.get(alert_id))
    await desk.as_person(CW, lambda s, c, p: alert_desk.acknowledge(s, c, p, alert))
    await desk.db.write(lambda s: s.interactions.add_many([]))
    today = START.date()
    files = await desk.as_person(CW, lambda s, c, p: [Reply(n, document=(n, d)) for n, d in
                                                      case_file.export_files(
                                                          s, p, today - timedelta(days=3),
                                                          today, c.now, raw=True).items()])
    by_name = {r.document[0]: r.document[1] for r in files if r.document}

    def rows(name: str) -> list[dict[str, str]]:
        return list(csv.DictReader(io.StringIO(by_name[name].decode("utf-8-sig"))))
    assert [r["family_id"] for r in rows("families.csv")] == [str(fid)]  # not the other village
    checkins = rows("checkins.csv")
    db_checkins = await desk.db.read(lambda s: s.checkins.for_family(fid))
    assert len(checkins) == len(db_checkins) == 1
    assert (checkins[0]["mood"], checkins[0]["health"]) == ("sad", "injured")
    alerts = rows("alerts.csv")
    assert list(alerts[0]) == ["alert_id", "family_id", "child_id", "rule", "severity", "status",
                               "level", "created_at", "acknowledged_at", "resolved_at", "outcome",
                               "minutes_to_acknowledge", "minutes_to_resolve",
                               "minutes_to_first_contact", "first_holder_id"]
    assert len(alerts) == len(await desk.db.read(lambda s: s.alerts.for_family(fid)))
    assert alerts[0]["minutes_to_acknowledge"] == "12" and alerts[0]["minutes_to_resolve"] == ""
    header = by_name["interactions.csv"].decode("utf-8-sig").splitlines()[0]
    assert header == "at,family_id,person_id,direction,kind,summary"
    audit = await desk.db.read(lambda s: s.conn.execute(
        "SELECT actor_id, target FROM audit_log WHERE action = 'export'").fetchall())
    assert [tuple(a) for a in audit] == [(desk.ids["caseworker"], "families:1")]
    refused = await desk.as_person(101, lambda s, c, p: case_file.export(s, c, p, []))
    assert "儿童主任" in refused[0].text and refused[0].document is None


async def test_an_export_is_read_from_a_snapshot_and_rendered_outside_the_writer(
        desk: Desk) -> None:
    """The rows come from the read-only snapshot connection (a write there would fail), the CSV
    is rendered outside any transaction, and the transaction only audits and replies."""
    today = START.date()
    first = today - timedelta(days=3)
    cw = await desk.db.read(lambda s: s.people.get(desk.ids["caseworker"]))
    assert cw is not None
    tables = await desk.db.read(lambda s: case_file.export_tables(s, cw, first, today))
    rendered = case_file.csv_files(tables)
    assert list(rendered) == ["家庭.csv", "问候.csv", "警报.csv", "消息记录.csv", "响应用时.csv"]
    replies = await desk.as_person(CW, lambda s, c, p: case_file.export(
        s, c, p, [first.isoformat(), today.isoformat()], rendered))
    assert [r.document for r in replies if r.document] == list(rendered.items())
    audit = await desk.db.read(lambda s: s.conn.execute(
        "SELECT actor_id, target, detail FROM audit_log WHERE action = 'export'").fetchall())
    assert [tuple(a) for a in audit] == [(desk.ids["caseworker"], "families:1",
                                          f"{first}..{today}")]


async def test_the_digest_chart_is_drawn_from_the_right_data(desk: Desk) -> None:
    fid = desk.ids["family"]
    # three weeks: week 1 two answered (happy, sad), week 2 one asked and missed, week 3 none

    def add(s: Store, day: date, mood: str | None) -> None:
        c, _ = s.checkins.open_or_get(family_id=fid, child_id=None, guardian_id=desk.ids["guardian"],
                                      local_day=day.isoformat(), now=to_iso(START))
        if mood:
            s.checkins.answer(c.id, "mood", mood, now=to_iso(START))
            s.checkins.close(c.id, "completed", now=to_iso(START))
        else:
            s.checkins.close(c.id, "missed", now=to_iso(START))
    await desk.db.write(lambda s: add(s, date(2026, 11, 2), "happy"))
    await desk.db.write(lambda s: add(s, date(2026, 11, 3), "sad"))
    await desk.db.write(lambda s: add(s, date(2026, 11, 10), None))

    def build(s: Store) -> tuple[list[digest.WeekPoint], bytes, str]:
        person = s.people.by_telegram_user(CW)
        assert person is not None
        points = digest.series(s, person, START)
        return points, digest.chart_png(points), digest.digest_text(s, person, START)
    points, png, text = await desk.db.read(build)
    assert len(points) == 8 and points[-1].week == "2026-W48"
    by_week = {p.week: p for p in points}
    assert (by_week["2026-W45"].prompted, by_week["2026-W45"].answered) == (2, 2)
    assert (by_week["2026-W45"].share("happy"), by_week["2026-W45"].share("sad")) == (0.5, 0.5)
    assert (by_week["2026-W46"].prompted, by_week["2026-W46"].answered) == (1, 0)
    assert by_week["2026-W47"].prompted == 0
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    image = Image.open(io.BytesIO(png))
    assert image.size == digest.SIZE
    # the first week's bar is drawn full height in the completion colour, the third not at all
    left, _top, right, bottom = digest.PLOT
    slot = (right - left) / 8
    low = bottom - 40  # inside any bar, below the mood lines of these weeks
    assert image.getpixel((int(left + 4.5 * slot) - 30, low)) == digest.COLOURS["completion"]
    assert image.getpixel((int(left + 5.5 * slot) - 30, low)) != digest.COLOURS["completion"]
    assert "1 个家庭" in text and "🔴 0" in text


async def test_after_acknowledging_the_other_buttons_come_back(desk: Desk) -> None:
    alert_id = await desk.raise_()
    alert = await desk.db.read(lambda s: s.alerts.get(alert_id))
    replies = await desk.as_person(CW, lambda s, c, p: alert_desk.acknowledge(s, c, p, alert))
    assert [d for row in replies[0].buttons or [] for _, d in row] == [
        f"a:res:{alert_id}", f"a:tl:{desk.ids['family']}:0", f"a:call:{alert_id}"]


async def _sender_saw_403(desk: Desk, chat: int, key_prefix: str) -> None:
    """What the sender does on a 403 for the row: the real flows.outbox.delivery path."""
    from flows.outbox.delivery import handle_unreachable

    def fail(s: Store) -> None:
        row = s.conn.execute("SELECT id FROM outbox WHERE chat_id = ? AND dedupe_key LIKE ? "
                             "ORDER BY id DESC LIMIT 1", (chat, f"{key_prefix}%")).fetchone()
        s.outbox.mark_sending([row[0]])
        claimed = s.conn.execute("SELECT id, dedupe_key, person_id, chat_id, lane, kind, payload, "
                                 "not_before, respect_quiet, attempts, in_doubt FROM outbox "
                                 "WHERE id = ?", (row[0],)).fetchone()
        handle_unreachable(s, desk.clock.now(), OutboxItem(**dict(claimed)), "403 blocked")
    await desk.db.write(fail)


async def test_a_403_on_the_alert_moves_it_on_with_what_was_added(desk: Desk) -> None:
    alert_id = await desk.raise_()
    await desk.db.write(lambda s: alerts_flow.add_to_alert(
        s, alert_id, now=desk.clock.now(), event="sos_words", words="在河边", actor_id=desk.ids["guardian"]))
    assert await desk.messages_to(SUPERVISOR) == []
    await _sender_saw_403(desk, CW, f"alert:{alert_id}:0")
    to_sup = await desk.messages_to(SUPERVISOR)
    keys = [m["key"] for m in to_sup]
    assert f"alert:{alert_id}:to:{desk.ids['supervisor']}" in keys  # the alert itself, at once
    assert any("在河边" in m["text"] for m in to_sup)  # and what the guardian added before
    staff_alert = next(m for m in to_sup if "联系不上" in m["text"])
    assert f"#{desk.ids['family']}" in staff_alert["text"] and "/reassign" in staff_alert["text"]
    state = await desk.db.read(lambda s: (s.alerts.get(alert_id), s.families.get(desk.ids["family"])))
    assert state[0] is not None and state[0].holder_id == desk.ids["supervisor"]
    assert state[1] is not None and state[1].caseworker_id is None  # unassigned
    # the supervisor may act on the "caseworker unreachable" alert, another caseworker may not
    gone = next(a for a in await desk.db.read(lambda s: s.alerts.all()) if a.rule == "staff_unreachable")
    allowed = await desk.db.read(lambda s: [alert_desk.may_act(s, s.people.by_telegram_user(tg), gone)
                                            for tg in (SUPERVISOR, ADMIN, OTHER_CW)])
    assert allowed == [True, True, False]
    queue = await desk.as_person(SUPERVISOR, lambda s, c, p: alert_desk.queue(s, c, p))
    assert "联系不上儿童主任李主任" in queue[0].text  # the rule in words with her name
    assert f"a:res:{gone.id}" in [d for row in queue[0].buttons or [] for _, d in row]
    # 30 minutes on, the climb skips the supervisor who holds it and goes to the admins
    desk.clock.advance(timedelta(minutes=31))
    await desk.climb()
    admin_id = await _id(desk, ADMIN)
    assert any(m["key"] == f"alert:{alert_id}:2:{admin_id}" for m in await desk.messages_to(ADMIN))


async def test_a_403_on_an_escalation_copy_goes_one_step_up(desk: Desk) -> None:
    alert_id = await desk.raise_()
    desk.clock.advance(timedelta(minutes=31))
    assert await desk.climb() == 1
    assert await desk.messages_to(ADMIN) == []
    await _sender_saw_403(desk, SUPERVISOR, f"alert:{alert_id}:1:")
    (admin,) = await desk.messages_to(ADMIN)
    assert admin["key"] == f"alert:{alert_id}:2:{await _id(desk, ADMIN)}"


async def _id(desk: Desk, tg: int) -> int:
    person = await desk.db.read(lambda s: s.people.by_telegram_user(tg))
    assert person is not None
    return person.id


async def test_later_copies_keep_the_count_the_alert_was_raised_with(desk: Desk) -> None:
    alert_id = await desk.db.write(lambda s: raise_alert(
        s, now=desk.clock.now(), family_id=desk.ids["family"], person_id=None, rule="sad_streak",
        severity="high", evidence=None, count=3))
    assert alert_id is not None
    (first,) = await desk.messages_to(CW)
    desk.clock.advance(timedelta(hours=5))
    assert await desk.climb() == 1
    (sup,) = await desk.messages_to(SUPERVISOR)
    title = first["text"].splitlines()[0]
    assert "最近3次" in title and title in sup["text"]  # not "the last 0 check-ins"


async def test_the_digest_queues_the_charts_data_and_the_sender_draws_it(desk: Desk) -> None:
    """Drawing the PNG inside the due-work transaction held the only writer: the outbox row
    carries the chart's rows, and what the sender draws from them is the chart of the week."""
    cw = await desk.db.read(lambda s: s.people.get(desk.ids["caseworker"]))
    assert cw is not None and cw.tg_chat_id is not None
    schedule = Schedule(id=1, person_id=cw.id, kind="digest", ref_id=None, weekdays="1",
                        local_time="08:00", once_at=None, payload={}, next_run_at=None,
                        last_run_at=None)
    messages = await desk.db.read(lambda s: digest.digest_messages(s, schedule, START))
    chart = messages[-1]
    assert chart.kind == "photo" and "file_b64" not in chart.payload
    points = await desk.db.read(lambda s: digest.series(s, cw, START))
    labels = chart.payload[digest.CHART]["labels"]
    assert labels["title"] == "最近 8 周：问候回复和孩子心情" and labels["weeks"][-1] == "11月23日"
    assert digest.chart_from_rows(chart.payload[digest.CHART]) == digest.chart_png(points, labels)
    # a row list queued before the chart had words still draws
    rows = chart.payload[digest.CHART]["rows"]
    assert digest.chart_from_rows(rows) == digest.chart_png(points)


async def test_exported_cells_cannot_become_spreadsheet_formulas(db: Database) -> None:
    """A village or a child's name typed as =HYPERLINK(...) must reach Excel as text."""
    hostile = ["=HYPERLINK(\"http://x\",\"y\")", "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx"]

    def setup(s: Store) -> Any:
        ids = add_family(s, caseworker_tg=CW, village=hostile[0])
        for name in hostile[1:]:  # each the first child of a family of its own
            family = s.families.add(village="青山村", now=to_iso(START),
                                    caseworker_id=ids["caseworker"])
            s.families.add_child(family, name=name, now=to_iso(START), birth_month="2016-03")
        return s.people.by_telegram_user(CW)
    person = await db.write(setup)
    files = await db.write(lambda s: case_file.export_files(
        s, person, START.date() - timedelta(days=3), START.date(), START, raw=True))
    families = list(csv.reader(io.StringIO(files["families.csv"].decode("utf-8-sig"))))
    assert families[1][1] == "'" + hostile[0]
    assert [row[4] for row in families[2:]] == ["'" + h for h in hostile[1:]]
    human = await db.write(lambda s: case_file.export_files(
        s, person, START.date() - timedelta(days=3), START.date(), START))
    families = list(csv.reader(io.StringIO(human["家庭.csv"].decode("utf-8-sig"))))
    assert families[1][1] == "'" + hostile[0]
    assert [row[2].split("，")[0] for row in families[2:]] == ["'" + h for h in hostile[1:]]
    for data in [*files.values(), *human.values()]:
        for row in csv.reader(io.StringIO(data.decode("utf-8-sig"))):
            for cell in row:
                assert not cell or cell[0] not in "=+-@\t\r", (cell, row)


async def test_the_digest_gives_the_median_response_times_of_the_last_four_weeks(
        desk: Desk) -> None:
    """Medians over her own families' alerts of the last 28 days only: three alerts acknowledged
    after 10, 20 and 60 minutes (median 20), resolved after 30, 90 and 200 (median 90); an older
    alert and another caseworker's alert, both slow, change nothing."""
    fid, other = desk.ids["family"], desk.ids["other_family"]
    cw, other_cw = desk.ids["caseworker"], desk.ids["other_cw"]
    plan = [(fid, cw, 3, 10, 30), (fid, cw, 5, 20, 90), (fid, cw, 7, 60, 200),
            (fid, cw, 40, 900, 900), (other, other_cw, 2, 700, 700)]

    def add(s: Store) -> None:
        for family, by, days_ago, ack, res in plan:
            raised = START - timedelta(days=days_ago)
            alert = s.alerts.add(family_id=family, person_id=None, rule="worry", severity="high",
                                 evidence=None, now=to_iso(raised), next_escalation_at=None)
            s.alerts.acknowledge(alert, by=by, at=to_iso(raised + timedelta(minutes=ack)))
            s.alerts.resolve(alert, by=by, at=to_iso(raised + timedelta(minutes=res)),
                             outcome="resolved", note=None)
    await desk.db.write(add)

    def text(s: Store) -> str:
        person = s.people.by_telegram_user(CW)
        assert person is not None
        return digest.digest_text(s, person, START)
    digest_text = await desk.db.read(text)
    assert "🟠 高，3 条警报：确认用时 20 分钟（九成在 60 分钟内）；首次联系用时 暂无数据；" \
           "处理完用时 90 分钟（九成在 3 小时内）" in digest_text, digest_text
