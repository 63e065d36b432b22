"""The demo in a real browser: Playwright drives Debian's Chromium against the sandbox's web chat
while the real bot runs in sandbox mode. The grandmother answers a check-in by clicking, the
caseworker sees the alert and acknowledges it by clicking, and the father's weekly message
appears after fast-forwarding to Sunday. A screenshot of each persona is saved as an artefact."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, async_playwright, expect

from bot import build_application, start_application, stop_application
from db.database import Database
from flows.clock import OffsetClock, to_iso
from sandbox.demo_clock import start_demo_clock
from sandbox.village import DEMO_PEOPLE, seed_demo_village
from tests.conftest import SandboxHandle, sandbox_settings

CHROMIUM = Path(os.environ.get("KINBRIDGE_CHROMIUM", "/usr/bin/chromium"))
ARTIFACTS = Path(os.environ.get("KINBRIDGE_ARTIFACTS", "test-artifacts"))
CHROMIUM_FOUND = CHROMIUM.exists()
ARTIFACTS.mkdir(parents=True, exist_ok=True)
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update"]
TIMEOUT_MS = 15_000


@pytest.fixture
async def demo(sandbox: SandboxHandle, tmp_path: Path) -> AsyncIterator[Database]:
    """The demo village, its personas in the sandbox, and the bot following the demo clock."""
    settings = sandbox_settings(sandbox.url, tmp_path / "demo.db")
    database = await Database.open(settings.db_path)
    clock = OffsetClock()
    await database.write(lambda s: seed_demo_village(s, now=to_iso(clock.now())))
    for person in DEMO_PEOPLE:
        sandbox.sandbox.world.user(person.tg_user_id, person.name, "zh-hans")
        sandbox.sandbox.notes[person.tg_user_id] = person.description
    application = build_application(settings, db=database, clock=clock, sandbox_mode=True)
    await start_application(application, poll_timeout=1)
    start_demo_clock(application)
    yield database
    await stop_application(application)
    await database.close()


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    assert CHROMIUM_FOUND, f"{CHROMIUM} is missing: 'make test' installs Debian's chromium"
    async with async_playwright() as p:
        instance = await p.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                           args=CHROMIUM_ARGS)
        yield instance
        await instance.close()


async def as_persona(page: Page, name: str) -> None:
    await page.locator("#personas li", has_text=name).first.click()
    await expect(page.locator("#who")).to_have_text(name, timeout=TIMEOUT_MS)


async def click_button(page: Page, label: str) -> None:
    """The newest inline button with this label (older questions lose theirs when answered)."""
    await page.locator(".keyboard button", has_text=label).last.click(timeout=TIMEOUT_MS)


async def wait_for_bubble(page: Page, text: str) -> None:
    await expect(page.locator(".msg.bot", has_text=text).last).to_be_visible(timeout=TIMEOUT_MS)


async def screenshot(page: Page, name: str) -> None:
    await page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


async def test_the_story_in_a_browser(demo: Database, sandbox: SandboxHandle,
                                      browser: Browser) -> None:
    page = await browser.new_page(viewport={"width": 760, "height": 900})
    await page.goto(f"{sandbox.url}/?as=1001")
    await expect(page.locator("#personas li")).to_have_count(len(DEMO_PEOPLE), timeout=TIMEOUT_MS)

    # 奶奶: fast-forward to this evening's check-in and answer it by clicking
    await as_persona(page, "奶奶")
    await page.click("#jump-evening")
    await wait_for_bubble(page, "心情怎么样")
    await click_button(page, "不开心")
    await wait_for_bubble(page, "身体怎么样")
    await click_button(page, "受伤了")
    await wait_for_bubble(page, "上学")
    await click_button(page, "去上学了")
    await wait_for_bubble(page, "吃饭、睡觉")
    await click_button(page, "正常")
    await wait_for_bubble(page, "担心")
    await click_button(page, "没有，都好")
    await wait_for_bubble(page, "今天就这些")
    await screenshot(page, "grandmother")
    checkin = await demo.read(lambda s: s.checkins.for_family(1)[-1])
    assert (checkin.status, checkin.mood, checkin.health) == ("completed", "sad", "injured")

    # 李主任: the alert is there; she acknowledges it with a click
    await as_persona(page, "李主任")
    await wait_for_bubble(page, "受伤")
    await click_button(page, "确认")
    await wait_for_bubble(page, "已确认")
    await screenshot(page, "caseworker")
    alerts = await demo.read(lambda s: s.alerts.all())
    assert [(a.rule, a.status) for a in alerts] == [("injured", "acknowledged")]

    # 爸爸: fast-forward to Sunday 20:00 and his weekly message appears
    await as_persona(page, "爸爸")
    await page.click("#jump-sunday")
    await wait_for_bubble(page, "这一周")
    await expect(page.locator(".keyboard button", has_text="今天打过电话了").last).to_be_visible()
    await screenshot(page, "father")

    for name in ("妈妈", "王督导"):  # the others, as they look at the end of the story
        await as_persona(page, name)
        await screenshot(page, {"妈妈": "mother", "王督导": "supervisor"}[name])
    saved = {p.name for p in ARTIFACTS.glob("*.png")}  # noqa: ASYNC240 (a test's last look)
    assert {"grandmother.png", "caseworker.png", "father.png", "mother.png",
            "supervisor.png"} <= saved
    await page.close()


async def test_the_page_sends_text_and_a_voice_note(demo: Database, sandbox: SandboxHandle,
                                                    browser: Browser) -> None:
    page = await browser.new_page()
    await page.goto(f"{sandbox.url}/?as=1001")
    await as_persona(page, "奶奶")
    await page.fill("#text", "/checkin")
    await page.press("#text", "Enter")
    await wait_for_bubble(page, "心情怎么样")
    await page.click("#voice")
    await wait_for_bubble(page, "语音")
    await expect(page.locator(".msg.me audio")).to_have_count(1, timeout=TIMEOUT_MS)
    await as_persona(page, "李主任")
    await expect(page.locator(".msg.bot audio")).to_have_count(1, timeout=TIMEOUT_MS)
    # the persistent reply keyboard: /start shows it, its 🆘 key works
    await as_persona(page, "奶奶")
    await page.fill("#text", "/start")
    await page.press("#text", "Enter")
    key = page.locator("#reply-keyboard button", has_text="紧急求助")
    await key.click(timeout=TIMEOUT_MS)
    await wait_for_bubble(page, "有危险吗")
    await page.close()
