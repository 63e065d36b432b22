"""The family file a caseworker fills in (/newfamily), and inviting its people.

Steps: village -> child's name -> birth month -> school and grade -> note -> another child? ->
consent obtained in person? -> (family created) -> who to invite -> their name -> link + QR -> ...
"""

from __future__ import annotations

import re
import unicodedata

from db.dialogs import Dialog
from db.models import Person
from db.store import Store
from flows.account.invites import create_invite, deep_link, qr_png
from flows.core.access import may_manage_family
from flows.core.buttons import FamilyAnswer, FamilyEdit, FamilyInvite
from flows.core.clock import to_iso
from flows.core.i18n import Translator, translator
from flows.core.labels import RELATION_LABELS, RELATION_ROLE, relation_label, yes_no
from flows.core.ui import FlowContext, Option, Reply, option_buttons, pick
from flows.guardian.checkin_plan import sync_family

KIND = "family"
TEXT_STEPS = {"village", "child_name", "birth_month", "school", "note", "invitee_name",
              "edit_village"}
CADENCES = ("daily", "thrice_weekly", "weekly")
SKIP_WORDS = {"-", "跳过", "无", "没有", "skip", "none", "no"}
MAX_FIELD = 200


def clean_text(text: str, limit: int = MAX_FIELD) -> str:
    """One line of printable text, without control or zero-width characters."""
    kept = "".join(ch for ch in text if unicodedata.category(ch) not in ("Cc", "Cf", "Co", "Cs"))
    return " ".join(kept.split())[:limit]


def parse_birth_month(text: str) -> str | None:
    """"2016-03", "2016/3", "2016年3月", "201603" -> "2016-03"."""
    folded = unicodedata.normalize("NFKC", text)
    match = re.search(r"(19|20)(\d{2})\D{0,3}(\d{1,2})", folded)
    if not match:
        return None
    year, month = int(match.group(1) + match.group(2)), int(match.group(3))
    return f"{year:04d}-{month:02d}" if 1 <= month <= 12 else None


def relation_options(_: Translator) -> list[Option]:
    words = {"grandmother": ("奶奶", "外婆", "姥姥"), "grandfather": ("爷爷", "外公", "姥爷"),
             "mother": ("妈妈", "母亲"), "father": ("爸爸", "父亲"), "other_guardian": ("其他",)}
    options = [Option(r, _(label), words[r]) for r, label in RELATION_LABELS.items()]
    return [*options, Option("done", _("✔️ Done inviting"), ("完成", "好了", "done"))]


def _prompt(_: Translator, step: str) -> Reply:
    texts = {
        "village": _("Which village does the family live in?"),
        "child_name": _("What is the child's name or nickname?"),
        "birth_month": _("The child's birth month? For example 2016-03."),
        "school": _("School and grade? For example 青山小学 三年级. Send - to skip."),
        "note": _("One short note about the child for the file? Send - to skip."),
        "invitee_name": _("What is their name (as the family calls them, e.g. 王奶奶)?"),
        "edit_village": _("The new village name?"),
    }
    if step in texts:
        return Reply(texts[step])
    if step == "more_children":
        return Reply(_("Add another child to this family?"),
                     option_buttons(lambda v: FamilyAnswer(step, v), yes_no(_), per_row=2))
    if step == "consent":
        return Reply(_("Did the guardian agree in person that KinBridge may keep this information "
                       "about the child? (Required for children's data.)"),
                     option_buttons(lambda v: FamilyAnswer(step, v), yes_no(_), per_row=2))
    if step == "relation":
        return Reply(_("Whom shall I invite to this family?"),
                     option_buttons(lambda v: FamilyAnswer(step, v), relation_options(_), per_row=2))
    if step == "cadence":
        return Reply(_("How often should the guardians be asked about the child?"),
                     option_buttons(lambda v: FamilyAnswer(step, v), cadence_options(_)))
    raise ValueError(step)


def cadence_options(_: Translator) -> list[Option]:
    return [Option("daily", _("Every day"), ("每天",)),
            Option("thrice_weekly", _("Three times a week"), ("每周三次",)),
            Option("weekly", _("Once a week"), ("每周一次",))]


EDITS = {"village": "edit_village", "child": "child_name", "cadence": "cadence"}


def begin_edit(store: Store, ctx: FlowContext, person: Person, tg_user_id: int, family_id: int,
               what: str) -> list[Reply]:
    _ = translator(person.locale)
    if what not in EDITS or not may_manage_family(store, person, family_id):
        return [Reply(_("You cannot open this family."))]
    store.dialogs.put(tg_user_id, KIND, EDITS[what], {"family_id": family_id, "edit": True},
                      now=to_iso(ctx.now))
    return [_prompt(_, EDITS[what])]


