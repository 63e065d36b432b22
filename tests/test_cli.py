"""The command line as a person meets it: clear one-line errors, no tracebacks, no token."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_cli(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None,
            timeout: float = 60) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items()
            if not k.startswith(("TELEGRAM_", "KINBRIDGE_"))}
    base.update(env or {})
    return subprocess.run([sys.executable, str(ROOT / "bot.py"), *args], env=base, cwd=cwd or ROOT,
                          capture_output=True, text=True, timeout=timeout)


def test_run_without_token_is_one_sentence(tmp_path: Path) -> None:
    result = run_cli("run", cwd=tmp_path)
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "TELEGRAM_BOT_TOKEN" in lines[0] and "Traceback" not in result.stderr


def test_bad_settings_each_get_a_line_and_the_token_stays_secret(tmp_path: Path) -> None:
    token = "123:super-secret-value"
    result = run_cli("run", cwd=tmp_path, env={
        "TELEGRAM_BOT_TOKEN": token, "KINBRIDGE_TZ": "Nowhere/City", "KINBRIDGE_ADMINS": "x1"})
    assert result.returncode != 0
    assert len(result.stderr.strip().splitlines()) == 2
    assert token not in result.stderr + result.stdout


def test_migrate_creates_a_private_database(tmp_path: Path) -> None:
    db = tmp_path / "kb.db"
    result = run_cli("migrate", env={"KINBRIDGE_DB": str(db)})
    assert result.returncode == 0, result.stderr
    assert "schema version" in result.stdout
    assert oct(db.stat().st_mode & 0o777) == "0o600"


def test_help_lists_the_commands() -> None:
    result = run_cli("--help")
    assert result.returncode == 0
    for command in ("run", "sandbox", "migrate"):
        assert command in result.stdout


async def test_run_against_the_sandbox_answers_start(sandbox, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import asyncio
    import signal

    from sandbox.server import DEFAULT_TOKEN

    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "KINBRIDGE_"))}
    env.update({"TELEGRAM_BOT_TOKEN": DEFAULT_TOKEN, "TELEGRAM_API_URL": sandbox.url,
                "KINBRIDGE_DB": str(tmp_path / "run.db"), "KINBRIDGE_LOG_LEVEL": "INFO"})
    process = await asyncio.create_subprocess_exec(
        sys.executable, str(ROOT / "bot.py"), "run", "--create-db", env=env, cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    try:
        sent = await sandbox.client.send(5151, "/start")
        reply = await sandbox.client.wait_reply(5151, after=sent["message"]["message_id"], wait=20)
        assert "亲情桥" in reply["text"]
        sent = await sandbox.client.send(5151, "私人的话 13800000000")
        reply = await sandbox.client.wait_reply(5151, after=sent["message"]["message_id"], wait=20)
        assert "邀请" in reply["text"]
    finally:
        process.send_signal(signal.SIGTERM)
        output, _ = await asyncio.wait_for(process.communicate(), 30)
    text = output.decode()
    assert process.returncode == 0, text
    assert "KinBridge is polling" in text
    assert DEFAULT_TOKEN not in text and "私人的话" not in text


def test_first_setup_from_the_command_line(tmp_path: Path) -> None:
    import io

    import zxingcpp
    from PIL import Image

    db = tmp_path / "kb.db"
    qr = tmp_path / "qr.png"
    result = run_cli("invite-staff", "--role", "caseworker", "--name", "李主任",
                     "--bot-username", "KinBridgeBot", "--qr", str(qr),
                     env={"KINBRIDGE_DB": str(db), "KINBRIDGE_LOCALE": "en"})
    assert result.returncode == 0, result.stderr
    link = next(w for w in result.stdout.split() if w.startswith("https://t.me/KinBridgeBot?start="))
    decoded = zxingcpp.read_barcodes(Image.open(io.BytesIO(qr.read_bytes())))
    assert [d.text for d in decoded] == [link]
    assert oct(qr.stat().st_mode & 0o777) == "0o600", "the invite QR is a key: private"
    result = run_cli("invite-staff", "--role", "caseworker", env={"KINBRIDGE_DB": str(db)})
    assert result.returncode == 2 and "--bot-username" in result.stderr


def test_assign_from_the_command_line(tmp_path: Path) -> None:
    import sqlite3

    db = tmp_path / "kb.db"
    assert run_cli("migrate", env={"KINBRIDGE_DB": str(db)}).returncode == 0
    conn = sqlite3.connect(db)
    conn.execute("INSERT INTO people (id, role, created_at) VALUES (1, 'caseworker', 'x'), "
                 "(2, 'supervisor', 'x')")
    conn.commit()
    conn.close()
    result = run_cli("assign", "--caseworker", "1", "--supervisor", "2",
                     env={"KINBRIDGE_DB": str(db), "KINBRIDGE_LOCALE": "en"})
    assert result.returncode == 0 and "#1" in result.stdout, result.stdout + result.stderr
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT supervisor_id FROM people WHERE id = 1").fetchone() == (2,)
    conn.close()
    wrong = run_cli("assign", "--caseworker", "2", "--supervisor", "1",
                    env={"KINBRIDGE_DB": str(db), "KINBRIDGE_LOCALE": "en"})
    assert "caseworker and then of a supervisor" in wrong.stdout


def test_export_from_the_shell_writes_csv_and_is_audited(tmp_path: Path) -> None:
    import asyncio
    import csv
    import sqlite3

    from db.database import Database
    from tests.support.families import add_family

    db_path = tmp_path / "export.db"

    async def seed() -> None:
        db = await Database.open(db_path)
        await db.write(lambda s: add_family(s, caseworker_tg=201))
        await db.close()
    asyncio.run(seed())
    env = {"KINBRIDGE_DB": str(db_path)}
    refused = run_cli("export", "--as", "101", "--out", str(tmp_path / "x"), env=env)
    assert refused.returncode == 2 and "caseworker" in refused.stderr  # a guardian may not
    done = run_cli("export", "--as", "201", "--from", "2026-11-01", "--to", "2026-11-30",
                   "--raw", "--out", str(tmp_path / "out"), env=env)
    assert done.returncode == 0, done.stderr
    files = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert files == ["alerts.csv", "checkins.csv", "families.csv", "figures.csv",
                     "interactions.csv"]
    with (tmp_path / "out" / "families.csv").open(encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["village"] for r in rows] == ["青山村"]
    assert oct((tmp_path / "out" / "families.csv").stat().st_mode & 0o777) == "0o600"
    # without --raw: the files a person opens, in the staff member's language (zh_CN)
    human = run_cli("export", "--as", "201", "--from", "2026-11-01", "--to", "2026-11-30",
                    "--out", str(tmp_path / "human"), env=env)
    assert human.returncode == 0, human.stderr
    files = sorted(p.name for p in (tmp_path / "human").iterdir())
    assert files == sorted(["家庭.csv", "问候.csv", "警报.csv", "消息记录.csv", "响应用时.csv"])
    with (tmp_path / "human" / "家庭.csv").open(encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    assert [(r["村"], r["儿童主任"], r["孩子"]) for r in rows] == [("青山村", "李主任",
                                                                 "小明，10 岁")]
    conn = sqlite3.connect(db_path)
    audit = conn.execute("SELECT action, detail FROM audit_log").fetchall()
    conn.close()
    assert audit == [("export", "2026-11-01..2026-11-30")] * 2
