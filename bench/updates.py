"""Update-processing benchmark: guardians completing a check-in through the real Application.

Every guardian sends /checkin and answers the five questions (mood, health, school, eating and
sleeping, worry): a quarter of them type their answers ("1", "开心", "今天没去上学"), the rest
press the buttons. Updates go through ``Application.process_update`` of the real application
(real SQLite file, handlers, dialog state, risk engine, alerts and nudges into the outbox); the
Bot API is answered offline (PTB's BaseRequest idiom), so only our side is measured.

framework_updates_per_s: the same updates through the same PTB Application class whose handlers
only send the same replies (answer the button, remove its keyboard, send the next message) with
no storage and no logic, measured in the same run. Sequential, as with polling.

Prints one JSON line last: updates_per_s, p50_ms, p99_ms, framework_updates_per_s,
ratio_to_framework, and what was checked afterwards (every check-in stored).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from common import ROOT, emit  # type: ignore[import-not-found]
from telegram import InlineKeyboardMarkup, Update
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot import build_application, settle_memory
from db.database import Database
from db.store import Store
from flows.core.clock import ManualClock, to_iso
from flows.core.config import Settings
from flows.guardian.risk import warm_up as warm_up_risk_engine
from handlers.update_order import PerPersonUpdateProcessor
from sandbox.offline import OfflineBotApi, Updates
from sandbox.server import DEFAULT_TOKEN

GUARDIAN_BASE = 50_000_000
TYPED = {"mood": "开心", "health": "1", "school": "今天去上学了", "eating_sleeping": "正常",
         "worry": "没有"}
PRESSED = {"mood": ("happy", "sad", "neutral"), "health": ("well", "unwell"),
           "school": ("went", "holiday", "missed"), "eating_sleeping": ("normal",),
           "worry": ("n",)}


def seed(store: Store, guardians: int, now: str) -> None:
    caseworkers = [store.people.add(role="caseworker", now=now, display_name=f"cw{i}",
                                    tg_user_id=40_000_000 + i, tg_chat_id=40_000_000 + i)
                   for i in range(max(1, guardians // 40))]
    for i in range(guardians):
        family = store.families.add(village=f"村{i % 50}", now=now,
                                    caseworker_id=caseworkers[i % len(caseworkers)])
        store.families.add_child(family, name=f"孩子{i}", now=now, birth_month="2016-03")
        grandma = store.people.add(role="guardian", now=now, display_name=f"奶奶{i}",
                                   tg_user_id=GUARDIAN_BASE + i, tg_chat_id=GUARDIAN_BASE + i)
        parent = store.people.add(role="parent", now=now, display_name=f"爸爸{i}",
                                  tg_user_id=60_000_000 + i, tg_chat_id=60_000_000 + i)
        store.families.add_member(family, grandma, "grandmother", now=now)
        store.families.add_member(family, parent, "father", now=now)


def next_update(maker: Updates, api: OfflineBotApi, guardian: int, step: int,
                typed: bool) -> Update | None:
    """The guardian's answer to whatever they were last shown (None once they are done)."""
    uid = GUARDIAN_BASE + guardian
    if step == 0:
        return maker.text(uid, "/checkin")
    keyboard = api.keyboard(uid)
    answer_buttons = [b for row in keyboard for b in row if b["callback_data"].startswith("c:")]
    if not answer_buttons:
        return None
    field = answer_buttons[0]["callback_data"].split(":")[2]
    if typed:
        return maker.text(uid, TYPED[field])
    wanted = PRESSED[field][guardian % len(PRESSED[field])]
    button = next((b for b in answer_buttons if b["callback_data"].endswith(f":{wanted}")),
                  answer_buttons[0])
    return maker.press(uid, button["callback_data"])


async def process_all(application: Application, updates: list[Update],
                      latencies: list[float], api: OfflineBotApi | None = None,
                      replies: dict[int, list[tuple[str, dict[str, Any]]]] | None = None) -> None:
    """Submit a batch the way PTB's polling loop does (through the application's update
    processor), timing each update from the moment its handling starts to its end."""
    async def handle(update: Update) -> None:
        chat = update.effective_chat.id if update.effective_chat else 0
        seen = len(api.sent.get(chat, [])) if api is not None else 0
        start = time.perf_counter()
        await application.process_update(update)
        latencies.append(time.perf_counter() - start)
        if api is not None and replies is not None:
            replies[update.update_id] = [(e["method"], e) for e in api.sent.get(chat, [])[seen:]]

    processor = application.update_processor
    await asyncio.gather(*(processor.process_update(u, handle(u)) for u in updates))