def _edited(store: Store, ctx: FlowContext, person: Person, tg_user_id: int, family_id: int,
            change: str) -> list[Reply]:
    store.dialogs.end(tg_user_id)
    store.audit.add(at=to_iso(ctx.now), actor_id=person.id, action="family_edit",
                    target=f"family:{family_id}", detail=change)
    return family_summary(store, ctx, person, family_id)


def begin_new_family(store: Store, ctx: FlowContext, person: Person, tg_user_id: int) -> list[Reply]:
    _ = translator(person.locale)
    if not person.is_staff:
        return [Reply(_("Only the village children's director can create a family file."))]
    store.dialogs.put(tg_user_id, KIND, "village", {"children": []}, now=to_iso(ctx.now))
    return [Reply(_("Let's create a family file. You can send /cancel at any time.")),
            _prompt(_, "village")]


def begin_invite(store: Store, ctx: FlowContext, person: Person, tg_user_id: int,
                 family_id: int) -> list[Reply]:
    _ = translator(person.locale)
    if not may_manage_family(store, person, family_id):
        return [Reply(_("You cannot open this family."))]
    store.dialogs.put(tg_user_id, KIND, "relation", {"family_id": family_id}, now=to_iso(ctx.now))
    return [_prompt(_, "relation")]


def answer_family(store: Store, ctx: FlowContext, person: Person, dialog: Dialog, *,
                  value: str | None = None, text: str | None = None) -> list[Reply]:
    _ = translator(person.locale)
    data = dict(dialog.data)
    step = dialog.step
    now = to_iso(ctx.now)

    def go(next_step: str, *extra: Reply) -> list[Reply]:
        store.dialogs.put(dialog.tg_user_id, KIND, next_step, data, now=now)
        return [*extra, _prompt(_, next_step)]

    if step in TEXT_STEPS:
        if text is None:
            return [Reply(_("Please type the answer as a message.")), _prompt(_, step)]
        answer = clean_text(text)
        skipped = answer.lower() in SKIP_WORDS
        if not answer:
            return [_prompt(_, step)]
        if step == "village":
            data["village"] = answer
            return go("child_name")
        if step == "edit_village":
            family_id = int(data["family_id"])  # type: ignore[call-overload]
            if not may_manage_family(store, person, family_id):
                store.dialogs.end(dialog.tg_user_id)
                return [Reply(_("You cannot open this family."))]
            store.families.set_village(family_id, answer)
            return _edited(store, ctx, person, dialog.tg_user_id, family_id, "village")
        if step == "child_name":
            data["current"] = {"name": answer}
            return go("birth_month")
        if step == "birth_month":
            month = None if skipped else parse_birth_month(answer)
            if month is None and not skipped:
                return [Reply(_("I could not read that month. Please write it like 2016-03, or "
                                "send - to skip.")), ]
            data["current"]["birth_month"] = month  # type: ignore[index]
            return go("school")
        if step == "school":
            data["current"]["school"] = None if skipped else answer  # type: ignore[index]
            return go("note")
        if step == "note":
            data["current"]["notes"] = None if skipped else answer  # type: ignore[index]
            if data.get("edit"):
                family_id = int(data["family_id"])  # type: ignore[call-overload]
                if not may_manage_family(store, person, family_id):
                    store.dialogs.end(dialog.tg_user_id)
                    return [Reply(_("You cannot open this family."))]
                store.families.add_child(family_id, now=now, **data.pop("current"))  # type: ignore[arg-type]
                return _edited(store, ctx, person, dialog.tg_user_id, family_id, "child added")
            data["children"] = [*data.get("children", []), data.pop("current")]  # type: ignore[list-item]
            return go("more_children")
        if step == "invitee_name":
            return _make_invite(store, ctx, person, dialog, data, answer, _)

    options = relation_options(_) if step == "relation" else \
        cadence_options(_) if step == "cadence" else yes_no(_)
    chosen = pick(options, value, text)
    if chosen is None:
        again = Reply(_("Sorry, I did not understand. Please press one of the buttons, or type "
                        "its number."))
        return [again, _prompt(_, step)]
    if step == "more_children":
        return go("child_name") if chosen.value == "y" else go("consent")
    if step == "cadence":
        family_id = int(data["family_id"])  # type: ignore[call-overload]
        if not may_manage_family(store, person, family_id):
            store.dialogs.end(dialog.tg_user_id)
            return [Reply(_("You cannot open this family."))]
        store.families.set_cadence(family_id, chosen.value)
        sync_family(store, family_id, ctx.now)
        return _edited(store, ctx, person, dialog.tg_user_id, family_id, f"cadence {chosen.value}")
    if step == "consent":
        if chosen.value != "y":
            store.dialogs.end(dialog.tg_user_id)
            return [Reply(_("Without the guardian's consent I cannot keep the child's information. "
                            "Nothing was saved. Start again with /newfamily after asking them."))]
        family_id = store.families.add(
            village=str(data["village"]), now=now, caseworker_id=person.id if
            person.role == "caseworker" else None,
            supervisor_id=person.supervisor_id if person.role == "caseworker" else
            (person.id if person.role == "supervisor" else None),
            consent_confirmed_at=now)
        for child in data.get("children", []):  # type: ignore[attr-defined]
            store.families.add_child(family_id, now=now, **child)
        store.audit.add(at=now, actor_id=person.id, action="family_created",
                        target=f"family:{family_id}", detail="consent confirmed in person")
        data = {"family_id": family_id}
        return go("relation", Reply(_("Family #%(id)s is saved.", id=family_id)))
    if step == "relation":
        if chosen.value == "done":
            store.dialogs.end(dialog.tg_user_id)
            return [Reply(_("Done. Send /family %(id)s to see the family file.",
                            id=data.get("family_id")))]
        data["relation"] = chosen.value
        return go("invitee_name")
    return [Reply(_("Sorry, I did not understand."))]


