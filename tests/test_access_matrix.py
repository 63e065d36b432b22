"""The access-control matrix: every persona (a stranger, a guardian, a parent, the family's
caseworker, a caseworker of another village, her supervisor, an admin, and a guardian who used
/forget) tries every command and every kind of button; each cell is allowed or refused as
expected. Through the whole application (process_update), answered offline."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot import build_application
from db.database import Database
from db.store import Store
from flows.account.account import forget_person
from flows.core.clock import to_iso
from flows.core.ui import FlowContext
from flows.guardian import checkin
from flows.staff.alerts import raise_alert
from sandbox.offline import OfflineBotApi, Updates
from tests.support.clock import daytime_clock
from tests.support.families import add_family
from tests.support.handles import sandbox_settings

pytestmark = pytest.mark.reliability

STRANGER, GRANDMA, FATHER, CW, OTHER_CW, SUPERVISOR, ADMIN, FORGOTTEN = (
    5555, 101, 102, 201, 202, 301, 9001, 103)
PERSONAS = {"stranger": STRANGER, "guardian": GRANDMA, "parent": FATHER, "caseworker": CW,
            "other_caseworker": OTHER_CW, "supervisor": SUPERVISOR, "admin": ADMIN,
            "forgotten": FORGOTTEN}
STAFF = {"caseworker", "supervisor", "admin", "other_caseworker"}
FAMILY_STAFF = {"caseworker", "supervisor", "admin"}  # may see family #1
KNOWN = set(PERSONAS) - {"stranger", "forgotten"}


@dataclass(frozen=True)
class Action:
    name: str
    update: Callable[[Updates, int, dict[str, int]], object]
    allowed: set[str]
    success: str  # words only a successful reply holds ("a|b": either)


def actions() -> list[Action]:
    def text(t: str) -> Callable[[Updates, int, dict[str, int]], object]:
        return lambda u, uid, ids: u.text(uid, t.format(**ids))

    def press(d: str) -> Callable[[Updates, int, dict[str, int]], object]:
        return lambda u, uid, ids: u.press(uid, d.format(**ids))
    return [
        Action("check-in answer", press("c:{checkin}:mood:happy"), {"guardian"}, "身体"),
        Action("/menu", text("/menu"), KNOWN, "您想做什么"),
        # public, says nothing private; families read buttons, not commands (issue 17.2)
        Action("/help", text("/help"), set(PERSONAS), "/language|聊天框下面"),
        Action("/settings", text("/settings"), KNOWN, "您想修改什么"),
        Action("/checkin", text("/checkin"), {"guardian"}, "点几下说说"),
        Action("/help_now", text("/help_now"), {"guardian", "parent"}, "危险"),
        Action("/alerts", text("/alerts"), STAFF, "警报"),
        Action("/families", text("/families"), STAFF, "您负责的家庭"),
        Action("/case 1", text("/case {family}"), FAMILY_STAFF, "📜 家庭 #"),
        Action("/note 1", text("/note {family} 家访"), FAMILY_STAFF, "添加记录"),
        Action("/export", text("/export"), STAFF, "📤"),
        Action("/family 1", text("/family {family}"), FAMILY_STAFF, "青山村"),
        Action("/newfamily", text("/newfamily"), STAFF, "我们来建一个家庭档案"),
        Action("/invite_staff", text("/invite_staff caseworker 小李"), {"supervisor", "admin"},
               "t.me/"),
        Action("/assign", text("/assign {cw_id} {sup_id}"), {"admin"}, "督导"),
        Action("/staff", text("/staff"), {"supervisor", "admin"}, "#"),
        Action("alert: acknowledge", press("a:ack:{alert}"), FAMILY_STAFF, "警报 #"),
        Action("alert: timeline", press("a:tl:{family}:0"), FAMILY_STAFF, "📜 家庭 #"),
        Action("alert: call guardian", press("a:call:{alert}"), FAMILY_STAFF, "联系人"),
        Action("alert: resolve", press("a:res:{alert}"), FAMILY_STAFF, "怎么处理"),
        Action("parent: I called", press("p:called:{family}"), {"parent"}, "记下了"),
        Action("parent: plan a visit", press("p:visit:{family}"), {"parent"}, "哪个月"),
        Action("parent: another tip", press("p:tip:{family}"), {"parent"}, "💡"),
        Action("family file edit", press("f:edit:{family}:village"), FAMILY_STAFF, "新的村名"),
        Action("menu: check-in", press("m:checkin"), {"guardian"}, "点几下说说"),
        Action("menu: my families", press("m:families"), STAFF, "您负责的家庭"),
        Action("alert: outcome", press("a:out:{alert}:called"), FAMILY_STAFF, "简单写一下"),
        Action("alert: queue page", press("a:q:0"), STAFF, "🟢|页"),
        # call #1 is the father's own (he pressed "I called" above): nobody else's
        Action("parent: call minutes", press("p:mins:1:15"), {"parent"}, "听起来怎么样"),
        Action("parent: remind day", press("p:rday:{family}:weekly"), {"parent"}, "几点提醒"),
        Action("parent: pick month", press("p:vm:{family}:209912:0"), {"parent"}, "哪个月"),
        Action("parent: cancel visit", press("p:vcancel:1"), set(), "已取消"),
        # only the father is still in his 🆘 exchange (the grandmother went on to her check-in)
        Action("sos: danger answer", press("h:danger:n"), {"parent"}, "转告"),
        Action("menu: settings", press("m:settings"), KNOWN, "您想修改什么"),
        Action("menu: new family", press("m:newfamily"), STAFF, "我们来建一个家庭档案"),
        Action("menu: invite caseworker", press("m:invite_caseworker"), {"supervisor", "admin"},
               "t.me/"),
        Action("menu: staff", press("m:staff"), {"supervisor", "admin"}, "#"),
        Action("settings: forged step", press("s:tz:Asia/Tokyo"), set(), "已保存"),
        Action("join: forged consent", press("j:consent:y"), set(), "语言"),
        Action("forged: forget confirm", press("x:confirm:y"), set(), "已删除"),
        Action("forged: junk", press("zz:1:2:3"), set(), "已删除"),
        Action("/language", text("/language"), KNOWN, "哪种语言"),
        Action("/cancel", text("/cancel"), set(PERSONAS), "已取消"),  # ends a half-done join too
        Action("/start", text("/start"), KNOWN, "欢迎回来"),
        Action("/stop", text("/stop"), KNOWN, "先不给您发消息"),
        Action("/forget", text("/forget"), KNOWN, "要删除"),
    ]


@pytest.fixture
async def world(tmp_path: Path):  # type: ignore[no-untyped-def]
    db = await Database.open(tmp_path / "matrix.db")
    clock = daytime_clock()
    now = clock.now()

    def setup(s: Store) -> dict[str, int]:
        ids = add_family(s, guardian_tg=GRANDMA, parent_tg=FATHER, caseworker_tg=CW)
        add_family(s, guardian_tg=111, parent_tg=112, caseworker_tg=OTHER_CW, village="白云村")
        sup = s.people.add(role="supervisor", now=to_iso(now), display_name="王督导",
                           tg_user_id=SUPERVISOR, tg_chat_id=SUPERVISOR)
        s.people.set_supervisor(ids["caseworker"], sup)
        s.people.add(role="admin", now=to_iso(now), display_name="管理员", tg_user_id=ADMIN,
                     tg_chat_id=ADMIN)
        gone = s.people.add(role="guardian", now=to_iso(now), display_name="外婆",
                            tg_user_id=FORGOTTEN, tg_chat_id=FORGOTTEN)
        s.families.add_member(ids["family"], gone, "other_guardian", now=to_iso(now))
        ctx = FlowContext(now=now, default_tz="Asia/Shanghai", default_locale="zh_CN",
                          bot_username="KinBridgeBot")
        person = s.people.get(gone)
        assert person is not None
        forget_person(s, ctx, person)
        alert = raise_alert(s, now=now, family_id=ids["family"], person_id=None, rule="sos",
                            severity="urgent", evidence=None)
        grandma = s.people.get(ids["guardian"])
        assert grandma is not None and alert is not None
        checkin.begin_now(s, ctx, grandma)
        open_checkin = s.checkins.for_family(ids["family"])[-1]
        return {"family": ids["family"], "alert": alert, "checkin": open_checkin.id,
                "cw_id": ids["caseworker"], "sup_id": sup}
    ids = await db.write(setup)
    api = OfflineBotApi()
    settings = sandbox_settings("http://127.0.0.1:9", tmp_path / "matrix.db", admins=(ADMIN,))
    application = build_application(settings, db=db, request=api, clock=clock,
                                    get_updates_request=OfflineBotApi(), send_rate_per_s=None)
    await application.initialize()
    yield application, api, ids, db
    await application.shutdown()
    await db.close()


async def test_every_role_against_every_action(world) -> None:  # type: ignore[no-untyped-def]
    application, api, ids, db = world
    updates = Updates(application.bot)
    cells = mistakes = 0
    report = []
    for action in actions():
        for persona, uid in PERSONAS.items():
            before = len(api.texts(uid))
            await application.process_update(action.update(updates, uid, ids))
            replies = api.texts(uid)[before:]
            said = "\n".join(replies)
            allowed = any(word in said for word in action.success.split("|"))
            expected = persona in action.allowed
            cells += 1
            assert replies, f"{persona} got no answer to {action.name}"
            assert "出了点问题" not in said, f"{persona} / {action.name} hit the error handler"
            if allowed != expected:
                mistakes += 1
                report.append(f"{action.name} by {persona}: {'allowed' if allowed else 'refused'}"
                              f" (expected {'allowed' if expected else 'refused'}): {said[:120]!r}")
            application.bot_data.services.forget_cached()
    assert mistakes == 0, "\n".join(report)
    assert cells == len(actions()) * len(PERSONAS)
    refused = await db.read(lambda s: s.conn.execute(
        "SELECT COUNT(*) FROM audit_log WHERE action = 'refused'").fetchone()[0])
    assert refused > 0  # refusals on alerts and timelines were written down
