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
import signal
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

os.environ.setdefault("PTB_TIMEDELTA", "1")  # RetryAfter.retry_after as a timedelta

from telegram import Bot, BotCommand, Update
from telegram.ext import Application, ApplicationBuilder
from telegram.request import BaseRequest, HTTPXRequest

import handlers
from db.database import Database
from flows.alerts import set_escalation
from flows.clock import Clock, OffsetClock, SystemClock, to_iso
from flows.commands import command_menu
from flows.config import ConfigError, Settings
from flows.i18n import SUPPORTED_LOCALES, translator
from flows.services import Services
from handlers.common import attach_services, services_of
from handlers.persistence import ConversationStatePersistence
from handlers.update_order import PerPersonUpdateProcessor
from scheduler.aiohttp_request import AiohttpRequest
from scheduler.demo_clock import start_demo_clock, stop_demo_clock
from scheduler.durable_updates import DurableGetUpdates, replay_pending
from scheduler.jobs import SENDER_KEY, sender_of, start_scheduler, stop_scheduler
from scheduler.pacer import Pacer
from scheduler.ratelimit import SharedRateLimiter
from scheduler.sender import OutboxSender

log = logging.getLogger("kinbridge")


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
) -> Application:
    """The PTB application, wired to our store; tests inject their own request and clock."""
    redact_token_everywhere(settings.token)
    svc = Services(db=db, clock=clock or SystemClock(), settings=settings, sandbox_mode=sandbox_mode)
    set_escalation(dict(settings.escalation))
    pacer = Pacer(send_rate_per_s)
    builder = (
        ApplicationBuilder()
        .token(settings.token)
        .base_url(settings.bot_base_url)
        .base_file_url(settings.bot_file_url)
        .persistence(ConversationStatePersistence(db))
        .rate_limiter(SharedRateLimiter(pacer))
        .concurrent_updates(PerPersonUpdateProcessor())
    )
    builder = builder.request(request or HTTPXRequest(connection_pool_size=16))
    builder = builder.get_updates_request(DurableGetUpdates(
        get_updates_request or HTTPXRequest(read_timeout=30.0, connection_pool_size=2),
        db, svc.clock))
    application = builder.build()
    attach_services(application, svc)
    # The outbox has its own Bot (a bigger connection pool, long timeouts so a stalled request is
    # not retried into a duplicate) but shares the pacer with direct replies.
    sender_bot = Bot(
        settings.token, base_url=settings.bot_base_url, base_file_url=settings.bot_file_url,
        request=sender_request or AiohttpRequest(connection_pool_size=128),
    )
    application.bot_data[SENDER_KEY] = OutboxSender(db, sender_bot, svc.clock, pacer=pacer)
    handlers.register(application)
    return application


async def on_startup(application: Application) -> None:
    """Everything that must happen before the first update: admins, command menus."""
    svc = services_of(application)
    now = to_iso(svc.clock.now())
    for admin_id in svc.settings.admins:
        await svc.db.write(
            lambda s, a=admin_id: s.people.ensure_admin(
                a, now=now, locale=svc.settings.locale, tz=svc.settings.tz
            )
        )
    svc.forget_cached()
    sender = sender_of(application)
    if sender is not None:
        await sender.bot.initialize()
        await start_scheduler(application, svc, sender)
    for locale in SUPPORTED_LOCALES:
        menu = [BotCommand(n, d) for n, d in command_menu(translator(locale))]
        language = "" if locale == svc.settings.locale else locale.split("_")[0]
        await application.bot.set_my_commands(menu, language_code=language or None)
        if locale == "zh_CN":
            await application.bot.set_my_commands(menu, language_code="zh")


async def start_application(application: Application, *, poll_timeout: int = 10) -> None:
    """initialize -> our start-up -> start -> poll (PTB's documented custom-loop pattern)."""
    await application.initialize()
    await on_startup(application)
    await replay_pending(application, services_of(application).db)
    await application.start()
    assert application.updater is not None
    await application.updater.start_polling(
        poll_interval=0.0, timeout=poll_timeout, allowed_updates=Update.ALL_TYPES
    )
    log.info("KinBridge is polling for updates")


