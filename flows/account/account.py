"""A person's own account: language, settings, pausing (/stop) and being forgotten (/forget)."""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from db.dialogs import Dialog
from db.models import Person
from db.outbox import LANE_REMINDER, NewMessage
from db.store import Store
from flows.account.welcome import family_keyboard
from flows.core.access import reachable_caseworker
from flows.core.buttons import ForgetAnswer, MenuChoice, SettingsAnswer
from flows.core.clock import to_iso
from flows.core.effects import ForgetCachedPerson
from flows.core.i18n import Translator, translator
from flows.core.labels import (
    TIMEZONES,
    checkin_options,
    language_options,
    relation_label,
    weekday_options,
    weekly_time_options,
)
from flows.core.person_plans import sync_person
from flows.core.ui import FlowContext, Option, Reply, option_buttons, pick
from flows.staff.alerts import route, route_waiting, staff_gone
from flows.staff.family_file import clean_text

SETTINGS = "settings"
FORGET = "forget"
QUIET_PRESETS = (("20:00", "06:00"), ("21:30", "07:30"), ("22:30", "07:00"))


def settings_menu_options(_: Translator, person: Person) -> list[Option]:
    options = [Option("language", _("🌐 Language"), ("语言", "language"))]
    if person.role == "guardian":
        options.append(Option("checkin_time", _("⏰ Check-in time"), ("时间", "check-in")))
    if person.role == "parent":
        options.append(Option("weekly_day", _("📅 Weekly message day and time"), ("每周",)))
    options += [Option("quiet", _("🌙 Quiet hours"), ("免打扰", "quiet")),
                Option("tz", _("🌍 Time zone"), ("时区", "time zone"))]
    return options


def _options(_: Translator, step: str, person: Person) -> list[Option]:
    if step == "menu":
        return settings_menu_options(_, person)
    if step == "language":
        return language_options()
    if step == "checkin_time":
        return checkin_options(_)
    if step == "weekly_day":
        return weekday_options(_)
    if step == "weekly_time":
        return weekly_time_options()
    if step == "quiet":
        return [Option(f"{a}-{b}", f"{a}–{b}") for a, b in QUIET_PRESETS]
    if step == "tz":
        return [Option(z, z) for z in TIMEZONES]
    raise ValueError(step)


def _prompt(_: Translator, step: str, person: Person, *, again: bool = False) -> Reply:
    questions = {
        "menu": _("What would you like to change?"),
        "language": _("Which language do you prefer?"),
        "checkin_time": _("When shall I ask you about the child each day?"),
        "weekly_day": _("On which day would you like your weekly message?"),
        "weekly_time": _("At what time on that day?"),
        "quiet": _("When should I stay quiet (no reminders)? Urgent matters still reach the "
                   "children's director."),
        "tz": _("Your time zone now: %(tz)s. Pick one, or type its name (e.g. Asia/Dubai).",
                tz=person.tz),
    }
    text = questions[step]
    if again:
        text = _("Sorry, I did not understand. Please press one of the buttons, or type its "
                 "number.") + "\n\n" + text
    per_row = 2 if step in ("language", "tz") else 1
    return Reply(text, option_buttons(lambda v: SettingsAnswer(step, v), _options(_, step, person),
                                      per_row=per_row))


def begin_settings(store: Store, ctx: FlowContext, person: Person, tg_user_id: int,
                   step: str = "menu") -> list[Reply]:
    _ = translator(person.locale)
    store.dialogs.put(tg_user_id, SETTINGS, step, {}, now=to_iso(ctx.now))
    return [_prompt(_, step, person)]


def answer_settings(store: Store, ctx: FlowContext, person: Person, dialog: Dialog, *,
                    value: str | None = None, text: str | None = None) -> list[Reply]:
    _ = translator(person.locale)
    step = dialog.step
    options = _options(_, step, person)
    chosen = pick(options, value, text)
    if chosen is None and step == "tz" and text:
        chosen = _typed_zone(text)
    if chosen is None:
        return [_prompt(_, step, person, again=True)]
    now = to_iso(ctx.now)
    if step == "menu":
        store.dialogs.put(dialog.tg_user_id, SETTINGS, chosen.value, {}, now=now)
        return [_prompt(_, chosen.value, person)]
    if step == "weekly_day":
        store.dialogs.put(dialog.tg_user_id, SETTINGS, "weekly_time", {"day": int(chosen.value)},
                          now=now)
        return [_prompt(_, "weekly_time", person)]
    store.dialogs.end(dialog.tg_user_id)
    ctx.effects.append(ForgetCachedPerson(dialog.tg_user_id))
    if step == "language":
        store.people.set_locale(person.id, chosen.value)
        _ = translator(chosen.value)
    elif step == "checkin_time":
        store.people.set_checkin_time(person.id, chosen.value)
    elif step == "weekly_time":
        store.people.set_weekly(person.id, int(dialog.data.get("day", 7)), chosen.value)
    elif step == "quiet":
        start, end = chosen.value.split("-")
        store.people.set_quiet_hours(person.id, start, end)
    elif step == "tz":
        store.people.set_timezone(person.id, chosen.value)
    if step in ("checkin_time", "weekly_time", "tz"):
        sync_person(store, person.id, ctx.now)
    return [Reply(_("Saved. Thank you!"))]


def _typed_zone(text: str) -> Option | None:
    name = text.strip().replace(" ", "_")
    if "/" not in name or len(name) > 64:
        return None
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return Option(name, name)


