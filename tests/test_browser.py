"""The demo in a real browser: Playwright drives Debian's Chromium against the sandbox's web chat
while the real bot runs in sandbox mode on the seeded village (``sandbox.demo.DemoRun``, the same
object ``make demo`` runs). The village starts on a fixed Wednesday 09:00 (Beijing time) so the
clock's jumps fall the same way on every run. Screenshots for a phone and a desktop are saved in
test-artifacts/."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.async_api import Browser, Page, async_playwright, expect

from bot import build_application, start_application, stop_application
from db.database import Database
from flows.staff import alerts as alert_rules
from sandbox.demo import BotLifecycle, DemoRun, guide_lines
from sandbox.village import DEMO_PEOPLE
from tests.support.handles import SandboxHandle, sandbox_settings

CHROMIUM = Path(os.environ.get("KINBRIDGE_CHROMIUM", "/usr/bin/chromium"))
ARTIFACTS = Path(os.environ.get("KINBRIDGE_ARTIFACTS", "test-artifacts"))
ARTIFACTS.mkdir(parents=True, exist_ok=True)
CHROMIUM_FOUND = CHROMIUM.exists()
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--autoplay-policy=no-user-gesture-required"]
TIMEOUT_MS = 15_000
SHANGHAI = ZoneInfo("Asia/Shanghai")
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 860}
GRANDMA, FATHER, MOTHER, CASEWORKER, SUPERVISOR = 1001, 1002, 1003, 2001, 2002


def next_wednesday_morning() -> datetime:
    local = datetime.now(UTC).astimezone(SHANGHAI) + timedelta(days=1)
    day = local.date() + timedelta(days=(3 - local.isoweekday()) % 7)
    return datetime(day.year, day.month, day.day, 9, 0, tzinfo=SHANGHAI)


@pytest.fixture
async def demo(sandbox: SandboxHandle, tmp_path: Path) -> AsyncIterator[DemoRun]:
    settings = sandbox_settings(sandbox.url, tmp_path / "demo.db")
    lifecycle = BotLifecycle(build_application, start_application, stop_application)
    run = DemoRun(sandbox.sandbox, settings, lifecycle, poll_timeout=1,
                  start_at=next_wednesday_morning())
    await run.start()
    yield run
    await run.stop()


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    assert CHROMIUM_FOUND, f"{CHROMIUM} is missing: 'make browser' installs Debian's chromium"
    async with async_playwright() as p:
        instance = await p.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                           args=CHROMIUM_ARGS)
        yield instance
        await instance.close()


def db_of(demo: DemoRun) -> Database:
    assert demo.db is not None
    return demo.db


async def as_persona(page: Page, user_id: int) -> None:
    """Open a person's chat (on a phone: back to the list first)."""
    await expect(page.locator("body.ready")).to_have_count(1, timeout=TIMEOUT_MS)  # page loaded
    if await page.locator("#back").is_visible():
        await page.click("#back")
    await page.locator(f".personas li[data-user='{user_id}']").click()
    name = next(p.name for p in DEMO_PEOPLE if p.tg_user_id == user_id)
    await expect(page.locator("#who")).to_have_text(name, timeout=TIMEOUT_MS)


async def click_button(page: Page, label: str) -> None:
    """The newest inline button with this label (older questions lose theirs when answered)."""
    await page.locator(".keyboard button", has_text=label).last.click(timeout=TIMEOUT_MS)


async def wait_for_bubble(page: Page, text: str) -> None:
    await expect(page.locator(".msg.bot", has_text=text).last).to_be_visible(timeout=TIMEOUT_MS)


async def jump(page: Page, jump_id: str) -> tuple[datetime, str]:
    """Press a clock button; returns where it said it would land and what it said."""
    if await page.locator("#clock-open").is_visible():
        await page.click("#clock-open")
    button = page.locator(f"#jump-{jump_id}")
    said = await button.inner_text()
    target = datetime.fromisoformat(str(await button.get_attribute("data-target")))
    await button.click()
    await expect(page.locator(f"#jump-{jump_id}")).to_be_enabled(timeout=TIMEOUT_MS)
    return target, said


