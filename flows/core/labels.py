"""Translatable labels shared by several flows."""

from __future__ import annotations

from flows.core.i18n import N_, Translator
from flows.core.ui import Option

RELATION_LABELS = {
    "grandmother": N_("grandmother"),
    "grandfather": N_("grandfather"),
    "mother": N_("mother"),
    "father": N_("father"),
    "other_guardian": N_("other guardian"),
}
RELATION_ROLE = {"grandmother": "guardian", "grandfather": "guardian", "other_guardian": "guardian",
                 "mother": "parent", "father": "parent"}
ROLE_LABELS = {"guardian": N_("guardian"), "parent": N_("parent"), "caseworker": N_("caseworker"),
               "supervisor": N_("supervisor"), "admin": N_("administrator")}
WEEKDAY_LABELS = {7: N_("Sunday"), 1: N_("Monday"), 2: N_("Tuesday"), 3: N_("Wednesday"),
                  4: N_("Thursday"), 5: N_("Friday"), 6: N_("Saturday")}
CHECKIN_TIMES = (("08:00", N_("🌅 Morning (8:00)")), ("12:00", N_("☀️ Noon (12:00)")),
                 ("19:00", N_("🌙 Evening (19:00)")))
WEEKLY_TIMES = ("08:00", "12:00", "18:00", "20:00", "21:00")
TIMEZONES = ("Asia/Shanghai", "Asia/Dubai", "Asia/Singapore", "Asia/Tokyo", "Europe/London",
             "Africa/Lagos")


def yes_no(_: Translator) -> list[Option]:
    return [Option("y", _("✅ Yes"), (_("yes"), "是", "是的", "好", "好的", "对", "同意", "yes", "ok", "y")),
            Option("n", _("❌ No"), (_("no"), "不", "不是", "否", "不同意", "no", "n"))]


def relation_label(_: Translator, relation: str | None) -> str:
    return _(RELATION_LABELS.get(relation or "", N_("family member")))


def checkin_options(_: Translator) -> list[Option]:
    words = {"08:00": ("早上", "早", "上午", "morning", "8"), "12:00": ("中午", "noon", "12"),
             "19:00": ("晚上", "晚", "evening", "19", "7")}
    return [Option(t, _(label), words[t]) for t, label in CHECKIN_TIMES]


def weekday_options(_: Translator) -> list[Option]:
    chinese = {7: ("星期日", "周日", "星期天", "周天"), 1: ("星期一", "周一"), 2: ("星期二", "周二"),
               3: ("星期三", "周三"), 4: ("星期四", "周四"), 5: ("星期五", "周五"), 6: ("星期六", "周六")}
    return [Option(str(d), _(label), chinese[d]) for d, label in WEEKDAY_LABELS.items()]


def weekly_time_options() -> list[Option]:
    return [Option(t, t, (t.split(":")[0], t.split(":")[0].lstrip("0"), f"{int(t[:2])}点"))
            for t in WEEKLY_TIMES]


def language_options() -> list[Option]:
    return [Option("zh_CN", "中文", ("中文", "汉语", "chinese", "zh")),
            Option("en", "English", ("english", "英文", "英语", "en"))]
