"""What the bot says first: to unknown people, and to people it knows, by role."""

from __future__ import annotations

from db.models import Person
from flows.core.i18n import Translator


def welcome_unknown(_: Translator) -> str:
    return _(
        "Hello! I am KinBridge (亲情桥). I help grandparents, parents who work far away and the "
        "village children's director keep in touch about a child.\n\n"
        "To join, you need an invitation from your village children's director. Please ask them "
        "for your invitation link or QR code."
    )


def welcome_back(_: Translator, person: Person) -> str:
    if person.role == "guardian":
        return _("Welcome back! I will ask you a few short questions about the child at your "
                 "chosen time. You can press 🆘 at any moment if you need help.")
    if person.role == "parent":
        return _("Welcome back! Every week I will send you a short picture of your child's week "
                 "and an idea for your next call.")
    return _("Welcome back! I will send you alerts about your families here.")


def family_keyboard(_: Translator, person: Person) -> list[list[str]] | None:
    """Always under the chat for families: 🆘 (and, for guardians, "tell about the child now").
    Pressing one sends its words, which the bot recognises in any exchange."""
    if person.role == "guardian":
        return [[_("🆘 Help now")], [_("📝 Tell about the child now")]]
    if person.role == "parent":
        return [[_("🆘 Help now")]]
    return None