async def demo_now(sandbox: SandboxHandle) -> datetime:
    return sandbox.sandbox.demo_now()


async def shot(page: Page, name: str) -> None:
    await page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


def landing_words(target: datetime, zone: str, now: datetime) -> str:
    """What the button must say, in Chinese: 今天/明天/后天 or the weekday and date, then HH:MM."""
    local, today = target.astimezone(ZoneInfo(zone)), now.astimezone(ZoneInfo(zone)).date()
    days = (local.date() - today).days
    day = {0: "今天", 1: "明天", 2: "后天"}.get(days, f"{local.month}月{local.day}日")
    return f"{day} {local:%H:%M}" if days <= 2 else f"{day}"


# ---- the phone layout and the Chinese chrome -------------------------------------------------
async def test_a_phone_shows_two_screens_in_chinese(demo: DemoRun, sandbox: SandboxHandle,
                                                    browser: Browser) -> None:
    page = await browser.new_page(viewport=PHONE)
    await page.goto(sandbox.url)
    await expect(page.locator("#personas li")).to_have_count(len(DEMO_PEOPLE), timeout=TIMEOUT_MS)
    # the chrome is Chinese: none of the old English words, and the lang attribute says so
    assert await page.get_attribute("html", "lang") == "zh-CN"
    await expect(page.locator("#lang")).to_have_text("EN")
    chrome = await page.locator("body").inner_text()
    for english in ("Pick a person", "Demo clock", "This evening", "One week later", "+1 hour"):
        assert english not in chrome
    assert "演示时钟" in chrome and "青山村的人" in chrome and "重新开始" in chrome
    # screen one: the people; the chat is not shown; nothing wider than the phone
    assert await page.locator("#side").is_visible()
    assert not await page.locator("#chat").is_visible()
    assert await page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    await shot(page, "phone-people")

    # screen two: 奶奶's chat, the bot in the header, START on her first visit
    await page.locator(".personas li[data-user='1001']").click()
    assert await page.locator("#chat").is_visible()
    assert not await page.locator("#side").is_visible()
    await expect(page.locator("#bot-name")).to_have_text("KinBridge 亲情桥")
    assert (await page.get_attribute("#bot-avatar", "src") or "").endswith("bot.svg")
    await expect(page.locator("#who")).to_have_text("奶奶")
    start = page.locator("#start")
    await expect(start).to_have_text("开始")
    await start.click()
    await wait_for_bubble(page, "欢迎")
    await expect(start).to_be_hidden()
    await expect(page.locator("#text")).to_have_attribute("placeholder", "输入消息…")
    # a date separator above the first message, in Chinese, in her own zone
    separator = page.locator("#messages .day").first
    await expect(separator).to_contain_text("星期")
    # nothing clipped: header, composer and the bubbles all inside the 390 px screen
    for selector in ("#title", "#composer", "#messages .msg >> nth=-1"):
        box = await page.locator(selector).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
        assert box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"], selector
    assert await page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    await shot(page, "phone-chat")
    # the clock opens as a sheet over the chat, in Chinese too
    await page.click("#clock-open")
    await expect(page.locator("#jump-hour")).to_be_visible()
    await expect(page.locator("#jump-hour")).to_contain_text("+1 小时")
    await shot(page, "phone-clock")
    await page.click("#clock-close")
    # back to the list; the English toggle changes the chrome (and the bot keeps its language)
    await page.click("#back")
    await page.click("#lang")
    await expect(page.locator("#lang")).to_have_text("中文")
    await expect(page.locator("#clock h2")).to_contain_text("Demo clock")
    await expect(page.locator("#jump-week")).to_contain_text("A week later")
    await expect(page.locator(".personas li[data-user='1003']")).to_contain_text("Dubai")
    await shot(page, "phone-people-en")
    await page.click("#lang")
    await expect(page.locator("#clock h2")).to_contain_text("演示时钟")
    await page.close()


