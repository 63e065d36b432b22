"""Everyone's account: /start (join with an invite code, resume after /stop, a polite word to
strangers) and the global commands that work from inside any exchange: /menu /help /settings
/language /stop /forget /cancel, and the menu's buttons."""

from __future__ import annotations

from telegram.ext import Application

from db.store import Store
from flows.account.account import pause, resume
from flows.account.joining import begin_join
from flows.account.menu import help_text, menu
from flows.account.menu_choices import CHOICES, choose
from flows.account.welcome import family_keyboard, welcome_back, welcome_unknown
from flows.core.buttons import MenuChoice
from flows.core.turn import Turn
from flows.core.ui import Reply
from handlers.flowrun import ButtonTable, Flow, members, on_command

BUTTONS: ButtonTable = [(MenuChoice, choose)]


def start(args: list[str]) -> Flow:
    code = args[0] if args else None

    def flow(store: Store, turn: Turn) -> list[Reply]:
        person, uid = turn.person, turn.tg_user_id or 0
        if code:
            return begin_join(store, turn, tg_user_id=uid, code=code,
                              language_code=turn.language_code)
        if person is None:
            return [Reply(welcome_unknown(turn._))]
        if person.status in ("paused", "unreachable"):
            if person.tg_chat_id != uid:
                store.people.set_chat(person.id, uid)
            return resume(store, turn, person)
        return [Reply(welcome_back(turn._, person), keyboard=family_keyboard(turn._, person))]
    return flow


def show_menu(store: Store, turn: Turn) -> list[Reply]:
    return [menu(turn._, turn.person)]


def show_help(store: Store, turn: Turn) -> list[Reply]:
    if turn.person is None:
        return [Reply(help_text(turn._, None))]
    return [Reply(help_text(turn._, turn.person)), menu(turn._, turn.person)]


def cancel(store: Store, turn: Turn) -> list[Reply]:
    store.dialogs.end(turn.tg_user_id or 0)
    return [Reply(turn._("All right, we stopped. Send /menu to see what you can do."))]


def register(application: Application) -> None:  # type: ignore[type-arg]
    commands = {
        "start": start,
        "menu": lambda _args: show_menu,
        "help": lambda _args: show_help,
        "settings": lambda _args: members(CHOICES["settings"]),
        "language": lambda _args: members(CHOICES["language"]),
        "stop": lambda args: members(lambda s, t, p: pause(s, t, p, " ".join(args) or None)),
        "forget": lambda _args: members(CHOICES["forget"]),
        "cancel": lambda _args: cancel,
    }
    for name, action in commands.items():
        application.add_handler(on_command(name, action))
