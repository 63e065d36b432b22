"""What a caseworker reads on her desk (issue 16 points 9 and 12): the /alerts queue's order
and rows, durations in words, escalated copies, and the digest chart's words as real glyphs."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

from PIL import Image, ImageFont

from db.database import Database
from db.store import Store
from flows.core.clock import to_iso
from flows.core.i18n import translator
from flows.core.ui import FlowContext, Reply
from flows.staff import alert_desk, digest
from flows.staff.alerts import raise_alert
from flows.staff.chart_font import cjk_font, cjk_font_file, draws
from flows.staff.durations import duration_words
from tests.support.families import add_family

START = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # Monday 10:00 in Shanghai


def ctx(now: datetime) -> FlowContext:
    return FlowContext(now=now, default_tz="Asia/Shanghai", default_locale="zh_CN",
                       bot_username="KinBridgeBot")


async def queue_of(db: Database, tg: int, now: datetime) -> Reply:
    def flow(s: Store) -> Reply:
        person = s.people.by_telegram_user(tg)
        assert person is not None
        return alert_desk.queue(s, ctx(now), person)[0]
    return await db.write(flow)


async def test_the_queue_puts_the_unacknowledged_first_and_says_who_what_since_when(
        db: Database) -> None:
    ids = await db.write(add_family)

    def seed(s: Store) -> dict[str, int]:
        def raise_(rule: str, severity: str, hours_ago: float, person_id: int | None = None,
                   count: int = 0) -> int:
            alert = raise_alert(s, now=START - timedelta(hours=hours_ago),
                                family_id=ids["family"], rule=rule, severity=severity,
                                evidence=None, person_id=person_id, count=count)
            assert alert is not None
            return alert
        older = raise_("sos", "urgent", 5)
        newer = raise_("keyword_violence_abuse", "urgent", 3)
        silent = raise_("silence", "high", 9 * 24, count=9)
        no_call = raise_("no_call", "normal", 2, person_id=ids["parent"])
        s.alerts.acknowledge(older, by=ids["caseworker"], at=to_iso(START - timedelta(hours=4)))
        return {"older": older, "newer": newer, "silent": silent, "no_call": no_call}
    alerts = await db.write(lambda s: seed(s) if True else None)
    reply = await queue_of(db, 201, START)
    acts = [d for row in reply.buttons or [] for _, d in row]
    resolves = [int(d.split(":")[2]) for d in acts if d.startswith("a:res:")]
    # the acknowledged urgent alert is older, yet the unacknowledged one comes first
    assert resolves == [alerts["newer"], alerts["older"], alerts["silent"], alerts["no_call"]]
    assert f"a:ack:{alerts['older']}" not in acts  # acknowledged: no second acknowledge button
    assert f"a:ack:{alerts['newer']}" in acts
    text = reply.text
    assert "1. 🔴 紧急 · 还没确认 · 3 小时前" in text, text
    assert "2. 🔴 紧急 · 已确认 · 5 小时前" in text
    assert "小明，10 岁 · 青山村" in text
    assert "这个家庭已经9天没有回复问候了。" in text and "9 天前" in text
    assert "爸爸已经三周没有记录给孩子打电话了。" in text
    assert "?" not in text and "#" not in text.split("\n", 1)[1]
    labels = [label for row in reply.buttons or [] for label, _ in row]
    assert "✅ 确认：小明" in labels and "📝 处理：小明" in labels and "📜 记录：小明" in labels


async def test_an_escalated_copy_says_how_long_in_words_and_keeps_the_count(
        db: Database) -> None:
    def seed(s: Store) -> int:
        ids = add_family(s)
        supervisor = s.people.add(role="supervisor", now=to_iso(START), display_name="王督导",
                                  tg_user_id=301, tg_chat_id=301)
        s.people.set_supervisor(ids["caseworker"], supervisor)
        alert = raise_alert(s, now=START - timedelta(days=7), family_id=ids["family"],
                            person_id=None, rule="silence", severity="high", evidence=None,
                            count=9)
        assert alert is not None
        # a week unacknowledged (say, the climb was down): the copy says 7 days, not minutes
        alert_desk.escalate_due(s, START)
        row = s.conn.execute("SELECT payload FROM outbox WHERE chat_id = 301").fetchone()
        return row[0]
    payload = await db.write(seed)
    assert "已经 7 天没有人确认，现在转给您（督导员）处理。" in payload, payload
    assert "这个家庭已经9天没有回复问候了。" in payload
    assert "分钟" not in payload and "作为" not in payload and "紧急: " not in payload
    assert "⏫ 2026/11/23 10:00 已上报给督导员" in payload  # a later day: with its date


def test_durations_are_words_in_both_languages() -> None:
    zh, en = translator("zh_CN"), translator("en")
    cases = [(timedelta(seconds=20), "不到 1 分钟", "less than a minute"),
             (timedelta(minutes=1), "1 分钟", "1 minute"),
             (timedelta(minutes=90), "90 分钟", "90 minutes"),
             (timedelta(hours=3, minutes=59), "3 小时", "3 hours"),
             (timedelta(minutes=10079), "6 天", "6 days"),
             (timedelta(days=9, hours=5), "9 天", "9 days")]
    for span, chinese, english in cases:
        assert (duration_words(zh, span), duration_words(en, span)) == (chinese, english)


def test_the_chart_writes_its_words_as_glyphs_not_boxes() -> None:
    """The chosen font draws every character the chart writes (compared with its own .notdef
    box); a font without Chinese would fail the same check (so the check can fail)."""
    assert cjk_font_file() is not None, "no CJK font: apt-get install fonts-wqy-microhei"
    points = [digest.WeekPoint(f"2026-W{41 + i}", 7, 5, 3, 1, 1) for i in range(8)]
    for locale in ("zh_CN", "en"):
        labels = digest.chart_labels(translator(locale), points)
        words = "".join(str(v) for k, v in labels.items() if k != "weeks") + \
            "".join(labels["weeks"]) + "0123456789%"  # type: ignore[arg-type]
        font = cjk_font(30)
        assert font is not None and draws(font, words), (locale, words)
    zh = digest.chart_labels(translator("zh_CN"), points)
    assert zh["title"] == "最近 8 周：问候回复和孩子心情" and zh["weeks"][0] == "10月5日"
    assert zh["y_axis"] == "比例" and zh["answered"] == "回复了问候"
    assert not draws(ImageFont.load_default(30), "回复了问候")  # tofu is caught
    # the title is really on the picture: dark pixels in the title band, none without words
    with_words = Image.open(io.BytesIO(digest.chart_png(points, zh))).convert("L")
    without = Image.open(io.BytesIO(digest.chart_png(points))).convert("L")
    band = (0, 0, digest.SIZE[0], 80)
    assert with_words.crop(band).getextrema()[0] < 80
    assert without.crop(band).getextrema()[0] > 200


def test_an_empty_week_is_a_gap_not_a_zero() -> None:
    points = [digest.WeekPoint(f"2026-W{41 + i}", 7, 7, 7, 0, 0) for i in range(8)]
    points[3] = digest.WeekPoint("2026-W44", 0, 0, 0, 0, 0)
    image = Image.open(io.BytesIO(digest.chart_png(points))).convert("RGB")
    left, top, right, bottom = digest.PLOT
    slot = (right - left) / 8
    happy_y = top + 2  # every other week: 100 % happy, the green line runs along the top
    between = [image.getpixel((int(left + (i + 1) * slot), happy_y + 0)) for i in range(7)]
    green = digest.COLOURS["happy"]
    # the line is drawn between weeks 1-2, 2-3 and 5-6 ... but not into or out of week 4
    assert between[0] == green and between[5] == green
    assert between[2] != green and between[3] != green
    assert image.getpixel((int(left + 3.5 * slot), bottom - 40)) == (255, 255, 255)  # no bar
