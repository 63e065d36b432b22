"""KinBridge (亲情桥): entry point.

    python bot.py run        poll TELEGRAM_API_URL with TELEGRAM_BOT_TOKEN
    python bot.py sandbox    local Bot API sandbox + the bot + a seeded demo village
    python bot.py migrate    create or upgrade the database, then exit
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import os
import re
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

os.environ.setdefault("PTB_TIMEDELTA", "1")  # RetryAfter.retry_after as a timedelta

from telegram import Bot, BotCommand, Update
from telegram.error import Conflict, NetworkError, TelegramError
from telegram.ext import Application, ApplicationBuilder
from telegram.request import BaseRequest, HTTPXRequest

import handlers
from db.database import Database, DatabaseProblem
from db.instance_lock import AlreadyRunning, InstanceLock
from flows.core.clock import Clock, OffsetClock, SystemClock, to_iso
from flows.core.commands import command_menu
from flows.core.config import ConfigError, Settings
from flows.core.i18n import SUPPORTED_LOCALES, translator
from flows.core.services import Services
from flows.guardian.risk import warm_up as warm_up_risk_engine
from handlers.context import BotData, context_types
from handlers.update_order import PerPersonUpdateProcessor
from sandbox.demo_clock import DemoClock
from scheduler.aiohttp_request import AiohttpRequest
from scheduler.durable_updates import DurableGetUpdates, replay_pending
from scheduler.jobs import Scheduler
from scheduler.pacer import Pacer
from scheduler.ratelimit import ChatPacing, SharedRateLimiter
from scheduler.sender import OutboxSender

log = logging.getLogger("kinbridge")


class BotParts(BotData):
    """``application.bot_data``: every part of the running bot, wired here in plain sight.
    Handlers see only the services (``context.services``); the rest is bot.py's."""

    def __init__(self) -> None:
        super().__init__()
        self.sender: OutboxSender | None = None  # the outbox's own Bot and task
        self.updates: DurableGetUpdates | None = None  # getUpdates, stored before acknowledged
        self.scheduler: Scheduler | None = None  # the sweeps
        self.demo_clock: DemoClock | None = None  # sandbox mode only
        self.fail: Callable[[str], None] | None = None  # stop the bot with one sentence


def parts_of(application: Application) -> BotParts:  # type: ignore[type-arg]
    parts = application.bot_data
    assert isinstance(parts, BotParts), "build the application with build_application"
    return parts


class RedactingFilter(logging.Filter):
    """Defence in depth: the token must never reach a log line, whatever logged it."""

    def __init__(self, secrets: Sequence[str]) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if s]

    def filter(self, record: logging.LogRecord) -> bool:
        if self.secrets:
            message = record.getMessage()
            if any(secret in message for secret in self.secrets):
                for secret in self.secrets:
                    message = message.replace(secret, "<token>")
                record.msg, record.args = message, None
        return True


_REDACTED_TOKENS: set[str] = set()
# Libraries that log whole updates and API calls (names, texts, phone numbers, chat ids) at DEBUG
VERBOSE_LIBRARIES = ("telegram", "httpx", "httpcore", "aiohttp", "apscheduler", "aiosqlite")
_PLACEHOLDER = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(?:\d+|\*)?(?:\.\d+)?[a-zA-Z]")


def redact_library_debug(record: logging.LogRecord) -> None:
    """A DEBUG record of a chatty library keeps its wording and loses its values: PTB's
    "Processing update %s" becomes "Processing update <redacted>". Our own loggers never log
    personal data at any level, so they are left alone."""
    if record.levelno >= logging.INFO or record.name.split(".", 1)[0] not in VERBOSE_LIBRARIES:
        return
    if not isinstance(record.msg, str):
        record.msg, record.args = "<redacted>", None
    elif record.args:
        record.msg, record.args = _PLACEHOLDER.sub("<redacted>", record.msg), None


_DEBUG_REDACTION = [False]


def redact_debug_everywhere() -> None:
    """Every log record of the process passes redact_library_debug, whoever handles it."""
    if _DEBUG_REDACTION[0]:
        return
    _DEBUG_REDACTION[0] = True
    previous = logging.getLogRecordFactory()

    def factory(*args: object, **kwargs: object) -> logging.LogRecord:
        record = previous(*args, **kwargs)  # type: ignore[arg-type]
        redact_library_debug(record)
        return record
    logging.setLogRecordFactory(factory)