async def test_a_desktop_shows_people_chat_and_clock_side_by_side(
        demo: DemoRun, sandbox: SandboxHandle, browser: Browser) -> None:
    page = await browser.new_page(viewport=DESKTOP)
    await page.goto(f"{sandbox.url}/?as={CASEWORKER}")
    await wait_for_bubble(page, "小丽")  # the urgent alert is waiting for 李主任
    for selector in ("#side", "#chat", "#clock-panel"):
        assert await page.locator(selector).is_visible(), selector
    side, chat, clock = [await page.locator(s).bounding_box()
                         for s in ("#side", "#chat", "#clock-panel")]
    assert side and chat and clock and side["x"] < chat["x"] < clock["x"]
    assert clock["x"] + clock["width"] <= DESKTOP["width"]
    await shot(page, "desktop")
    await page.close()


# ---- the clock --------------------------------------------------------------------------------
async def test_every_clock_button_lands_where_it_says(demo: DemoRun, sandbox: SandboxHandle,
                                                      browser: Browser) -> None:
    page = await browser.new_page(viewport=DESKTOP)
    await page.goto(f"{sandbox.url}/?as={GRANDMA}")
    await expect(page.locator("#jumps button")).to_have_count(7, timeout=TIMEOUT_MS)
    ids = [await b.get_attribute("data-jump") for b in await page.locator("#jumps button").all()]
    asked_day = datetime.now(UTC)
    assert ids == ["checkin", "weekly-father", "weekly-mother", "digest", "hour", "day", "week"]
    arrived = {"checkin": (GRANDMA, "心情怎么样"), "weekly-father": (FATHER, "这一周"),
               "weekly-mother": (MOTHER, "这一周"), "digest": (CASEWORKER, "📊")}
    expected_local = {"checkin": ("Asia/Shanghai", "19:00"), "weekly-father": ("Asia/Shanghai", "20:00"),
                      "weekly-mother": ("Asia/Dubai", "20:00"), "digest": ("Asia/Shanghai", "08:00")}
    for jump_id in ids:
        assert jump_id is not None
        before = await demo_now(sandbox)
        zone = await page.locator(f"#jump-{jump_id}").get_attribute("data-zone") or ""
        target, said = await jump(page, jump_id)
        landed = await demo_now(sandbox)
        if jump_id == "checkin":
            asked_day = target
        # it says where it lands (in Chinese, in the target's own zone) ...
        assert landing_words(target, zone, before) in said, (jump_id, said)
        if jump_id in expected_local:
            want_zone, want_time = expected_local[jump_id]
            assert zone == want_zone and f"{target.astimezone(ZoneInfo(zone)):%H:%M}" == want_time
        if jump_id == "weekly-mother":
            assert "迪拜时间" in said
        # ... and lands there (named jumps a few seconds after the minute, so it is due)
        assert timedelta(0) <= landed - target < timedelta(minutes=1), (jump_id, target, landed)
        if jump_id in arrived:  # and what was scheduled there happens
            user, words = arrived[jump_id]
            await as_persona(page, user)
            await wait_for_bubble(page, words)
            if jump_id.startswith("weekly"):  # timestamps in the person's own zone
                meta = page.locator(".msg.bot", has_text=words).last.locator(".meta")
                await expect(meta).to_have_text("20:00")  # the mother's is Dubai's 20:00
    # the jumps lived through two weeks: the village answered; no silence was manufactured
    families = demo.families
    silent = await db_of(demo).read(lambda s: s.alerts.open_family_ids("silence"))
    assert silent == {families["silent"]}
    persona_days = await db_of(demo).read(lambda s: s.checkins.for_family(families["persona"]))
    asked = asked_day.astimezone(SHANGHAI).date().isoformat()  # the one evening really asked
    assert {c.local_day for c in persona_days if c.status == "missed"} <= {asked}
    assert all(c.status == "completed" for c in persona_days if c.local_day != asked)
    await page.close()