def pause(store: Store, ctx: FlowContext, person: Person, reason: str | None) -> list[Reply]:
    _ = translator(person.locale)
    store.people.set_status(person.id, "paused", clean_text(reason or "") or None)
    store.audit.add(at=to_iso(ctx.now), actor_id=person.id, action="paused")
    ctx.effects.append(ForgetCachedPerson(person.tg_user_id))
    if person.is_staff:
        return [Reply(_("I will not send you any more messages. Send /start whenever you want to "
                        "continue."))]
    return [Reply(_("I will not send you any more messages. When you want them again, press "
                    "the button below."),
                  [[(_("▶️ Start my messages again"), MenuChoice("resume").pack())]])]


def resume(store: Store, ctx: FlowContext, person: Person) -> list[Reply]:
    _ = translator(person.locale)
    store.people.set_status(person.id, "active")
    store.audit.add(at=to_iso(ctx.now), actor_id=person.id, action="resumed")
    if person.is_staff:  # alerts that found nobody may go to her now
        route_waiting(store, ctx.now)
    ctx.effects.append(ForgetCachedPerson(person.tg_user_id))
    text = _("Welcome back! Your messages will start again.")
    keyboard = family_keyboard(_, person)
    return [Reply(text, keyboard=keyboard)] if keyboard else [Reply(text)]


def resume_pressed(store: Store, ctx: FlowContext, person: Person) -> list[Reply]:
    """"▶️ Start my messages again" under the pause reply (the /start of those who do not type)."""
    if person.status in ("paused", "unreachable"):
        return resume(store, ctx, person)
    _ = translator(person.locale)
    text = _("Your messages are on. I am here whenever you need me.")
    keyboard = family_keyboard(_, person)
    return [Reply(text, keyboard=keyboard)] if keyboard else [Reply(text)]


def begin_forget(store: Store, ctx: FlowContext, person: Person, tg_user_id: int) -> list[Reply]:
    _ = translator(person.locale)
    store.dialogs.put(tg_user_id, FORGET, "confirm", {}, now=to_iso(ctx.now))
    return [Reply(_("Do you want me to remove your name, your chat and everything you wrote? The "
                    "children's director will be told that you left. This cannot be undone."),
                  option_buttons(lambda v: ForgetAnswer("confirm", v), forget_options(_), numbered=False))]


def forget_options(_: Translator) -> list[Option]:
    """Keeping first (a slip keeps everything); the destructive choice said plainly, no ✅."""
    return [Option("n", _("No, keep it and go back"), ("不删", "不", "不要", "不是", "否", "返回",
                                                         "算了", "no", "n", "keep", "back")),
            Option("y", _("🗑 Delete"), ("删掉", "删", "删除", "是", "是的", "yes", "y", "delete"))]


def answer_forget(store: Store, ctx: FlowContext, person: Person, dialog: Dialog, *,
                  value: str | None = None, text: str | None = None) -> list[Reply]:
    _ = translator(person.locale)
    options = forget_options(_)
    chosen = pick(options, value, text)
    if chosen is None:
        return [Reply(_("Please press one of the two buttons."),
                      option_buttons(lambda v: ForgetAnswer("confirm", v), options, numbered=False))]
    store.dialogs.end(dialog.tg_user_id)
    if chosen.value != "y":
        return [Reply(_("Nothing was removed."))]
    forget_person(store, ctx, person)
    return [Reply(_("Your personal data has been removed. Thank you for your time with KinBridge."),
                  anonymous=True)]


PHONE = re.compile(r"(?<!\d)\+?\d[\d -]{5,18}\d(?!\d)")


def phone_numbers(texts: list[str]) -> list[str]:
    """Phone-like numbers (seven digits or more) in what a person wrote, digits only."""
    found = {re.sub(r"\D", "", m) for text in texts for m in PHONE.findall(text)}
    return sorted(n for n in found if len(n) >= 7)


def forget_person(store: Store, ctx: FlowContext, person: Person) -> None:
    """Remove every piece of personal data about ``person``; keep anonymised history."""
    now = to_iso(ctx.now)
    tg_user, chat = person.tg_user_id, person.tg_chat_id
    memberships = store.families.memberships_of(person.id)
    needles = [person.display_name or "", *(str(x) for x in (tg_user, chat) if x is not None),
               *phone_numbers(store.privacy.words_of(person.id))]
    store.privacy.redact_mentions([m.family_id for m in memberships], needles)
    store.privacy.scrub_person(person.id, (chat, tg_user))
    if tg_user is not None:
        store.dialogs.end(tg_user)
        store.invites.forget_attempts(tg_user)
    store.people.forget(person.id, now=now)
    store.audit.add(at=now, actor_id=person.id, action="forgotten")
    ctx.effects.append(ForgetCachedPerson(tg_user))
    if person.role == "caseworker":
        staff_gone(store, ctx.now, person, rule="staff_left", waits=ctx.escalation)
    elif person.is_staff:  # a supervisor or admin: the alerts she held go on
        for alert in store.alerts.held_by(person.id):
            route(store, alert.id, ctx.now)
    for membership in memberships:
        found = reachable_caseworker(store, membership.family_id)
        if found is None:
            continue
        family, caseworker = found
        _ = translator(caseworker.locale)
        store.outbox.enqueue(NewMessage(
            dedupe_key=f"forgotten:{person.id}:{family.id}", chat_id=caseworker.tg_chat_id,
            lane=LANE_REMINDER, person_id=caseworker.id, payload={
                "text": _("ℹ️ The %(relation)s of family #%(id)s (%(village)s) left KinBridge and "
                          "asked for their data to be removed.",
                          relation=relation_label(_, membership.relation), id=family.id,
                          village=family.village), "family_id": family.id}), now=now)
