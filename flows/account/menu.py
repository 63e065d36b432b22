"""/menu and /help: what this person can do now, as buttons."""

from __future__ import annotations

from db.models import Person
from flows.core.buttons import AlertQueuePage, MenuChoice, SosStart
from flows.core.i18n import Translator
from flows.core.ui import Buttons, Reply


def menu(_: Translator, person: Person | None) -> Reply:
    if person is None:
        return Reply(_("To join, you need an invitation from your village children's director. "
                       "Please ask them for your invitation link or QR code."))
    rows: Buttons = []
    if person.role == "guardian":
        rows.append([(_("📝 Tell about the child now"), MenuChoice("checkin").pack())])
    if person.role in ("guardian", "parent"):
        rows.append([(_("🆘 Help now"), SosStart().pack())])
    if person.is_staff:
        rows.append([(_("🚨 Open alerts"), AlertQueuePage(0).pack()),
                     (_("🏘 My families"), MenuChoice("families").pack())])
        rows.append([(_("📁 New family file"), MenuChoice("newfamily").pack())])
        if person.role in ("admin", "supervisor"):
            rows.append([(_("✉️ Invite a caseworker"), MenuChoice("invite_caseworker").pack())])
            rows.append([(_("👥 Staff"), MenuChoice("staff").pack())])
    rows.append([(_("⚙️ Settings"), MenuChoice("settings").pack()),
                 (_("🌐 Language"), MenuChoice("language").pack())])
    rows.append([(_("⏸ Pause messages"), MenuChoice("stop").pack()),
                 (_("🗑 Forget me"), MenuChoice("forget").pack())])
    return Reply(_("What would you like to do?"), rows)


def help_text(_: Translator, person: Person | None) -> str:
    lines = [_("KinBridge keeps a child's family and village children's director in touch.")]
    if person is not None and not person.is_staff:
        # families are never asked to type a command: the buttons say it all
        if person.role == "guardian":
            lines.append(_("Press 🆘 if the child needs help now, 📝 to tell me about the child, "
                           "or 📞 to reach the children's director. The buttons are at the bottom "
                           "of the chat."))
        else:
            lines.append(_("The buttons under the chat log a call, set a reminder, plan a visit "
                           "home or give you an idea for your next call; 🆘 if the child needs "
                           "help now."))
        return "\n".join(lines)
    if person is not None and person.role in ("guardian", "parent"):
        lines.append(_("/help_now: 🆘 a child needs help now (passed on at once to the "
                       "children's director, or to whoever can be reached)"))
    if person is not None and person.role == "guardian":
        lines.append(_("/checkin: tell me about the child now"))
    if person is not None and person.is_staff:
        lines += [_("/alerts: open alerts, most urgent first"),
                  _("/families: your families at a glance"),
                  _("/case <number>: a family's timeline"),
                  _("/note <number> <text>: add a note to a family"),
                  _("/export [from] [to]: CSV files of your families (dates as 2026-11-01)"),
                  _("/newfamily: create a family file"), _("/family <number>: open a family file")]
        if person.role in ("admin", "supervisor"):
            lines += [_("/invite_staff caseworker <name>: invite a caseworker"),
                      _("/reassign <family number> <caseworker number>: give a family to "
                        "another caseworker")]
        if person.role == "admin":
            lines += [_("/invite_staff supervisor <name>: invite a supervisor"),
                      _("/assign <caseworker number> <supervisor number>: set who supervises whom"),
                      _("/staff: list the staff")]
    lines += [_("/menu: buttons for what you can do"), _("/settings: times, quiet hours, time zone"),
              _("/language: 中文 or English"), _("/stop: pause all messages (/start resumes)"),
              _("/forget: remove your personal data"), _("/cancel: stop what we are doing")]
    return "\n".join(lines)