# ---- media ------------------------------------------------------------------------------------
async def play(page: Page) -> tuple[float, float]:
    """Play the newest voice note in the chat; (its duration, how far it played)."""
    audio = page.locator(".msg audio").last
    await expect(audio).to_be_visible(timeout=TIMEOUT_MS)
    return tuple(await audio.evaluate(  # type: ignore[return-value]
        """async (a) => {
            if (!(a.duration > 0))
                await new Promise((ok) => {  // metadata, an error, or ten seconds: never hang
                    a.addEventListener('loadedmetadata', ok, { once: true });
                    a.addEventListener('error', ok, { once: true });
                    setTimeout(ok, 10000);
                });
            try { await a.play(); } catch (e) { return [a.duration || 0, 0]; }
            const started = Date.now();  // until it has played a little (five seconds at most)
            while (a.currentTime < 0.3 && Date.now() - started < 5000)
                await new Promise((ok) => setTimeout(ok, 100));
            a.pause();
            return [a.duration, a.currentTime];
        }"""))


async def test_a_voice_note_plays_in_both_chats(demo: DemoRun, sandbox: SandboxHandle,
                                                browser: Browser) -> None:
    page = await browser.new_page(viewport=PHONE)
    await page.goto(f"{sandbox.url}/?as={GRANDMA}")
    await as_persona(page, GRANDMA)
    await page.click("#start")
    await page.fill("#text", "/checkin")
    await page.press("#text", "Enter")
    await wait_for_bubble(page, "心情怎么样")
    await page.click("#voice")
    await wait_for_bubble(page, "语音")
    duration, played = await play(page)
    assert duration > 5 and played > 0, (duration, played)  # the real 11 s spoken note
    await expect(page.locator(".msg.me .voice-len").last).to_have_text("🎙 0:11")
    await as_persona(page, CASEWORKER)
    duration, played = await play(page)  # the caseworker's copy plays too
    assert duration > 5 and played > 0, (duration, played)
    # a photo opens large, and the persistent reply keyboard's 🆘 works
    await as_persona(page, GRANDMA)
    await page.click("#photo")
    photo = page.locator(".msg.me img.photo").last
    await photo.click(timeout=TIMEOUT_MS)
    large = page.locator("#lightbox img")
    await expect(large).to_be_visible()
    box = await large.bounding_box()
    assert box is not None and box["width"] > 300
    await page.click("#lightbox")
    await expect(page.locator("#lightbox")).to_be_hidden()
    await page.fill("#text", "/start")
    await page.press("#text", "Enter")
    await page.locator("#reply-keyboard button", has_text="紧急求助").click(timeout=TIMEOUT_MS)
    await wait_for_bubble(page, "有危险吗")
    await page.close()


async def test_documents_are_file_chips_with_name_and_size(demo: DemoRun, sandbox: SandboxHandle,
                                                           browser: Browser) -> None:
    page = await browser.new_page(viewport=PHONE)
    await page.goto(f"{sandbox.url}/?as={CASEWORKER}")
    await wait_for_bubble(page, "小丽")
    await sandbox.client.send(CASEWORKER, "/export")
    chip = page.locator(".msg.bot a.doc").last
    await expect(chip).to_be_visible(timeout=TIMEOUT_MS)
    assert (await chip.get_attribute("download") or "").endswith(".csv")
    await expect(chip.locator("small")).to_contain_text("B")
    await page.close()


