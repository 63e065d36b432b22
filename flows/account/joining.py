"""Joining with an invite, in plain words: who you are ("您是小明的奶奶，对吗？"), consent in two
short sentences, your times. The language is asked only when Telegram says the person does not
use Chinese (it can be changed later in settings). Staff invited get their own short start. One
step per message.

The dialog row is written in the same transaction as each answer, so a restart resumes it.
Nothing about the person is stored before they consent; the invite is used up only at the end.
"""

from __future__ import annotations

from db.dialogs import Dialog
from db.outbox import LANE_REMINDER, NewMessage
from db.store import Store
from flows.account.invites import check_code
from flows.account.welcome import family_keyboard
from flows.core.access import reachable_caseworker
from flows.core.buttons import JoinAnswer
from flows.core.clock import to_iso
from flows.core.effects import CodeAttemptsThrottled, ForgetCachedPerson
from flows.core.i18n import Translator, normalize_locale, translator
from flows.core.labels import (
    RELATION_ROLE,
    ROLE_LABELS,
    checkin_options,
    language_options,
    relation_label,
    weekday_options,
    weekly_time_options,
    yes_no,
)
from flows.core.person_plans import sync_person
from flows.core.ui import FlowContext, Option, Reply, option_buttons, pick
from flows.staff.alerts import route_waiting

KIND = "join"


def _question(_: Translator, step: str, data: dict[str, object], store: Store) -> tuple[str, list[Option]]:
    if step == "consent":
        return (_("What you tell me about the child is seen only by the family and the village "
                  "children's director. You can stop at any time, or have your details deleted. "
                  "Is that all right?"), yes_no(_))
    if step == "staff_consent":
        return (_("I will keep your name and this chat to send you alerts about your families. "
                  "Shall we start?"), yes_no(_))
    if step == "language":
        return _("Which language do you prefer?"), language_options()
    if step == "confirm":
        family_id = data.get("family_id")
        names = "、".join(c.name for c in store.families.children(int(family_id))) if family_id else ""
        return (_("Are you %(children)s's %(relation)s?",
                  relation=relation_label(_, str(data.get("relation"))), children=names or "?"),
                yes_no(_))
    if step == "checkin_time":
        return (_("When shall I ask you about the child each day? Pick the time that suits you."),
                checkin_options(_))
    if step == "weekly_day":
        return _("On which day would you like your weekly message?"), weekday_options(_)
    if step == "weekly_time":
        return _("At what time on that day?"), weekly_time_options()
    raise ValueError(f"unknown join step {step}")


def _ask(_: Translator, step: str, data: dict[str, object], store: Store, *,
         again: bool = False) -> Reply:
    text, options = _question(_, step, data, store)
    if again:
        text = _("Sorry, I did not understand. Please press one of the buttons, or type its number.") \
            + "\n\n" + text
    per_row = 2 if step in ("consent", "staff_consent", "confirm", "language") else 1
    return Reply(text, option_buttons(lambda v: JoinAnswer(step, v), options, per_row=per_row))


def _speaks_chinese(language_code: str | None) -> bool:
    """Telegram's language code: Chinese or missing (most grandparents' phones) means Chinese."""
    return not language_code or language_code.strip().lower().startswith("zh")


