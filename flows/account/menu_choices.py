"""What each button of the menu (flows/account/menu.py) starts."""

from __future__ import annotations

from collections.abc import Callable

from db.models import Person
from db.store import Store
from flows.account.account import begin_forget, begin_settings, pause, resume_pressed
from flows.account.welcome import welcome_unknown
from flows.core.buttons import MenuChoice, StaleButton
from flows.core.turn import Turn
from flows.core.ui import Reply
from flows.guardian.checkin import begin_now
from flows.guardian.words import ask_for_a_call, contact_director
from flows.staff.alert_desk import families_overview
from flows.staff.family_file import begin_new_family
from flows.staff.staff import invite_staff, staff_list

Start = Callable[[Store, Turn, Person], list[Reply]]

CHOICES: dict[str, Start] = {
    "settings": lambda s, t, p: begin_settings(s, t, p, t.tg_user_id or 0),
    "language": lambda s, t, p: begin_settings(s, t, p, t.tg_user_id or 0, step="language"),
    "stop": lambda s, t, p: pause(s, t, p, None),
    "forget": lambda s, t, p: begin_forget(s, t, p, t.tg_user_id or 0),
    "newfamily": lambda s, t, p: begin_new_family(s, t, p, t.tg_user_id or 0),
    "invite_caseworker": lambda s, t, p: invite_staff(s, t, p, "caseworker", None),
    "staff": lambda s, t, p: staff_list(s, p),
    "checkin": begin_now,
    "families": families_overview,
    "contact": contact_director,
    "callme": ask_for_a_call,
    "resume": resume_pressed,
}


def choose(store: Store, turn: Turn, button: MenuChoice) -> list[Reply]:
    start = CHOICES.get(button.choice)
    if start is None:
        raise StaleButton("menu")
    if turn.member is None:
        return [Reply(welcome_unknown(turn._))]
    return start(store, turn, turn.member)