def redact_token_everywhere(token: str) -> None:
    """Every log record anywhere in the process has the token replaced, whoever logs it and
    wherever it goes (handlers added later, pytest's capture): URLs carry the token."""
    if not token or token in _REDACTED_TOKENS:
        return
    if not _REDACTED_TOKENS:
        previous = logging.getLogRecordFactory()

        def factory(*args: object, **kwargs: object) -> logging.LogRecord:
            record = previous(*args, **kwargs)  # type: ignore[arg-type]
            RedactingFilter(sorted(_REDACTED_TOKENS)).filter(record)
            return record
        logging.setLogRecordFactory(factory)
    _REDACTED_TOKENS.add(token)
    # and the chattiest transport logs stay quiet below WARNING
    for name in ("httpx", "httpcore", "apscheduler", "aiohttp.access"):
        if logging.getLogger(name).level < logging.WARNING:
            logging.getLogger(name).setLevel(logging.WARNING)


def setup_logging(settings: Settings | None = None) -> None:
    redact_debug_everywhere()
    level = os.environ.get("KINBRIDGE_LOG_LEVEL", "INFO").upper()
    logging.basicConfig(
        level=getattr(logging, level, logging.INFO),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    # httpx logs every request URL at INFO, and the URL carries the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
    if settings is not None:
        redactor = RedactingFilter([settings.token])
        for handler in logging.getLogger().handlers:
            handler.addFilter(redactor)


def build_application(
    settings: Settings,
    *,
    db: Database,
    clock: Clock | None = None,
    request: BaseRequest | None = None,
    get_updates_request: BaseRequest | None = None,
    sender_request: BaseRequest | None = None,
    sandbox_mode: bool = False,
    send_rate_per_s: float | None = 30.0,
    chat_pacing: ChatPacing | None = None,
) -> Application:
    """The PTB application, wired to our store; tests inject their own request and clock."""
    redact_token_everywhere(settings.token)
    redact_debug_everywhere()
    svc = Services(db=db, clock=clock or SystemClock(), settings=settings)
    db.with_every_batch = svc.write_log  # the interaction log rides with every group commit
    pacer = Pacer(send_rate_per_s)
    builder = (
        ApplicationBuilder()
        .token(settings.token)
        .base_url(settings.bot_base_url)
        .base_file_url(settings.bot_file_url)
        .rate_limiter(SharedRateLimiter(pacer, chats=chat_pacing))
        .concurrent_updates(PerPersonUpdateProcessor())
        .context_types(context_types(BotParts))
    )
    builder = builder.request(request or HTTPXRequest(connection_pool_size=16))
    durable_updates = DurableGetUpdates(
        get_updates_request or HTTPXRequest(read_timeout=30.0, connection_pool_size=2),
        db, svc.clock)
    builder = builder.get_updates_request(durable_updates)
    application = builder.build()
    parts = parts_of(application)
    parts.services = svc
    parts.updates = durable_updates
    # The outbox has its own Bot (a bigger connection pool, long timeouts so a stalled request is
    # not retried into a duplicate) but shares the pacer with direct replies.
    sender_bot = Bot(
        settings.token, base_url=settings.bot_base_url, base_file_url=settings.bot_file_url,
        request=sender_request or AiohttpRequest(connection_pool_size=128),
    )
    parts.sender = OutboxSender(db, sender_bot, svc.clock, pacer=pacer,
                                escalation=settings.escalation_after)
    svc.wake_outbox = parts.sender.wake
    parts.scheduler = Scheduler(svc, parts.sender)
    if sandbox_mode:
        parts.demo_clock = DemoClock(svc)
    handlers.register(application)
    return application


async def on_startup(application: Application) -> None:
    """Everything that must happen before the first update: admins, command menus."""
    parts = parts_of(application)
    svc = parts.services
    now = to_iso(svc.clock.now())
    for admin_id in svc.settings.admins:
        await svc.db.write(
            lambda s, a=admin_id: s.people.ensure_admin(
                a, now=now, locale=svc.settings.locale, tz=svc.settings.tz
            )
        )
    svc.forget_cached()
    if parts.sender is not None:
        await parts.sender.bot.initialize()
    if parts.scheduler is not None:
        extra = (parts.demo_clock.sweep(),) if parts.demo_clock is not None else ()
        await parts.scheduler.start(extra)
    for locale in SUPPORTED_LOCALES:
        menu = [BotCommand(n, d) for n, d in command_menu(translator(locale))]
        language = "" if locale == svc.settings.locale else locale.split("_")[0]
        await application.bot.set_my_commands(menu, language_code=language or None)
        if locale == "zh_CN":
            await application.bot.set_my_commands(menu, language_code="zh")


async def start_application(application: Application, *, poll_timeout: int = 10) -> None:
    """initialize -> our start-up -> start -> poll (PTB's documented custom-loop pattern)."""
    await application.initialize()
    # the risk engine's automaton and model take ~3 s to build: in the background now, so the
    # first family's message after a restart does not wait for them (and start-up does not either)
    threading.Thread(target=warm_up_risk_engine, name="risk-warm-up", daemon=True).start()
    await on_startup(application)
    await replay_pending(application, parts_of(application).services.db)
    await application.start()
    assert application.updater is not None
    await application.updater.start_polling(
        poll_interval=0.0, timeout=poll_timeout, allowed_updates=Update.ALL_TYPES,
        error_callback=polling_error,
    )
    log.info("KinBridge is polling for updates")


def polling_error(exc: TelegramError) -> None:
    """One line per failed getUpdates, no traceback every second: a conflict is counted (and
    stops the bot) by DurableGetUpdates, a network error is retried by PTB."""
    if isinstance(exc, Conflict):
        return
    if isinstance(exc, NetworkError):
        log.warning("polling for updates failed (%s); retrying", type(exc).__name__)
        return
    log.error("polling for updates failed: %s", type(exc).__name__, exc_info=exc)


def settle_memory() -> None:
    """Once everything is loaded: move the start-up objects out of the garbage collector's way
    (gc.freeze), so collections during the day only look at what the day creates."""
    gc.collect()
    gc.freeze()


async def stop_application(application: Application) -> None:
    parts = parts_of(application)
    if parts.scheduler is not None:
        await parts.scheduler.stop()
    if parts.demo_clock is not None:
        await parts.demo_clock.close()
    if parts.sender is not None:
        await parts.sender.bot.shutdown()
    if application.updater is not None and application.updater.running:
        await application.updater.stop()
    if application.running:
        await application.stop()
    await application.shutdown()
    await parts.services.flush_log()


DB_FILE_CHECK_S = 5.0


async def watch_database_file(db: Database, fail: Callable[[str], None],
                              every_s: float = DB_FILE_CHECK_S) -> None:
    """Now and then: is the file at the configured path still the one we have open? Deleted,
    moved or replaced, we would write on into a file no one reads while the families' real
    history sits elsewhere: stop instead. (asyncio.sleep runs on the monotonic clock.)"""
    while True:
        await asyncio.sleep(every_s)
        if not db.still_at_path():
            fail(f"the database file {db.path.resolve()} was deleted, moved or replaced while "
                 "the bot was running; stopping so that nothing is written to a file no one reads")
            return


async def serve(settings: Settings, *, clock: Clock | None = None, sandbox_mode: bool = False,
                stop: asyncio.Event | None = None, create_db: bool = False) -> int:
    """Open the store, run the bot until ``stop`` is set (or SIGINT/SIGTERM), close cleanly.

    Returns the exit status: 0 after a requested stop; non-zero, with one sentence, when the
    bot could not start (another instance, no or a damaged database) or had to stop (its
    database file replaced, another instance polling with the same token)."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, stop.set)
        except (NotImplementedError, RuntimeError):
            pass
    lock = InstanceLock(settings.db_path)
    try:
        lock.acquire()
    except AlreadyRunning as exc:
        print(f"kinbridge: {exc}.", file=sys.stderr)
        return 3
    try:
        db = await Database.open(settings.db_path, create=create_db, check=True)
    except DatabaseProblem as exc:
        lock.release()
        print(f"kinbridge: {exc}.", file=sys.stderr)
        return 2
    fatal: list[str] = []

    def fail(reason: str, *, said: bool = False) -> None:
        if not fatal:
            fatal.append(reason)
            if not said:
                log.critical("stopping: %s", reason)
        stop.set()
    if sandbox_mode and clock is None:
        clock = OffsetClock()  # follows the sandbox's demo clock
    application = build_application(settings, db=db, clock=clock, sandbox_mode=sandbox_mode)
    parts = parts_of(application)
    parts.fail = fail
    if parts.updates is not None:
        parts.updates.on_conflict = fail
    watcher = asyncio.create_task(watch_database_file(db, fail), name="database-file-watch")
    sender = parts.sender
    if sender is not None:  # a revoked token: the sender says so in one sentence; stop
        sender.on_fatal = lambda sentence: fail(sentence, said=True)
    # polling meets a revoked token too: the same one sentence, said once
    if parts.updates is not None:
        parts.updates.on_unauthorized = sender.stop_for_good if sender else fail
    try:
        await start_application(application)
        settle_memory()
        await stop.wait()
    finally:
        watcher.cancel()
        await asyncio.gather(watcher, return_exceptions=True)
        await stop_application(application)
        await db.close()
        lock.release()
        log.info("KinBridge stopped")
    return 1 if fatal else 0


async def _migrate(settings: Settings) -> int:
    db = await Database.open(settings.db_path, check=True)
    try:
        return await db.migrate()
    finally:
        await db.close()


def write_private(path: Path, data: bytes) -> None:
    """Write a file only its owner can read (an invite QR is a key; exports hold child data),
    created 0600 so it is never readable by others, not even for a moment."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)  # an existing file keeps its old mode otherwise
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)


