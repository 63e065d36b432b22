"""The risk engine: the check-in rules fire and stay quiet; the concept engine hears danger said
in plain Chinese and English (issue 14's examples and many of our own, written without looking at
the corpus) and stays quiet on hyperbole, everyday 打, negation, mishaps already over, stories."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from flows.risk import CheckinRecord, alert_findings, evaluate, match_terms, normalise_text
from flows.risk_lexicon import concept_files, load_concepts

TODAY = date(2026, 11, 25)


def day(n: int) -> date:
    return TODAY - timedelta(days=n)


def rules(findings) -> set[str]:  # type: ignore[no-untyped-def]
    return {f.rule for f in findings}


def test_sad_three_running_fires_two_does_not() -> None:
    sad = [CheckinRecord(day(i), mood="sad") for i in range(3)]
    assert "sad_streak" in rules(evaluate(sad, TODAY))
    mixed = [CheckinRecord(day(0), mood="sad"), CheckinRecord(day(1), mood="happy"),
             CheckinRecord(day(2), mood="sad")]
    assert "sad_streak" not in rules(evaluate(mixed, TODAY))
    assert "sad_streak" not in rules(evaluate(sad[:2], TODAY))


def test_missed_check_ins_do_not_break_a_sad_streak() -> None:
    history = [CheckinRecord(day(0), mood="sad"), CheckinRecord(day(1), missed=True),
               CheckinRecord(day(2), mood="sad"), CheckinRecord(day(3), mood="sad")]
    assert "sad_streak" in rules(evaluate(history, TODAY))


@pytest.mark.parametrize(("health", "rule", "severity"),
                         [("unwell", "unwell", "normal"), ("injured", "injured", "high")])
def test_health(health: str, rule: str, severity: str) -> None:
    (finding,) = [f for f in evaluate([CheckinRecord(TODAY, health=health)], TODAY)]
    assert (finding.rule, finding.severity) == (rule, severity)
    assert evaluate([CheckinRecord(TODAY, health="well")], TODAY) == []
    assert evaluate([CheckinRecord(day(1), health=health)], TODAY) == []  # not today's news


def test_missed_school_twice_in_a_week() -> None:
    twice = [CheckinRecord(day(0), school="missed"), CheckinRecord(day(5), school="missed")]
    assert "missed_school" in rules(evaluate(twice, TODAY))
    apart = [CheckinRecord(day(0), school="missed"), CheckinRecord(day(8), school="missed")]
    assert "missed_school" not in rules(evaluate(apart, TODAY))
    holiday = [CheckinRecord(day(0), school="holiday"), CheckinRecord(day(1), school="holiday")]
    assert evaluate(holiday, TODAY) == []


def test_silence_after_seven_days() -> None:
    assert "silence" in rules(evaluate([CheckinRecord(day(7), mood="happy")], TODAY))
    assert "silence" not in rules(evaluate([CheckinRecord(day(6), mood="happy")], TODAY))
    only_missed = [CheckinRecord(day(i), missed=True) for i in range(3)] + \
        [CheckinRecord(day(9), mood="happy")]
    assert "silence" in rules(evaluate(only_missed, TODAY))


def test_worrying_answer() -> None:
    (finding,) = evaluate([CheckinRecord(TODAY, worry=True, worry_text="作业没写完")], TODAY)
    assert (finding.rule, finding.severity, finding.evidence) == ("worry", "normal", "作业没写完")
    assert evaluate([CheckinRecord(TODAY, worry=False)], TODAY) == []


SEVERITY_RANK = {"urgent": 0, "high": 1, "normal": 2}


def heard(text: str) -> tuple[str, str] | None:
    findings = match_terms(text)
    return (findings[0].rule, findings[0].severity) if findings else None


# issue 14: each of these raised no alert with the keyword list (or the wrong one)
ISSUE_EXAMPLES = [
    ("班上几个大孩子天天欺负我孙子，还抢他的钱", "bullying", "high"),
    ("高年级的几个男生把我孙子堵在厕所 把他的钱都拿走了 不给就打", "bullying", "high"),
    ("孙子从树上掉下来了，胳膊肿得老高", "injury", "high"),
    ("他拿刀割自己的胳膊", "self_harm", "urgent"),
    ("孙女偷偷吞了一把药片", "self_harm", "urgent"),
    ("孩子从昨晚到现在都没回家", "missing", "urgent"),
    ("村里一个老头摸我孙女的下面", "violence_abuse", "urgent"),
    ("有个男的老是摸我外孙女 还不让她告诉别人", "violence_abuse", "urgent"),
    ("孩子說他想自殺", "self_harm", "urgent"),
    ("我孫子離家出走了", "missing", "urgent"),
    ("ta shuo ta xiang zisha", "self_harm", "urgent"),
    ("tiaolou", "self_harm", "urgent"),
    ("💊🔪🩸", "self_harm", "urgent"),
]


@pytest.mark.parametrize(("text", "rule", "severity"), ISSUE_EXAMPLES)
def test_the_issue_examples_are_heard(text: str, rule: str, severity: str) -> None:
    assert heard(text) == (rule, severity)


@pytest.mark.parametrize(("text", "severity"), [
    # our own paraphrases: the class may differ, the severity must be reached
    ("孩子说他 想 死！！", "urgent"),
    ("想\u200b死", "urgent"),  # a zero-width space does not hide it
    ("WANTS　TO　DIE", "urgent"),  # full-width letters and spaces
    ("孩子这几天总说活着好累", "urgent"),
    ("俺家丫头把自己锁屋里 说活够了 不想拖累我们", "urgent"),
    ("外孫把一整盒感冒藥都吃了 現在一直睡 叫不起來", "urgent"),
    ("孙子拿我的剃须刀片割手 胳膊上全是血道子", "urgent"),
    ("孩子喝了半瓶农药", "urgent"),
    ("娃喝了地里的百草枯 在送医院", "urgent"),
    ("孙女在楼顶上坐着说要跳下去", "urgent"),
    ("孩子写了遗书", "urgent"),
    ("邻居打孩子打得很重", "urgent"),
    ("他爸喝醉了把孩子打得满身是血", "urgent"),
    ("她后爸又打她了 拿鞋底子抽脸 嘴都打破了", "urgent"),
    ("邻居家的大爷给娃糖吃 让娃脱裤子 娃才6岁", "urgent"),
    ("崽说要去找他妈 一个人走了 手机打不通 天都黑了", "urgent"),
    ("主任救命 俺孙子让人骗上车拉走了", "urgent"),
    ("孩子下午去放牛 到现在还没见着人", "urgent"),
    ("娃掉河里了 还没捞上来", "urgent"),
    ("孙子从二楼摔下来 现在不说话 眼睛也不睁", "urgent"),
    ("奶奶晕倒送医院了 3岁的娃一个人在屋里哭", "urgent"),
    ("娃的脚被自行车轮子绞了 肿得老粗 走不了路", "high"),
    ("娃脑壳磕破了 缝了五针", "high"),
    ("同学把他的作业本撕了 还说他是没娘养的", "high"),
    ("孙子说自己是累赘 这几天饭都不吃", "high"),
    ("我这腿摔断了住院 娃在家没人做饭", "high"),
    ("He said he wants to kill himself", "urgent"),
    ("my son cut his wrist last night", "urgent"),
    ("she swallowed a bottle of sleeping pills", "urgent"),
    ("he has been missing since yesterday", "urgent"),
    ("our neighbour touched my daughter's private parts", "urgent"),
    ("grandpa hits him with a stick when he is drunk", "urgent"),
    ("My 5 year old is home alone, grandpa went to hospital", "urgent"),
    ("孩子 was beaten 了", "urgent"),
    ("he fell from a tree and his arm is swollen", "high"),
    ("older boys at school beat him up and took his money", "high"),
    ("the kids at school keep mocking her because her parents are away", "high"),
    ("she cries every day and says she is worthless", "high"),
])
def test_paraphrases_reach_their_severity(text: str, severity: str) -> None:
    findings = alert_findings(match_terms(text))
    assert findings and SEVERITY_RANK[findings[0].severity] <= SEVERITY_RANK[severity], findings


@pytest.mark.parametrize(("text", "rule"), [
    ("孩子发烧了 三十八度", "illness"),
    ("孙子不想上学 赖在家里", "school"),
    ("他天天晚上玩手机到十二点", "screen_time"),
    ("孩子想妈妈了", "missing_parent"),
    ("孙子跟弟弟打架", "behaviour"),
    ("孩子有点不开心", "distress"),
    ("she has a fever", "illness"),
])
def test_normal_topics_are_no_alert(text: str, rule: str) -> None:
    assert heard(text) == (rule, "normal")
    assert alert_findings(match_terms(text)) == []


@pytest.mark.parametrize("text", [
    "想死你了", "奶奶想死你们了", "娃说想死我了 下个月回来", "今天忙死了", "气死我了 作业又没写",
    "热死了 娃在屋里吹风扇", "累死了 今天干了一天活", "孩子笑死我了", "孩子饿死了 吃了两碗饭",
    "孩子今天去打针了", "他爸在外面打工", "爷爷在打牌", "孙子打篮球去了", "他爸打电话回来了 娃可高兴了",
    "孩子打了一百分", "打雷了 孩子害怕 跟我睡的", "我们村打井了", "娃今天打扫了教室", "爷爷在地里打农药",
    "娃碰了一下，不疼了", "摔了一跤没事", "昨天摔了一跤 今天已经好了", "娃手指划了个小口子 贴了创可贴 没事了",
    "孩子没有受伤", "不是被打的", "他不会想不开的", "孩子没有离家出走 是去同学家了", "她说她没被人欺负",
    "孩子在看动画片 里面有人打架", "孩子玩游戏 游戏里被人打死了", "孙子看电视 电视里有人跳楼",
    "孙子说要杀了我 在游戏里哈哈", "新闻里说有个孩子掉河里了", "学校今天讲防溺水", "她今天跳绳跳了两百个",
    "奶奶用刀切菜 孩子在旁边看", "娃拿刀削铅笔", "孩子按时吃药 感冒好多了", "奶奶在吃降压药 每天一片",
    "钥匙找不到了", "他爸过年没回家", "孙女昨晚在她姑家睡的 今天早上回来了", "钥匙不见了",
    "他跑了步，很开心", "妈妈帮他脱衣服洗澡", "他被爸爸带走去县城玩了", "被表扬了，打了一百分",
    "孩子玩捉迷藏 躲起来找不到他 后来在柜子里找到了", "他爷爷去镇上卖菜了 我在家看着孩子",
    "I'm scared to death of the exam", "I could kill for a nap", "my back is killing me",
    "he's dying to see you", "He's been killing it at school this term", "she hit the books all weekend",
    "He didn't get hurt at all", "he beat me at cards again", "he got a flu shot today",
    "don't worry, he's not missing, he is at his friend's house", "cutting vegetables with grandma",
    "He is missing school friends", "the kids watched a war movie with lots of killing",
    "今天很好，吃得多", "😊😊😊", "", "   ",
])
def test_look_alikes_raise_no_alert(text: str) -> None:
    assert alert_findings(match_terms(text)) == []


def test_hyperbole_raises_nothing_at_all() -> None:
    assert match_terms("想死你了") == []
    assert alert_findings(match_terms("奶奶想死你了，你啥时候回来看看")) == []


def test_every_finding_names_its_class_severity_and_words() -> None:
    (finding,) = alert_findings(match_terms("他拿刀割自己的胳膊"))
    assert finding.rule == "self_harm" and finding.severity == "urgent"
    assert "割" in finding.evidence and "胳膊" in finding.evidence


def test_urgency_markers_raise_severity() -> None:
    calm = alert_findings(match_terms("孩子摔了一下 胳膊肿了"))
    hurried = alert_findings(match_terms("孩子摔了一下 胳膊肿了 正在往医院送 快来"))
    assert [f.severity for f in calm] == ["high"]
    assert [f.severity for f in hurried] == ["urgent"]


def test_every_english_concept_is_a_chinese_one() -> None:
    """The rules read concepts by name: a name only English knew would be a typo."""
    zh, en = (load_concepts([path]) for path in concept_files(("zh_CN", "en")))
    assert {c for cs in en.values() for c in cs} <= {c for cs in zh.values() for c in cs}


def test_findings_sorted_by_severity() -> None:
    findings = evaluate([CheckinRecord(TODAY, health="unwell", worry=True)], TODAY, "他想死")
    assert findings[0].severity == "urgent"
    assert [f.severity for f in findings] == sorted(
        (f.severity for f in findings), key={"urgent": 0, "high": 1, "normal": 2}.get)


def test_normalise() -> None:
    assert normalise_text("Ｈｅ　ｗａｎｔｓ，ｔｏ ｄｉｅ！") == "he wants|to die"
    assert normalise_text("自殺 離家出走") == "自杀|离家出走"
    assert normalise_text("自.杀") == "自杀"