async def run_ours(guardians: int, workdir: Path) -> tuple[dict[str, Any], list[Update],
                                                          dict[int, list[tuple[str, dict[str, Any]]]]]:
    db = await Database.open(workdir / "updates.db")
    clock = ManualClock(datetime(2026, 11, 25, 11, 0, tzinfo=UTC))  # 19:00 in Shanghai
    await db.write(lambda s: seed(s, guardians, to_iso(clock.now())))
    settings = Settings(token=DEFAULT_TOKEN, api_url="http://127.0.0.1:9", db_path=workdir / "x.db",
                        admins=(), tz="Asia/Shanghai", locale="zh_CN")
    api = OfflineBotApi()
    application = build_application(settings, db=db, clock=clock, request=api,
                                    get_updates_request=OfflineBotApi(), send_rate_per_s=None)
    await application.initialize()
    warm_up_risk_engine()  # a running bot has it built: time the steady state
    settle_memory()  # as start_application does once the bot is up
    maker = Updates(application.bot)
    replayed: list[Update] = []
    replies: dict[int, list[tuple[str, dict[str, Any]]]] = {}
    latencies: list[float] = []
    batches_before = db.batches
    gc.collect()
    started = time.perf_counter()
    for step in range(7):  # /checkin, five answers, and one more look (nothing left)
        batch = [u for g in range(guardians)
                 if (u := next_update(maker, api, g, step, typed=g % 4 == 0)) is not None]
        replayed += batch
        await process_all(application, batch, latencies, api, replies)
    elapsed = time.perf_counter() - started
    commits = db.batches - batches_before
    await application.bot_data.services.flush_log()
    stored = await db.read(lambda s: s.checkins.count("completed"))
    logged = await db.read(lambda s: s.interactions.count())
    await application.shutdown()
    await db.close()
    latencies.sort()
    return ({"updates": len(latencies), "seconds": round(elapsed, 3),
             "updates_per_s": round(len(latencies) / elapsed, 1),
             "p50_ms": round(statistics.median(latencies) * 1000, 3),
             "p99_ms": round(latencies[int(len(latencies) * 0.99) - 1] * 1000, 3),
             "group_commits": commits, "checkins_completed": stored,
             "interactions_logged": logged, "api_calls": api.calls}, replayed, replies)


def framework_application(api: OfflineBotApi,
                          replies: dict[int, list[tuple[str, dict[str, Any]]]]) -> Application:
    """The same PTB Application (and update processor) with handlers that only send the same
    replies our run sent for each update: no storage, no logic."""
    async def replay(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        for method, params in replies.get(update.update_id, []):
            if method == "answerCallbackQuery" and update.callback_query is not None:
                await update.callback_query.answer()
            elif method == "editMessageReplyMarkup" and update.callback_query is not None:
                await update.callback_query.edit_message_reply_markup(None)
            elif method == "sendMessage":
                markup = params.get("reply_markup")
                keyboard = InlineKeyboardMarkup.de_json(markup, context.bot) if markup else None
                await context.bot.send_message(int(params["chat_id"]), str(params["text"]),
                                               reply_markup=keyboard)

    async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.callback_query is not None:
            await update.callback_query.answer()  # ours answers every button first
        await replay(update, context)

    application = (ApplicationBuilder().token(DEFAULT_TOKEN).request(api)
                   .get_updates_request(OfflineBotApi())
                   .concurrent_updates(PerPersonUpdateProcessor()).build())
    application.add_handler(MessageHandler(filters.ALL, replay))
    application.add_handler(CallbackQueryHandler(on_button))
    return application


async def run_framework(updates: list[Update],
                        replies: dict[int, list[tuple[str, dict[str, Any]]]]) -> dict[str, Any]:
    application = framework_application(OfflineBotApi(), replies)
    await application.initialize()
    latencies: list[float] = []
    gc.collect()
    started = time.perf_counter()
    by_step: list[list[Update]] = []
    seen: set[int] = set()
    for update in updates:  # the same batches: each guardian once per batch
        chat = update.effective_chat.id if update.effective_chat else 0
        if not by_step or chat in seen:
            by_step.append([])
            seen = set()
        seen.add(chat)
        by_step[-1].append(Update.de_json(update.to_dict(), application.bot))
    started = time.perf_counter()
    for batch in by_step:
        await process_all(application, batch, latencies)
    elapsed = time.perf_counter() - started
    await application.shutdown()
    return {"framework_updates_per_s": round(len(updates) / elapsed, 1)}


async def main(quick: bool) -> dict[str, Any]:
    guardians = 500 if quick else 2000
    with tempfile.TemporaryDirectory() as tmp:
        ours, updates, replies = await run_ours(guardians, Path(tmp))
    framework = await run_framework(updates, replies)
    result: dict[str, Any] = {"benchmark": "updates", "quick": quick, "guardians": guardians,
                              **ours, **framework}
    result["ratio_to_framework"] = round(ours["updates_per_s"]
                                         / framework["framework_updates_per_s"], 3)
    result["all_checkins_stored"] = ours["checkins_completed"] == guardians
    return result


def run(argv: list[str] | None = None, *, printer: Callable[[dict[str, Any]], None] = emit) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="500 guardians instead of 2 000")
    args = parser.parse_args(argv)
    result = asyncio.run(main(args.quick))
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / ("updates-quick.json" if args.quick else "updates.json")).write_text(
        json.dumps(result, ensure_ascii=False, indent=2))
    printer(result)
    return 0 if result["all_checkins_stored"] else 1


if __name__ == "__main__":
    sys.exit(run())