async def _staff_cli(settings: Settings, args: argparse.Namespace) -> int:
    """First set-up from the shell, through the same flows the bot uses."""
    from flows.core.ui import FlowContext
    from flows.staff.staff import assign_supervisor, invite_staff

    username = args.bot_username if args.command == "invite-staff" else "-"
    if not username and settings.token:
        bot = Bot(settings.token, base_url=settings.bot_base_url)
        async with bot:
            username = (await bot.get_me()).username
    if not username:
        print("kinbridge: give --bot-username (or set TELEGRAM_BOT_TOKEN so I can ask Telegram).",
              file=sys.stderr)
        return 2
    db = await Database.open(settings.db_path)
    try:
        ctx = FlowContext(now=SystemClock().now(), default_tz=settings.tz,
                          default_locale=settings.locale, bot_username=username,
                          escalation=settings.escalation_after)
        if args.command == "invite-staff":
            replies = await db.write(lambda s: invite_staff(
                s, ctx, None, args.role, args.name, supervisor_id=args.supervisor))
        else:
            replies = await db.write(lambda s: assign_supervisor(
                s, ctx, None, args.caseworker, args.supervisor))
    finally:
        await db.close()
    for reply in replies:
        print(reply.text)
        if reply.photo_png is not None and getattr(args, "qr", None):
            write_private(args.qr, reply.photo_png)
            print(f"QR code saved to {args.qr}")
    return 0


