"""No text a guardian or parent receives tells them to type a command (issue 17.2): every msgid
used in the modules that speak to families is rendered in zh_CN and en and checked. Texts only
staff ever receive may name commands (they are listed below, each with the reason)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from flows.core.i18n import translator

ROOT = Path(__file__).resolve().parent.parent
FAMILY_MODULES = sorted(
    [p for folder in ("flows/guardian", "flows/parent", "flows/account", "flows/core",
                      "flows/outbox") for p in (ROOT / folder).glob("*.py")]
    + [ROOT / "handlers" / name for name in ("router.py", "common.py", "flowrun.py", "account.py",
                                             "guardian.py", "parent.py", "update_order.py")])
COMMAND = re.compile(r"(?<![\w/.:])/[a-z][a-z_]*")
# msgids in those modules that only staff receive
STAFF_ONLY = {
    # help_text's command list: families get their own two lines (flows/account/menu.py)
    *(m for m in ("/alerts: open alerts, most urgent first", "/families: your families at a glance",
                  "/case <number>: a family's timeline",
                  "/note <number> <text>: add a note to a family",
                  "/export [from] [to]: CSV files of your families (dates as 2026-11-01)",
                  "/newfamily: create a family file", "/family <number>: open a family file",
                  "/invite_staff caseworker <name>: invite a caseworker",
                  "/reassign <family number> <caseworker number>: give a family to another "
                  "caseworker", "/invite_staff supervisor <name>: invite a supervisor",
                  "/assign <caseworker number> <supervisor number>: set who supervises whom",
                  "/staff: list the staff", "/menu: buttons for what you can do",
                  "/settings: times, quiet hours, time zone", "/language: 中文 or English",
                  "/stop: pause all messages (/start resumes)",
                  "/forget: remove your personal data", "/cancel: stop what we are doing",
                  "/help_now: 🆘 a child needs help now (passed on at once to the children's "
                  "director, or to whoever can be reached)",
                  "/checkin: tell me about the child now")),
    # begin_help refuses staff; pause and joining have a staff branch
    "The 🆘 button is for the children's families. Your alerts arrive here as messages; /menu "
    "shows what you can do.",
    "I will not send you any more messages. Send /start whenever you want to continue.",
    "Welcome! You are now a %(role)s in KinBridge. Send /menu to see what you can do.",
}


def _msgids(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Call) and (
                (isinstance(node.func, ast.Name) and node.func.id in ("_", "N_"))
                or (isinstance(node.func, ast.Attribute) and node.func.attr == "_")) and node.args \
                and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
            found.append(node.args[0].value)
    return found


FAMILY_MSGIDS = sorted({m for path in FAMILY_MODULES for m in _msgids(path)} - STAFF_ONLY)


def test_the_walk_finds_the_family_texts() -> None:
    """The walk is not empty and sees the texts a grandmother reads every day."""
    assert len(FAMILY_MSGIDS) > 150
    assert "How was %(child)s's mood today?" in FAMILY_MSGIDS
    assert "📞 I called" in FAMILY_MSGIDS


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
def test_no_family_text_names_a_command(locale: str) -> None:
    _ = translator(locale)
    offending = {}
    for msgid in FAMILY_MSGIDS:
        text = _(msgid)
        if COMMAND.search(text):
            offending[msgid] = text
    assert offending == {}


def test_the_check_finds_a_command() -> None:
    """The pattern catches what it must and spares times, dates and URLs."""
    assert COMMAND.search("按 🆘 或发送 /help_now。")
    assert COMMAND.search("Send /menu for a fresh one.")
    assert not COMMAND.search("20:00 – 06:00, 2026/11/25, Asia/Shanghai, https://t.me/x")


STAFF_MODULES = sorted([*(ROOT / "flows" / "staff").glob("*.py"), *(ROOT / "handlers").glob("staff*.py")])


def test_every_text_naming_a_command_is_a_staff_text() -> None:
    """Catalog-wide: a translation that names a command is used only where staff are spoken
    to (so a family text added anywhere else, e.g. the scheduler, cannot carry one)."""
    staff_msgids = {m for path in STAFF_MODULES for m in _msgids(path)} | STAFF_ONLY
    everywhere = [p for p in ROOT.glob("**/*.py")
                  if ".venv" not in p.parts and "tests" not in p.parts]
    used = {m for path in everywhere for m in _msgids(path)}
    zh, en = translator("zh_CN"), translator("en")
    naming = {m for m in used if COMMAND.search(zh(m)) or COMMAND.search(en(m))}
    assert naming - staff_msgids == set()