def begin_join(store: Store, ctx: FlowContext, *, tg_user_id: int, code: str,
               language_code: str | None = None) -> list[Reply]:
    existing = store.people.by_telegram_user(tg_user_id)
    ask_language = existing is None and not _speaks_chinese(language_code)
    locale = existing.locale if existing else \
        (normalize_locale(language_code, "en") if ask_language else "zh_CN")
    _ = translator(locale)
    check = check_code(store, tg_user_id=tg_user_id, code=code, now=ctx.now)
    if check.outcome == "throttled":
        ctx.effects.append(CodeAttemptsThrottled())
        return [Reply(_("Too many wrong codes. Please wait 15 minutes and try again, or ask your "
                        "village children's director for help."))]
    if check.outcome == "unknown":
        return [Reply(_("I could not find this invitation code. Please check it, or ask your "
                        "village children's director for a new one."))]
    if check.outcome == "used":
        return [Reply(_("This invitation has already been used. If that was not you, please tell "
                        "your village children's director."))]
    if check.outcome == "expired":
        return [Reply(_("This invitation has expired. Please ask your village children's director "
                        "for a new one."))]
    invite = check.invite
    assert invite is not None
    if existing is not None and invite.family_id is None:
        return [_staff_invite_refused(existing.locale, existing.role)]
    if existing is not None and invite.family_id is not None and any(
            m.family_id == invite.family_id for m in store.families.memberships_of(existing.id)):
        return [Reply(_("You are already part of this family in KinBridge."),
                      keyboard=family_keyboard(_, existing))]
    data: dict[str, object] = {"invite_id": invite.id, "family_id": invite.family_id,
                               "relation": invite.relation, "role": invite.role,
                               "locale": locale}
    first = "language" if ask_language else _after_language(data)
    store.dialogs.put(tg_user_id, KIND, first, data, now=to_iso(ctx.now))
    if invite.family_id is None:
        greeting = _("Hello! Welcome to KinBridge (亲情桥).") + "\n" + _(
            "You are invited as %(role)s: here you will get alerts about the families in your "
            "care and can see how they are doing.", role=_(ROLE_LABELS.get(invite.role,
                                                                          invite.role)))
    else:
        greeting = _("Hello! Welcome to KinBridge (亲情桥).") + "\n" + _(
            "I help the child's family and the village children's director stay in touch.")
    return [Reply(greeting), _ask(_, first, data, store)]


def _after_language(data: dict[str, object]) -> str:
    return "confirm" if data.get("family_id") else "staff_consent"


def _next_step(step: str, data: dict[str, object]) -> str | None:
    role = str(data.get("role"))
    if step == "language":
        return _after_language(data)
    if step == "confirm":
        return "consent" if not data.get("consent_at") else _times(role)
    if step == "consent":  # (a join begun before this order asked consent first)
        return "confirm" if data.get("family_id") and not data.get("confirmed") else _times(role)
    if step == "weekly_day":
        return "weekly_time"
    return None


def _times(role: str) -> str:
    return "checkin_time" if role == "guardian" else "weekly_day"


def answer_join(store: Store, ctx: FlowContext, dialog: Dialog, *, chat_id: int,
                first_name: str | None, value: str | None = None,
                text: str | None = None) -> list[Reply]:
    data = dict(dialog.data)
    _ = translator(str(data.get("locale") or ctx.default_locale))
    step = dialog.step
    __, options = _question(_, step, data, store)
    chosen = pick(options, value, text)
    if chosen is None:
        return [_ask(_, step, data, store, again=True)]
    now = to_iso(ctx.now)
    if step in ("consent", "staff_consent") and chosen.value == "n":
        store.dialogs.end(dialog.tg_user_id)
        return [Reply(_("That is all right. Nothing about you has been kept. If you change your "
                        "mind, open the invitation again."))]
    if step == "confirm" and chosen.value == "n":
        store.dialogs.end(dialog.tg_user_id)
        return [Reply(_("Thank you for telling me. Please ask your village children's director to "
                        "check the invitation."))]
    if step in ("consent", "staff_consent"):
        data["consent_at"] = now
    elif step == "confirm":
        data["confirmed"] = True
    elif step == "language":
        data["locale"] = chosen.value
        _ = translator(chosen.value)
    elif step == "checkin_time":
        data["checkin_time"] = chosen.value
    elif step == "weekly_day":
        data["weekly_day"] = int(chosen.value)
    elif step == "weekly_time":
        data["weekly_time"] = chosen.value
    following = _next_step(step, data)
    if following is not None:
        store.dialogs.put(dialog.tg_user_id, KIND, following, data, now=now)
        return [_ask(_, following, data, store)]
    return _finish(store, ctx, dialog.tg_user_id, chat_id, first_name, data, _)