def _make_invite(store: Store, ctx: FlowContext, person: Person, dialog: Dialog,
                 data: dict[str, object], name: str, _: Translator) -> list[Reply]:
    family_id = int(data["family_id"])  # type: ignore[call-overload]
    if not may_manage_family(store, person, family_id):
        store.dialogs.end(dialog.tg_user_id)
        return [Reply(_("You cannot open this family."))]
    relation = str(data["relation"])
    code = create_invite(store, now=ctx.now, kind="family", role=RELATION_ROLE[relation],
                         created_by=person.id, family_id=family_id, relation=relation,
                         invitee_name=name)
    link = deep_link(ctx.bot_username, code)
    data.pop("relation", None)
    store.dialogs.put(dialog.tg_user_id, KIND, "relation", data, now=to_iso(ctx.now))
    text = _("Invitation for %(name)s (%(relation)s). It works once and expires in 14 days.\n"
             "Send them this link, or let them scan the QR code:\n%(link)s\nCode: %(code)s",
             name=name, relation=relation_label(_, relation), link=link, code=code)
    return [Reply(text, photo_png=qr_png(link)), _prompt(_, "relation")]


def family_summary(store: Store, ctx: FlowContext, person: Person, family_id: int) -> list[Reply]:
    _ = translator(person.locale)
    family = store.families.get(family_id)
    if family is None or not may_manage_family(store, person, family_id):
        store.audit.add(at=to_iso(ctx.now), actor_id=person.id, action="family_view_refused",
                        target=f"family:{family_id}")
        return [Reply(_("You cannot open this family."))]
    store.audit.add(at=to_iso(ctx.now), actor_id=person.id, action="family_view",
                    target=f"family:{family_id}")
    cadence = next(o.label for o in cadence_options(_) if o.value == family.cadence)
    lines = [_("Family #%(id)s, %(village)s", id=family.id, village=family.village),
             _("Check-ins: %(cadence)s", cadence=cadence)]
    caseworker = store.people.get(family.caseworker_id) if family.caseworker_id else None
    if caseworker is None:
        lines.append(_("Caseworker: ⚠️ no caseworker (/reassign %(id)s <caseworker>)",
                       id=family.id))
    else:
        lines.append(_("Caseworker: %(name)s", name=caseworker.display_name or
                       f"#{caseworker.id}"))
    for child in store.families.children(family_id):
        details = " ".join(x for x in (child.birth_month, child.school, child.grade) if x)
        lines.append(f"👧 {child.name} {details}".rstrip())
    for member in store.families.members(family_id):
        who = store.people.get(member.person_id)
        name = who.display_name if who and who.display_name else _("(removed)")
        lines.append(f"👤 {relation_label(_, member.relation)}: {name}")
    pending = store.invites.pending_for_family(family_id, to_iso(ctx.now))
    if pending:
        lines.append(_("Invitations not yet used: %(n)s", n=len(pending)))
    buttons = [[(_("➕ Invite someone"), FamilyInvite(family_id).pack()),
                (_("👧 Add a child"), FamilyEdit(family_id, "child").pack())],
               [(_("🔁 Check-in cadence"), FamilyEdit(family_id, "cadence").pack()),
                (_("✏️ Village"), FamilyEdit(family_id, "village").pack())]]
    return [Reply("\n".join(lines), buttons)]