# ---- start over -------------------------------------------------------------------------------
async def test_start_over_brings_back_the_first_state(demo: DemoRun, sandbox: SandboxHandle,
                                                      browser: Browser) -> None:
    page = await browser.new_page(viewport=DESKTOP)
    await page.goto(f"{sandbox.url}/?as={GRANDMA}")
    first_offset = sandbox.sandbox.clock_offset_s
    first = await db_of(demo).read(lambda s: [(a.rule, a.status) for a in s.alerts.all()])
    await page.click("#start")
    await wait_for_bubble(page, "欢迎")
    await jump(page, "week")
    assert sandbox.sandbox.clock_offset_s > first_offset + 6 * 86400
    await page.click("#reset")
    await expect(page.locator("#reset")).to_contain_text("确定")
    await page.click("#reset")
    await expect(page.locator("#start")).to_be_visible(timeout=TIMEOUT_MS)  # her chat is empty again
    await expect(page.locator("#reset span")).to_have_text("重新开始", timeout=TIMEOUT_MS)
    assert abs(sandbox.sandbox.clock_offset_s - first_offset) < 120  # the clock is back
    assert await page.locator(".msg").count() == 0
    again = await db_of(demo).read(lambda s: [(a.rule, a.status) for a in s.alerts.all()])
    assert again[:2] == first[:2] == [("sad_streak", "acknowledged"),
                                      ("keyword_violence_abuse", "open")]
    await as_persona(page, CASEWORKER)  # the bot runs again on the new village
    await wait_for_bubble(page, "小丽")
    await page.close()