def settle_memory() -> None:
    """Once everything is loaded: move the start-up objects out of the garbage collector's way
    (gc.freeze), so collections during the day only look at what the day creates."""
    gc.collect()
    gc.freeze()


async def stop_application(application: Application) -> None:
    await stop_demo_clock(application)
    await stop_scheduler(application)
    sender = sender_of(application)
    if sender is not None:
        await sender.bot.shutdown()
    if application.updater is not None and application.updater.running:
        await application.updater.stop()
    if application.running:
        await application.stop()
    await application.shutdown()
    await services_of(application).flush_log()


async def serve(settings: Settings, *, clock: Clock | None = None, sandbox_mode: bool = False,
                stop: asyncio.Event | None = None) -> None:
    """Open the store, run the bot until ``stop`` is set (or SIGINT/SIGTERM), close cleanly."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, stop.set)
        except (NotImplementedError, RuntimeError):
            pass
    db = await Database.open(settings.db_path)
    if sandbox_mode and clock is None:
        clock = OffsetClock()  # follows the sandbox's demo clock
    application = build_application(settings, db=db, clock=clock, sandbox_mode=sandbox_mode)
    sender = sender_of(application)
    if sender is not None:  # a revoked token: the sender said so in one sentence; stop
        sender.on_fatal = lambda _sentence: stop.set()
    try:
        await start_application(application)
        if sandbox_mode:
            start_demo_clock(application)
        settle_memory()
        await stop.wait()
    finally:
        await stop_application(application)
        await db.close()
        log.info("KinBridge stopped")
    if sender is not None and sender.fatal is not None:
        raise SystemExit(1)


async def _migrate(settings: Settings) -> int:
    db = await Database.open(settings.db_path)
    try:
        return await db.migrate()
    finally:
        await db.close()


async def _staff_cli(settings: Settings, args: argparse.Namespace) -> int:
    """First set-up from the shell, through the same flows the bot uses."""
    from flows.staff import assign_supervisor, invite_staff
    from flows.ui import FlowContext

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
                          default_locale=settings.locale, bot_username=username)
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
            args.qr.write_bytes(reply.photo_png)
            print(f"QR code saved to {args.qr}")
    return 0


async def _export_cli(settings: Settings, args: argparse.Namespace) -> int:
    """CSV exports from the shell, as a named staff member (audited like /export)."""
    from flows.case_file import export_files, parse_period

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
        files = await db.write(lambda s: export_files(s, person, period[0], period[1], now))
    finally:
        await db.close()
    args.out.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        path = args.out / name
        path.write_bytes(data)
        os.chmod(path, 0o600)
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
    sub.add_parser("run", help="run the bot against TELEGRAM_API_URL (needs TELEGRAM_BOT_TOKEN)")
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
                                           "interactions) for a staff member's families")
    export.add_argument("--as", dest="as_user", type=int, required=True,
                        help="the staff member's Telegram user id (whose families; audited)")
    export.add_argument("--from", dest="date_from", default=None, help="first day, YYYY-MM-DD")
    export.add_argument("--to", dest="date_to", default=None, help="last day, YYYY-MM-DD")
    export.add_argument("--out", type=Path, default=Path("export"), help="folder for the CSV files")
    args = parser.parse_args(argv)

    if args.command == "run":
        os.environ["KINBRIDGE_MODE"] = "run"  # the sandbox refuses to start in this process
        settings = _settings_or_exit(require_token=True)
        setup_logging(settings)
        asyncio.run(serve(settings))
        return 0
    if args.command == "migrate":
        settings = _settings_or_exit(require_token=False)
        setup_logging(settings)
        version = asyncio.run(_migrate(settings))
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
        from sandbox.demo import run_demo

        settings = _settings_or_exit(require_token=False)
        if args.db is not None:
            settings = replace(settings, db_path=args.db)
        setup_logging(settings)
        return asyncio.run(run_demo(settings, port=args.port, fresh_db=args.db is None))
    parser.error(f"unknown command {args.command}")
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