async def _export_cli(settings: Settings, args: argparse.Namespace) -> int:
    """CSV exports from the shell, as a named staff member (audited like /export)."""
    from flows.staff.case_file import csv_files, export_tables, parse_period, record_export

    db = await Database.open(settings.db_path)
    try:
        person = await db.read(lambda s: s.people.by_telegram_user(args.as_user))
        if person is None or not person.is_staff:
            print("kinbridge: --as must be the Telegram user id of a caseworker, supervisor or "
                  "admin.", file=sys.stderr)
            return 2
        now = SystemClock().now()
        period = parse_period([a for a in (args.date_from, args.date_to) if a],
                              now.astimezone(settings.zone).date())
        if period is None:
            print("kinbridge: give dates as --from 2026-11-01 --to 2026-11-30 (at most a year).",
                  file=sys.stderr)
            return 2
        # read from a snapshot, render outside any transaction, then record the audit row
        tables = await db.read(lambda s: export_tables(s, person, period[0], period[1],
                                                       raw=args.raw))
        files = csv_files(tables)
        await db.write(lambda s: record_export(s, person, period[0], period[1], now))
    finally:
        await db.close()
    args.out.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        path = args.out / name
        write_private(path, data)
        print(f"wrote {path}")
    return 0


def _settings_or_exit(require_token: bool, env: dict[str, str] | None = None) -> Settings:
    try:
        return Settings.from_env(env, require_token=require_token)
    except ConfigError as exc:
        for problem in exc.problems:
            print(f"kinbridge: {problem}", file=sys.stderr)
        raise SystemExit(2) from None


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bot.py", description="KinBridge (亲情桥) Telegram bot")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run the bot against TELEGRAM_API_URL (needs "
                                     "TELEGRAM_BOT_TOKEN)")
    run.add_argument("--create-db", action="store_true",
                     help="create the database if it does not exist yet (otherwise a missing "
                          "database is an error: see 'migrate')")
    sandbox = sub.add_parser("sandbox", help="local Bot API sandbox + bot + seeded demo village")
    sandbox.add_argument("--port", type=int, default=8080, help="sandbox port (default 8080)")
    sandbox.add_argument("--db", type=Path, default=None,
                         help="database file (default: a fresh ./demo.db)")
    sub.add_parser("migrate", help="create or upgrade the database schema and exit")
    invite = sub.add_parser("invite-staff", help="first set-up: print a staff invitation link")
    invite.add_argument("--role", choices=("admin", "supervisor", "caseworker"), required=True)
    invite.add_argument("--name", default=None, help="the invited person's name")
    invite.add_argument("--supervisor", type=int, default=None,
                        help="for a caseworker: the supervisor's number")
    invite.add_argument("--bot-username", default=None,
                        help="the bot's @username (asked from Telegram when a token is set)")
    invite.add_argument("--qr", type=Path, default=None, help="also save the QR code PNG here")
    assign = sub.add_parser("assign", help="set which supervisor supervises a caseworker")
    assign.add_argument("--caseworker", type=int, required=True)
    assign.add_argument("--supervisor", type=int, required=True)
    export = sub.add_parser("export", help="write CSV exports (families, check-ins, alerts, "
                                           "interactions, response times) for a staff "
                                           "member's families")
    export.add_argument("--as", dest="as_user", type=int, required=True,
                        help="the staff member's Telegram user id (whose families; audited)")
    export.add_argument("--from", dest="date_from", default=None, help="first day, YYYY-MM-DD")
    export.add_argument("--to", dest="date_to", default=None, help="last day, YYYY-MM-DD")
    export.add_argument("--out", type=Path, default=Path("export"), help="folder for the CSV files")
    export.add_argument("--raw", action="store_true",
                        help="for machines: ids, codes and UTC times under stable English column "
                             "names (default: names, words and local times in the staff member's "
                             "language, as /export sends them)")
    args = parser.parse_args(argv)

    if args.command == "run":
        os.environ["KINBRIDGE_MODE"] = "run"  # the sandbox refuses to start in this process
        settings = _settings_or_exit(require_token=True)
        setup_logging(settings)
        return asyncio.run(serve(settings, create_db=args.create_db))
    if args.command == "migrate":
        settings = _settings_or_exit(require_token=False)
        setup_logging(settings)
        try:
            version = asyncio.run(_migrate(settings))
        except DatabaseProblem as exc:
            print(f"kinbridge: {exc}.", file=sys.stderr)
            return 2
        print(f"database {settings.db_path} is at schema version {version}")
        return 0
    if args.command in ("invite-staff", "assign"):
        settings = _settings_or_exit(require_token=False)
        setup_logging(settings)
        return asyncio.run(_staff_cli(settings, args))
    if args.command == "export":
        settings = _settings_or_exit(require_token=False)
        setup_logging(settings)
        return asyncio.run(_export_cli(settings, args))
    if args.command == "sandbox":
        from sandbox.demo import BotLifecycle, run_demo

        settings = _settings_or_exit(require_token=False)
        if args.db is not None:
            settings = replace(settings, db_path=args.db)
        setup_logging(settings)
        lifecycle = BotLifecycle(build_application, start_application, stop_application)
        return asyncio.run(run_demo(settings, lifecycle, port=args.port, fresh_db=args.db is None))
    parser.error(f"unknown command {args.command}")
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