# ---- the printed guide, step by step -----------------------------------------------------------
async def test_the_printed_guide_is_true(demo: DemoRun, sandbox: SandboxHandle,
                                         browser: Browser) -> None:
    guide = "\n".join(guide_lines())
    page = await browser.new_page(viewport=DESKTOP)
    await page.goto(f"{sandbox.url}/?as={CASEWORKER}")
    db = db_of(demo)
    families = demo.families

    # intro: six families; the page is Chinese and EN switches it
    assert "six families" in guide and len(families) == 6
    await expect(page.locator("#lang")).to_have_text("EN")

    # 1. /alerts: four alerts: 小丽's urgent one (10 minutes old), 小兰's family silent for a week,
    #    王爸爸 without a call for three weeks, 小军's sad streak already being followed
    assert "four alerts" in guide and "10 minutes old" in guide
    async def rules() -> dict[str, tuple[int | None, str, str]]:
        return await db.read(lambda s: {a.rule: (a.family_id, a.status, a.created_at)
                                         for a in s.alerts.all() if a.status != "resolved"})
    await expect(page.locator(".msg.bot", has_text="三周")).to_have_count(1, timeout=TIMEOUT_MS)
    found = await rules()
    assert set(found) == {"keyword_violence_abuse", "silence", "no_call", "sad_streak"}
    assert found["keyword_violence_abuse"][:2] == (families["urgent"], "open")
    assert found["silence"][0] == families["silent"] and found["no_call"][0] == families["nocall"]
    assert found["sad_streak"][:2] == (families["sad"], "acknowledged")
    age = await demo_now(sandbox) - datetime.fromisoformat(
        found["keyword_violence_abuse"][2].replace("Z", "+00:00"))
    assert timedelta(minutes=9) <= age < timedelta(minutes=12)
    await page.fill("#text", "/alerts")
    await page.press("#text", "Enter")
    await wait_for_bubble(page, "4 条")
    queue = await page.locator(".msg.bot", has_text="4 条").last.inner_text()
    for key in ("urgent", "sad", "silent", "nocall"):  # each family's child is listed, with the village
        child = (await db.read(lambda s, key=key: s.families.children(families[key])))[0]
        assert f"{child.name}，" in queue and "青山村" in queue, (key, queue)
    assert "8天" in await page.locator(".msg.bot", has_text="小兰").first.inner_text()  # a week

    # 2. ⏱ +1 hour: the urgent alert climbs to 王督导 (after 30 minutes); a high one waits 4 hours
    urgent_wait = alert_rules.ESCALATION_AFTER["urgent"]
    high_wait = alert_rules.ESCALATION_AFTER["high"]
    assert f"within {int(urgent_wait.total_seconds() // 60)} minutes" in guide
    assert f"after {int(high_wait.total_seconds() // 3600)} hours" in guide
    await jump(page, "hour")
    await as_persona(page, SUPERVISOR)
    await wait_for_bubble(page, "小丽")
    levels = await db.read(lambda s: {a.rule: a.level for a in s.alerts.all()})
    assert levels["keyword_violence_abuse"] == 1 and levels["silence"] == 0
    await click_button(page, "确认")
    await wait_for_bubble(page, "已确认")
    status = await db.read(lambda s: {a.rule: a.status for a in s.alerts.all()})
    assert status["keyword_violence_abuse"] == "acknowledged"
    for _ in range(3):  # four hours after it was raised, the unacknowledged high alert climbs
        await jump(page, "hour")
    await expect(page.locator(".msg.bot", has_text="小兰")).to_have_count(1, timeout=TIMEOUT_MS)
    levels = await db.read(lambda s: {a.rule: a.level for a in s.alerts.all()})
    assert levels["silence"] == 1

    # 3. as 奶奶, 🌙 her next check-in; 😢 sad and 🤕 hurt: 李主任 gets a 🟠 alert at once
    await as_persona(page, GRANDMA)
    target, said = await jump(page, "checkin")
    assert f"{target.astimezone(SHANGHAI):%H:%M}" == "19:00" and "今天 19:00" in said
    await wait_for_bubble(page, "心情怎么样")
    for label, question in (("不开心", "身体怎么样"), ("受伤了", "上学"), ("去上学了", "吃饭、睡觉"),
                            ("正常", "担心"), ("没有，都好", "今天就这些")):
        await click_button(page, label)
        await wait_for_bubble(page, question)
    await as_persona(page, CASEWORKER)
    await wait_for_bubble(page, "🟠")
    await expect(page.locator(".msg.bot", has_text="受伤").last).to_contain_text("🟠")

    # 4. as 爸爸, 📅 his weekly message: the week, a tip and buttons; 妈妈's lands on Dubai's 20:00
    await as_persona(page, FATHER)
    await jump(page, "weekly-father")
    await wait_for_bubble(page, "这一周")
    await expect(page.locator(".msg.bot", has_text="这一周").last).to_contain_text("💡")
    await expect(page.locator(".keyboard button", has_text="今天打过电话了").last).to_be_visible()
    mother_said = await page.locator("#jump-weekly-mother").inner_text()
    assert "20:00" in mother_said and "迪拜时间" in mother_said
    await jump(page, "weekly-mother")
    await as_persona(page, MOTHER)
    await wait_for_bubble(page, "这一周")

    # 5. ⏩ a week: the others answer themselves, 奶奶's skipped evenings are calm days, no false
    #    silence alert; 📊 brings the Monday digest; ↺ starts over
    before = await db.read(lambda s: len(s.checkins.for_family(families["well"])))
    await jump(page, "week")
    await as_persona(page, CASEWORKER)
    await page.wait_for_timeout(1500)  # let a sweep run after the jump
    after = await db.read(lambda s: s.checkins.for_family(families["well"]))
    assert len(after) >= before + 7 and all(c.status == "completed" for c in after[-7:])
    persona = await db.read(lambda s: s.checkins.for_family(families["persona"]))
    assert not [c for c in persona if c.status == "missed"]
    silent = await db.read(lambda s: s.alerts.open_family_ids("silence"))
    assert silent == {families["silent"]}  # only the family that really is silent
    await jump(page, "digest")
    await wait_for_bubble(page, "📊")
    await page.click("#reset")
    await page.click("#reset")
    await expect(page.locator("#reset span")).to_have_text("重新开始", timeout=TIMEOUT_MS)
    await expect(page.locator(".msg.bot", has_text="小丽").first).to_be_visible(timeout=TIMEOUT_MS)
    fresh = await db_of(demo).read(lambda s: {a.rule: (a.status, a.level) for a in s.alerts.all()})
    assert fresh["keyword_violence_abuse"] == ("open", 0)  # unacknowledged again, not climbed
    assert abs((await demo_now(sandbox)) - next_wednesday_morning()) < timedelta(minutes=2)
    await page.close()