def _finish(store: Store, ctx: FlowContext, tg_user_id: int, chat_id: int,
            first_name: str | None, data: dict[str, object], _: Translator) -> list[Reply]:
    now = to_iso(ctx.now)
    store.dialogs.end(tg_user_id)
    invite = store.invites.get(int(data["invite_id"]))  # type: ignore[arg-type]
    if invite is None or invite.used_at is not None or invite.expires_at <= now:
        return [Reply(_("Sorry, this invitation can no longer be used. Please ask your village "
                        "children's director for a new one."))]
    person = store.people.by_telegram_user(tg_user_id)
    if person is not None and invite.family_id is None:  # became known while joining
        return [_staff_invite_refused(person.locale, person.role)]
    if person is None:
        person_id = store.people.add(
            role=invite.role, now=now, display_name=invite.invitee_name or first_name,
            tg_user_id=tg_user_id, tg_chat_id=chat_id, locale=str(data["locale"]),
            tz=ctx.default_tz, consent_at=str(data.get("consent_at") or now),
            supervisor_id=invite.supervisor_id)
    else:
        person_id = person.id
        store.people.set_chat(person_id, chat_id)
        store.people.set_locale(person_id, str(data["locale"]))
        if person.status != "active":
            store.people.set_status(person_id, "active")
    store.invites.mark_used(invite.id, person_id=person_id, now=now)
    store.audit.add(at=now, actor_id=person_id, action="consent_given",
                    target=f"invite:{invite.id}")
    ctx.effects.append(ForgetCachedPerson(tg_user_id))
    if invite.family_id is None:  # staff
        sync_person(store, person_id, ctx.now)
        route_waiting(store, ctx.now)  # alerts that found nobody may go to the newcomer
        return [Reply(_("Welcome! You are now a %(role)s in KinBridge. Send /menu to see what you "
                        "can do.", role=_(ROLE_LABELS[invite.role])))]
    store.families.add_member(invite.family_id, person_id, invite.relation or "other_guardian",
                              now=now)
    if data.get("checkin_time"):
        store.people.set_checkin_time(person_id, str(data["checkin_time"]))
    if data.get("weekly_day"):
        store.people.set_weekly(person_id, int(data["weekly_day"]),  # type: ignore[call-overload]
                                str(data.get("weekly_time") or "20:00"))
    sync_person(store, person_id, ctx.now)
    _tell_caseworker(store, ctx, invite.family_id, invite.relation)
    if RELATION_ROLE.get(invite.relation or "") == "parent" or invite.role == "parent":
        done = _("All set, thank you! Every week I will send you a short picture of your child's "
                 "week and an idea for your next call. The buttons below log a call, set a "
                 "reminder or plan a visit home; ⚙️ changes the day and time.")
    else:
        done = _("All set, thank you! Every day at the time you chose I will ask a few short "
                 "questions about the child; one tap answers each. If you need help, press 🆘 "
                 "below.")
    joined = store.people.get(person_id)
    return [Reply(done, keyboard=family_keyboard(_, joined) if joined else None)]


def _staff_invite_refused(locale: str, role: str) -> Reply:
    """A staff invitation only makes someone new into staff: a family member (or staff already)
    is told so plainly, and the invitation stays unused for the person it was meant for."""
    _ = translator(locale)
    return Reply(_("This invitation is for new staff, and it cannot be used from an account "
                   "that is already in KinBridge (you are here as a %(role)s). Nothing has "
                   "changed, and the invitation still works for the person it was meant for.",
                   role=_(ROLE_LABELS.get(role, role))))


def _tell_caseworker(store: Store, ctx: FlowContext, family_id: int, relation: str | None) -> None:
    found = reachable_caseworker(store, family_id)
    if found is None:
        return
    family, caseworker = found
    _ = translator(caseworker.locale)
    text = _("✅ The %(relation)s of family #%(id)s (%(village)s) has joined KinBridge.",
             relation=relation_label(_, relation), id=family.id, village=family.village)
    store.outbox.enqueue(NewMessage(
        dedupe_key=f"joined:{family_id}:{relation}:{to_iso(ctx.now)}", chat_id=caseworker.tg_chat_id,
        lane=LANE_REMINDER, payload={"text": text, "family_id": family_id},
        person_id=caseworker.id), now=to_iso(ctx.now))
