"""Global commands that work from inside any exchange: /menu /help /settings /language /stop
/forget /cancel, and the menu's buttons."""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, filters

from db.store import Store
from flows.account.account import begin_forget, begin_settings, pause, resume_pressed
from flows.account.menu import MENU_PREFIX, help_text, menu
from flows.account.welcome import welcome_unknown
from flows.core.i18n import translator
from flows.core.ui import FlowContext, Reply
from flows.guardian.checkin import begin_now
from flows.guardian.words import ask_for_a_call, contact_director
from flows.staff.alert_desk import families_overview
from flows.staff.family_file import begin_new_family
from flows.staff.staff import invite_staff, staff_list
from handlers.common import answer_button
from handlers.context import KinContext
from handlers.flowrun import run_flow

PRIVATE = filters.ChatType.PRIVATE


def uid_of(update: Update) -> int:
    return update.effective_user.id if update.effective_user else 0


def _stranger(store: Store, ctx: FlowContext, update: Update) -> list[Reply]:
    from flows.core.i18n import normalize_locale

    code = update.effective_user.language_code if update.effective_user else None
    return [Reply(welcome_unknown(translator(normalize_locale(code, ctx.default_locale))))]


def for_person(update: Update, action):  # type: ignore[no-untyped-def]
    """Run ``action(store, ctx, person)`` for a known person; strangers get the invitation note."""
    def flow(store: Store, ctx: FlowContext) -> list[Reply]:
        person = store.people.by_telegram_user(uid_of(update))
        if person is None or person.status == "opted_out":
            return _stranger(store, ctx, update)
        return action(store, ctx, person)
    return flow


async def show_menu(update: Update, context: KinContext) -> None:
    def flow(store: Store, ctx: FlowContext) -> list[Reply]:
        person = store.people.by_telegram_user(uid_of(update))
        locale = person.locale if person else ctx.default_locale
        return [menu(translator(locale), person)]
    await run_flow(update, context, flow)


async def show_help(update: Update, context: KinContext) -> None:
    def flow(store: Store, ctx: FlowContext) -> list[Reply]:
        person = store.people.by_telegram_user(uid_of(update))
        if person is None:
            from flows.core.i18n import normalize_locale

            code = update.effective_user.language_code if update.effective_user else None
            _ = translator(normalize_locale(code, ctx.default_locale))
            return [Reply(help_text(_, None))]
        return [Reply(help_text(translator(person.locale), person)), menu(translator(person.locale), person)]
    await run_flow(update, context, flow)


async def settings(update: Update, context: KinContext) -> None:
    await run_flow(update, context, for_person(
        update, lambda s, c, p: begin_settings(s, c, p, uid_of(update))))


async def language(update: Update, context: KinContext) -> None:
    await run_flow(update, context, for_person(
        update, lambda s, c, p: begin_settings(s, c, p, uid_of(update), step="language")))


async def stop(update: Update, context: KinContext) -> None:
    reason = " ".join(context.args) if context.args else None
    await run_flow(update, context, for_person(update, lambda s, c, p: pause(s, c, p, reason)))


async def forget(update: Update, context: KinContext) -> None:
    await run_flow(update, context, for_person(
        update, lambda s, c, p: begin_forget(s, c, p, uid_of(update))))


async def cancel(update: Update, context: KinContext) -> None:
    def flow(store: Store, ctx: FlowContext) -> list[Reply]:
        person = store.people.by_telegram_user(uid_of(update))
        store.dialogs.end(uid_of(update))
        _ = translator(person.locale if person else ctx.default_locale)
        return [Reply(_("All right, we stopped. Send /menu to see what you can do."))]
    await run_flow(update, context, flow)


async def menu_button(update: Update, context: KinContext) -> None:
    query = update.callback_query
    if query is None or query.data is None:
        return
    await answer_button(query)
    choice = query.data.removeprefix(MENU_PREFIX)
    uid = uid_of(update)
    actions = {
        "settings": lambda s, c, p: begin_settings(s, c, p, uid),
        "language": lambda s, c, p: begin_settings(s, c, p, uid, step="language"),
        "stop": lambda s, c, p: pause(s, c, p, None),
        "forget": lambda s, c, p: begin_forget(s, c, p, uid),
        "newfamily": lambda s, c, p: begin_new_family(s, c, p, uid),
        "invite_caseworker": lambda s, c, p: invite_staff(s, c, p, "caseworker", None),
        "staff": lambda s, c, p: staff_list(s, p),
        "checkin": lambda s, c, p: begin_now(s, c, p),
        "families": lambda s, c, p: families_overview(s, c, p),
        "contact": lambda s, c, p: contact_director(s, c, p),
        "callme": lambda s, c, p: ask_for_a_call(s, c, p),
        "resume": lambda s, c, p: resume_pressed(s, c, p),
    }
    action = actions.get(choice)
    if action is None:
        def stale(store: Store, ctx: FlowContext) -> list[Reply]:
            person = store.people.by_telegram_user(uid)
            _ = translator(person.locale if person else ctx.default_locale)
            return [Reply(_("This button is no longer active. Send /menu for a fresh one."))]
        await run_flow(update, context, stale)
        return
    await run_flow(update, context, for_person(update, action))


def register(application: Application) -> None:
    for name, callback in (("menu", show_menu), ("help", show_help), ("settings", settings),
                           ("language", language), ("stop", stop), ("forget", forget),
                           ("cancel", cancel)):
        application.add_handler(CommandHandler(name, callback, filters=PRIVATE))
    application.add_handler(CallbackQueryHandler(menu_button, pattern=f"^{MENU_PREFIX}"))
