"""Small builders shared by tests (real rows in a real database, no mocks)."""

from __future__ import annotations

from db.store import Store

NOW = "2026-11-23T01:00:00.000000Z"


def add_family(store: Store, *, guardian_tg: int = 101, parent_tg: int = 102,
               caseworker_tg: int = 201, village: str = "青山村",
               parent_tz: str = "Asia/Shanghai") -> dict[str, int]:
    cw = store.people.add(role="caseworker", now=NOW, display_name="李主任",
                          tg_user_id=caseworker_tg, tg_chat_id=caseworker_tg)
    grandma = store.people.add(role="guardian", now=NOW, display_name="奶奶",
                               tg_user_id=guardian_tg, tg_chat_id=guardian_tg)
    father = store.people.add(role="parent", now=NOW, display_name="爸爸", tg_user_id=parent_tg,
                              tg_chat_id=parent_tg, tz=parent_tz)
    family = store.families.add(village=village, now=NOW, caseworker_id=cw)
    store.families.add_child(family, name="小明", now=NOW, birth_month="2016-03")
    store.families.add_member(family, grandma, "grandmother", now=NOW)
    store.families.add_member(family, father, "father", now=NOW)
    return {"caseworker": cw, "guardian": grandma, "parent": father, "family": family}
