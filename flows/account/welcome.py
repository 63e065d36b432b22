"""What the bot says first: to unknown people, and to people it knows, by role."""

from __future__ import annotations

from db.models import Person
from flows.core.i18n import N_, Translator, translator
from flows.core.ui import normalise


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


# what each key of the persistent keyboard does, by role (msgids; rows as shown)
KEYS: dict[str, list[list[tuple[str, str]]]] = {
    "guardian": [[(N_("🆘 Help now"), "sos")],
                 [(N_("📝 Tell about the child"), "checkin"),
                  (N_("📞 Contact the director"), "contact")]],
    "parent": [[(N_("📞 I called"), "called"), (N_("⏰ Remind me"), "remind")],
               [(N_("🏠 Visit home"), "visit"), (N_("💡 Tips"), "tip")],
               [(N_("🆘 Help now"), "sos"), (N_("⚙️ Settings"), "settings")]],
}
# keys of keyboards shown before (still under some people's chats)
OLD_KEYS = {N_("📝 Tell about the child now"): "checkin"}


def family_keyboard(_: Translator, person: Person) -> list[list[str]] | None:
    """Always under the chat for families, suited to the role: a grandmother's 🆘 / 📝 / 📞, a
    parent's call, reminder, visit and tip. Pressing one sends its words, which the bot
    recognises in any exchange (key_action)."""
    rows = KEYS.get(person.role)
    if rows is None:
        return None
    return [[_(label) for label, _action in row] for row in rows]


def key_action(text: str, person: Person) -> str | None:
    """The action of a keyboard key pressed (its words in the person's language or the other),
    or None for any other text."""
    cleaned = normalise(text)
    if not cleaned:
        return None
    keys = [key for row in KEYS.get(person.role, []) for key in row] + list(OLD_KEYS.items())
    for lang in dict.fromkeys((person.locale, "zh_CN", "en")):
        _ = translator(lang)
        for label, action in keys:
            if cleaned == normalise(_(label)):
                return action
    return None
