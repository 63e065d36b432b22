"""The risk engine: the check-in rules fire and stay quiet; the concept engine hears danger said
in plain Chinese and English (issue 14's examples and many of our own, written without looking at
the corpus) and stays quiet on hyperbole, everyday 打, negation, mishaps already over, stories."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from flows.guardian.risk import CheckinRecord, alert_findings, evaluate, match_terms, normalise_text
from flows.guardian.risk_lexicon import concept_files, load_concepts

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


# more of our own, written while probing for gaps (never copied from the corpus)
MORE_PARAPHRASES = [
    ("孫女昨晚一夜沒回來 手機也關機了 我們報警了", "urgent"),
    ("我兒子說他不想活了 還把刀藏在枕頭下", "urgent"),
    ("有個男人在學校門口摸我孫女的屁股", "urgent"),
    ("孩子從三樓摔下來了 不省人事", "urgent"),
    ("孫子在學校被同學打了一頓 回來臉都腫了", "high"),
    ("娃被狗咬了一口 要去打狂犬疫苗", "high"),
    ("娃他爸拿皮带抽娃 娃身上全是血痕", "urgent"),
    ("俺家孙子被人绑走了 对方打电话要钱", "urgent"),
    ("孩子喝了敌敌畏 正在医院洗胃", "urgent"),
    ("孙女在桥上站了好久 说不想活了", "urgent"),
    ("孩子最近老说头晕 今天在学校晕倒了", "high"),
    ("娃被同学孤立 没人跟她说话 她说不想活了", "high"),
    ("娃说 奶奶 我好累 我想去找妈妈了 你别难过", "urgent"),
    ("孙子在网上认识了个人 那人让他拍光屁股的照片发过去", "urgent"),
    ("爷爷住院了 奶奶也病着 俩娃没人管", "high"),
    ("俺孙子今天在学校厕所里想用鞋带勒自己 被同学发现了", "urgent"),
    ("娃刚才说要喝洗衣液 说活着没劲 我把瓶子藏了", "urgent"),
    ("孙女把自己关在房里 门缝里看到她拿着刀片", "urgent"),
    ("外孙在作文里写想从教学楼跳下去 老师打电话给我", "urgent"),
    ("娃他爹把娃按在水缸里 差点淹死", "urgent"),
    ("邻居老光棍老是把我孙女叫到他家 今天娃说他脱了自己的裤子给她看", "urgent"),
    ("放学后有个陌生男人给孙子糖 带着他上了摩托车 现在找不到了", "urgent"),
    ("孩子到现在没回家 学校说他下午就没来上课 我们找了一整天", "urgent"),
    ("我孙子跑去水库游泳 到现在都没回来 岸边就剩衣服", "urgent"),
    ("丫头发烧抽起来了 翻白眼 叫不答应", "urgent"),
    ("娃吞了一个硬币 卡住了 喘不上气", "urgent"),
    ("孩子被狗咬了脖子 血一直流", "urgent"),
    ("我婆婆老年痴呆 今天把两岁的娃一个人锁家里自己出去了", "urgent"),
    ("继母用衣架打娃 打得娃浑身是伤 娃现在不敢回家", "urgent"),
    ("孩子他叔叔酒后把娃打得鼻青脸肿 还拿刀吓唬", "urgent"),
    ("my son said he'd rather be dead and he's been giving away his stuff", "urgent"),
    ("grandma found her granddaughter unresponsive with an empty pill bottle next to her", "urgent"),
    ("the teacher hits my son with a ruler every day until his hands bleed", "urgent"),
    ("our 4yo wandered off an hour ago and we can't find her anywhere near the house", "urgent"),
    ("my daughter is being held by a man who says he "
     "is her boyfriend, she is 14 and won't come home", "urgent"),
    ("孙子说班里同学都叫他哑巴 不跟他坐一起 他现在不想去学校", "high"),
    ("有几个大孩子逼我孙女给他们写作业 不写就扯她头发", "high"),
    ("娃在学校被同学从楼梯上推下来 腿摔青了", "high"),
    ("班上女生把孙女的照片配上难听的话发到网上", "high"),
    ("娃放学路上老被村里几个混小子拦着 要他口袋里的钱", "high"),
    ("孩子被同学用圆规扎了手 流了不少血 老师说是闹着玩", "high"),
    ("娃的手被镰刀割了个深口子 村医说要缝", "high"),
    ("孙子下河摸鱼被玻璃划了脚 口子挺深 血流了一地", "high"),
    ("丫头吃鱼被鱼刺卡住了 咽不下去 一直疼", "high"),
    ("娃从自行车上摔下来 下巴磕破了 要缝针", "high"),
    ("孩子手指被门夹得发紫 指甲都黑了", "high"),
    ("娃自从他妈走了以后 每天晚上都偷偷哭 成绩也一落千丈 问他什么都说没事", "high"),
    ("孙子这一个月都不跟人说话 放学就关在屋里 饭也不怎么吃", "high"),
    ("丫头老说自己长得丑 没人喜欢她 最近还不吃饭减肥", "high"),
    ("我下个月要去住院做手术 娃没人带 他爸妈都在外地回不来", "high"),
    ("他奶奶病得下不了床 娃每天自己做饭 还要照顾奶奶", "high"),
    ("我眼睛看不见了 娃上学放学都没人管", "high"),
    ("my son's classmates shut him in the toilet and took pictures of him crying", "high"),
    ("she fell from her bike and cut her chin open, it needs stitches", "high"),
    ("he's been really withdrawn for weeks, says he's worthless and won't eat", "high"),
    ("my mom who looks after the kids is in hospital for an operation, nobody else is there", "high"),
    ("孙子在学校被高年级的打晕了 老师送到卫生院了", "urgent"),
    ("娃脖子上有勒痕 问他他说自己用皮带勒的", "urgent"),
    ("丫头说她不想活了 已经写好了信 放在枕头底下", "urgent"),
    ("娃早上说去找同学 到现在快十个钟头了 同学说根本没见到他", "urgent"),
    ("孩子突然不会说话了 嘴歪了 身子一边动不了", "urgent"),
    ("孙子骑摩托车摔沟里了 腿断了 骨头都戳出来了", "urgent"),
    ("娃被后妈关在猪圈里两天了 不给吃的", "urgent"),
    ("奶奶昨天去世了 只剩下两个娃在家 大的才8岁 小的3岁", "urgent"),
    ("俺孙女被她舅舅强行带走了 说要带她去外地打工 她才13", "urgent"),
    ("娃吃了毒蘑菇 现在肚子疼得打滚 一直吐", "urgent"),
    ("我儿子发语音说 爸 我不想活了 你别怪我", "urgent"),
    ("he told me he wants to end his life and has a rope in his room", "urgent"),
    ("My niece says her teacher makes her stay after class and touches her legs", "urgent"),
    ("孙子这阵子天天做噩梦 半夜哭醒 白天不说话", "high"),
    ("娃的脚被钉子扎穿了 肿得很厉害", "high"),
    ("班上同学合伙把他的新鞋扔进了粪坑 还拍视频笑他", "high"),
    ("孩子被蜜蜂蜇了 脸肿成一个球", "high"),
    ("娃把手机里的照片全删了 给我留了句 奶奶你要好好的 就把门关上了", "urgent"),
    ("孩子拿剪刀往自己手上戳 戳出好几个洞 我吓坏了", "urgent"),
    ("孙子跟他爸吵架后 跑到后山 说再也不回来了 天快黑了", "urgent"),
    ("俺孙女在镇上读初中 住校 学校说她三天没去上课 宿舍也没人 电话打不通", "urgent"),
    ("刚才邻居说看见一个外地人领着俺孙子往村外走 现在人不见了", "urgent"),
    ("孩子误喝了半瓶白酒 现在吐得厉害 叫也叫不醒", "urgent"),
    ("娃被邻居家的牛顶了 肚子上一个大口子 肠子都快出来了", "urgent"),
    ("他那个酒鬼爹又回来了 把娃吊起来打 邻居都听见娃在喊救命", "urgent"),
    ("老师说孩子身上经常有烟头烫的疤 问是谁烫的孩子不敢说", "urgent"),
    ("孩子在河里洗澡 一个猛子扎下去就没上来", "urgent"),
    ("外孙被开水烫了大半个身子 皮都掉了 在往县医院送", "urgent"),
    ("孙女说她继父晚上钻她被窝 她害怕得睡不着", "urgent"),
    ("娃说他活着就是多余的 今天还问我农药放哪了", "urgent"),
    ("ta shuo bu xiang huo le, yao he nong yao", "urgent"),
    ("孩子他爸喝多了拿刀追着娃砍 娃跑出来了 躲在我家", "urgent"),
    ("My grandson told me he has pills saved up and he's going to take them all tonight", "urgent"),
    ("Our daughter hasn't been seen since she left for school this morning, the school says she "
     "never arrived", "urgent"),
    ("My brother-in-law has been doing things to my daughter at night, she told me on the phone "
     "crying", "urgent"),
    ("Grandma found my son sitting on the roof saying he wants to jump", "urgent"),
    ("She has been self-harming, her thighs are covered in cuts", "urgent"),
    ("He told his teacher he thinks about killing himself every day", "urgent"),
    ("My daughter's uncle has been sexually abusing her", "urgent"),
    ("The neighbour's son keeps forcing my girl to kiss him and touch him", "urgent"),
    ("My dad punched my boy in the face and his nose is bleeding", "urgent"),
    ("Our son has been missing for six hours, the police are searching", "urgent"),
    ("Someone took my daughter from the school gate in a van", "urgent"),
    ("He swallowed some rat poison, we're rushing him to the clinic", "urgent"),
    ("My little one got hit by a tractor and is not responding", "urgent"),
    ("She's only 3 and has been left alone all day, grandma went to the city", "urgent"),
    ("He ran off after a fight with grandpa and it's dark now, we can't find him anywhere", "urgent"),
    ("My son has a broken arm from falling off the wall", "high"),
    ("A dog attacked her on the way to school, she has bite marks on her leg", "high"),
    ("The other kids pour water on him and call him a dirty orphan", "high"),
    ("Some classmates posted a video laughing at my daughter online", "high"),
    ("My son says he's useless and cries himself to sleep every night", "high"),
    ("Grandpa is very sick and can't get out of bed, the kids are looking after themselves", "high"),
    ("He got a nasty burn on his leg from the rice cooker", "high"),
    ("She keeps saying everyone would be happier without her", "high"),
    ("My son is sad because he misses his mom", "normal"),
    ("She keeps getting headaches and a temperature", "normal"),
    ("He is always on his phone late at night", "normal"),
    ("My daughter has been skipping classes to go to the internet cafe", "normal"),
    ("He keeps lying about where he goes after school", "normal"),
    ("娃儿在学校遭打了 脸上青了一块 是班上几个娃儿", "high"),
    ("幺儿昨天晚上就没得回来 屋头到处都找了 莫得人", "urgent"),
    ("细伢子在学校被人期负 还被抢了钱", "high"),
    ("孙子说要跳搂", "urgent"),
    ("孩子说想自刹", "urgent"),
    ("娃离家处走了", "urgent"),
    ("囡囡她后爸着打她 打得好凶", "urgent"),
    ("奶奶走亲戚去了 要一个礼拜 娃一个人在屋头", "high"),
    ("娃吞了好多颗药 叫不应了", "urgent"),
    ("伢被烫了 手上脱了一层皮", "high"),
    ("妹崽被一个男的拖到屋里 衣服都扯烂了", "urgent"),
    ("孩子最近老是一个人躲起来哭 说没人要他 有一个星期了", "high"),
    ("娃说他活不下去了 想一了百了", "urgent"),
    ("崽在群里发了一句 永别了 然后就联系不上了", "urgent"),
    ("娃被人贩子抱走了", "urgent"),
    ("他们几个天天堵我孙子 逼他给钱 不给就打他", "high"),
    ("娃的腿被摩托车排气管烫伤了", "high"),
    ("孙女一天一夜没回来了", "urgent"),
    ("娃从窗户翻出去跑了 到现在也没找到", "urgent"),
    ("我家娃在网吧两天两夜没回家 电话也不接", "urgent"),
    ("孙子跟他爸骑车摔了 腿肿了", "high"),
    ("那个老板叫他进里屋 脱他裤子", "urgent"),
    ("he pulled down her pants", "urgent"),
    ("主任 俺外孙今天放学没回来 我去学校问了老师说四点就走了 现在都八点了 到处找不着 俺急得不行", "urgent"),
    ("娃今天跟我说 他不想活了 活着就是给我们添麻烦 我听了心里咯噔一下", "urgent"),
    ("刚才娃把家里的杀虫剂喝了两口 嘴里都是味 我们往卫生院跑", "urgent"),
    ("他爷爷拿扁担打娃 打得娃腿都肿了走不了路 我拦都拦不住 主任快来", "urgent"),
    ("孙女说她们学校的体育老师老是摸她屁股 还说不许告诉家长", "urgent"),
    ("娃在河边玩 滑下去了 被冲走了 村里人在下游找", "urgent"),
    ("娃从楼梯上滚下来 头上磕了个大口子 血流个不停", "urgent"),
    ("我在外地 娃他奶住院了 娃才五岁 一个人在家两天了", "urgent"),
    ("孙子房间里找到好多药片 他说攒着吃的 说吃了就解脱了", "urgent"),
    ("娃在学校天台上站着不下来 老师打电话叫我快去", "urgent"),
    ("孙子的手被绞肉机绞了 去镇上缝了好几针", "high"),
    ("娃在学校被几个大孩子按在地上打 衣服都扯破了", "high"),
    ("同学在班级群里说我孙女是没人要的野孩子 还发她的照片", "high"),
    ("孩子这两个礼拜几乎不吃饭 天天躲被窝里哭 问啥也不说", "high"),
    ("我这两天发高烧起不来床 娃没人做饭 饿着肚子去上学", "high"),
    ("孙女骑车摔了 胳膊肿得不能动 晚上疼得直哭", "high"),
    ("娃被马蜂蜇了满头包 脸肿得眼睛都睁不开", "high"),
    ("娃最近学习下降了 老师说上课老走神", "normal"),
    ("孙子老是跟我顶嘴 不听话", "normal"),
    ("娃天天闹着要回去找妈妈 说想妈妈", "normal"),
    ("孙女这两天有点拉肚子", "normal"),
    ("娃晚上老刷短视频 十二点多还不睡", "normal"),
    ("孙子刚才说他不想活了 拿着他爷爷的农药瓶子 我抢下来了", "urgent"),
    ("有个老头经常叫我孙女去他家看电视 还摸她 今天娃哭着跟我说的", "urgent"),
    ("娃他舅喝多了拿皮带抽娃 娃背上全是血印子", "urgent"),
    ("闺女跟一个网友走了 两天没回家了 电话关机", "urgent"),
    ("孙子骑电动车被大车撞了 人在医院抢救", "urgent"),
    ("娃把老鼠药当糖吃了 嘴角冒白沫", "urgent"),
    ("孩子的后妈天天打她 昨天打得她头破血流", "urgent"),
    ("丫头在日记里写 我想从楼上跳下去 这样就没人骂我了", "urgent"),
    ("外孙昨天晚上出去就一直没回来 同学家都问了 都说没见着", "urgent"),
    ("我家两个娃 大的8岁小的3岁 奶奶突然中风送医院了 现在娃在家没大人", "urgent"),
    ("He said he is going to jump off the bridge", "urgent"),
    ("Our neighbor has been making my daughter sit on his lap and touching her", "urgent"),
    ("my son has not been home since yesterday morning and his phone is off", "urgent"),
    ("she drank pesticide, we are on the way to the hospital", "urgent"),
    ("孙子被同学打了 眼睛都肿了 老师也不管", "high"),
    ("同学天天骂俺孙女是没妈的孩子 她现在不愿意去上学", "high"),
    ("娃手被门夹了 指甲盖都掉了 流了不少血", "high"),
    ("孩子被烫了 胳膊上起了一大片水泡", "high"),
    ("孩子最近一个星期都不怎么吃饭 晚上偷偷哭 说自己没用", "high"),
    ("我得了病要去县里住院 孩子一个人在家没人管", "high"),
    ("the boys in his class steal his food and push him around every day", "high"),
    ("grandma broke her hip and is in hospital, my 11 year old is alone at home", "high"),
    ("he burned his hand on the stove, there is a big blister", "high"),
    ("she has been crying every night for two weeks and won't eat", "high"),
    ("娃说不想活了 活着太痛苦", "urgent"),
    ("孙子在网上说要去死 还发了刀的图片", "urgent"),
    ("丫头一直说要去找她死去的妈妈", "urgent"),
    ("孩子拿绳子套脖子 被我看见了", "urgent"),
    ("娃把自己的胳膊用烟头烫了好几个疤", "urgent"),
    ("孩子吃了好多片退烧药 现在一直吐", "urgent"),
    ("孙女被人拐走了", "urgent"),
    ("娃早上去上学 学校说没到 到现在也找不到人", "urgent"),
    ("我家小孙子掉井里了", "urgent"),
    ("孩子触电了 现在没反应", "urgent"),
    ("他继母拿开水烫他", "urgent"),
    ("娃爸喝醉就往死里打娃 今天又打了", "urgent"),
    ("村里一个叔叔把我孙女带到玉米地里 脱了她的衣服", "urgent"),
    ("孙子头被砸破了 流了好多血 止不住", "urgent"),
    ("家里就一个2岁的娃 我要去住院 没人看", "urgent"),
    ("娃离家出走了 留了个纸条说不回来了", "urgent"),
    ("孩子被蛇咬了 腿肿了", "high"),
    ("孙子从床上摔下来 胳膊动不了", "high"),
    ("娃被同学勒索 每天要给他们五块钱", "high"),
    ("孙女说班上同学都不跟她玩 说她身上臭", "high"),
    ("孩子这半个月晚上都睡不着 天天哭", "high"),
    ("他说自己什么都做不好 是个废物 不想见人", "high"),
    ("孩子他爷爷去世了 我也在外地 孩子现在一个人住", "high"),
    ("娃被开水烫伤了脚", "high"),
    ("孙子被狗咬了", "high"),
    ("my daughter told me her uncle touches her at night", "urgent"),
    ("he's locked in his room and says he has a knife and wants to die", "urgent"),
    ("my son is missing, he didn't come back from the river", "urgent"),
    ("he's unconscious after falling from the roof", "urgent"),
    ("grandpa beat him so badly he can't walk", "urgent"),
    ("some kids at school keep beating him and taking his snacks", "high"),
    ("he got bitten by a dog and the wound is bleeding", "high"),
    ("my mother is in hospital and the kids are alone", "high"),
    ("she says she's worthless and hasn't eaten in three days", "high"),
    ("my son keeps skipping school", "normal"),
    ("she has a bad cough and a runny nose", "normal"),
    ("he plays games on his phone until 1am", "normal"),
    ("he misses his mum a lot", "normal"),
    ("he has been lying and stole 20 yuan from grandma", "normal"),
    ("主任你快来看看吧俺孙子从昨天中午出去到现在都没回来手机也打不通我都快急死了", "urgent"),
    ("娃他后爹今天又喝多了拿棍子打娃 娃哭着跑到我这来了 腿上青一块紫一块的", "urgent"),
    ("孙女说学校门口有个男的老跟着她 今天还拉她上车 她跑掉了", "urgent"),
    ("娃在屋里把门反锁了 喊也不开 桌上留了张纸写着对不起", "urgent"),
    ("我刚视频看见娃手腕上缠着纱布 问她她说是自己拿刀划的", "urgent"),
    ("俺家伢今天在塘里游泳 没上来 大家在捞", "urgent"),
    ("孩子突然抽风 口吐白沫 我一个老婆子不知道咋办", "urgent"),
    ("奶奶今天去世了 家里就剩两个娃 大的七岁 小的四岁", "urgent"),
    ("外孙女被她继父欺负了 她说继父晚上进她房间 不让她说出去", "urgent"),
    ("娃吃了一把奶奶的药 现在昏昏沉沉的", "urgent"),
    ("孩子跟我说他活着没意思 想去死", "urgent"),
    ("zhu ren, wo sun zi bu jian le, zhao le yi tian", "urgent"),
    ("wa shuo ta bu xiang huo le", "urgent"),
    ("伢被几个初中生堵在路上打了一顿 抢了他的钱", "high"),
    ("娃的胳膊被车门夹了 肿得老高 明天去拍片", "high"),
    ("孙女这几天天天哭 说想死妈妈了 饭也吃不下", "high"),
    ("同学们给他起外号叫他野种 他回来就不吭声", "high"),
    ("我腰摔伤了躺在床上起不来 娃这几天都是自己弄吃的", "high"),
    ("娃被村里的大狗咬了腿 流了血", "high"),
    ("娃被热油溅到脸上 起泡了", "high"),
    ("娃最近总是咳嗽 晚上咳得厉害", "normal"),
    ("孩子这次考试又没及格", "normal"),
    ("娃老是偷偷拿我手机玩游戏到半夜", "normal"),
    ("孙子天天念叨爸爸什么时候回来", "normal"),
    ("娃在学校跟同学打架 老师叫家长", "normal"),
    ("Grandma just called, my son took a bunch of her sleeping pills and she can't wake him", "urgent"),
    ("My daughter wrote that she wants to disappear and never wake up", "urgent"),
    ("He told his cousin he's going to hang himself tonight", "urgent"),
    ("Jia's stepmom locks her outside at night and hits her with a broom", "urgent"),
    ("My boy says the village doctor touched him in a bad way and told him to keep it secret", "urgent"),
    ("Our daughter went to meet someone she met online and hasn't come back, it's been a day", "urgent"),
    ("Lei fell into the pond and we can't find him in the water", "urgent"),
    ("The baby is alone at home, grandma collapsed and was taken to hospital", "urgent"),
    ("He drank weedkiller by mistake and is vomiting", "urgent"),
    ("My son has fresh cuts all over his arms and says he deserves the pain", "urgent"),
    ("Grandpa is beating my daughter right now, please send someone", "urgent"),
    ("She's been gone since this morning and nobody knows where she is", "urgent"),
    ("He fell off the roof of the shed and his leg looks broken", "high"),
    ("My daughter got a bad burn from boiling water on her foot", "high"),
    ("Some boys keep calling my son an orphan and throwing his bag in the toilet", "high"),
    ("He came home with his jacket torn and said older kids took his phone", "high"),
    ("My son hasn't spoken to anyone for a week and barely eats", "high"),
    ("She keeps saying she's a burden and stupid, and cries all the time", "high"),
    ("Grandma had surgery and the kids are on their own for now", "high"),
    ("Nobody is taking care of the kids since grandpa was arrested", "high"),
    ("My daughter has had a fever since yesterday", "normal"),
    ("He stays up late on his tablet every night", "normal"),
    ("She is always asking when I'll come home", "normal"),
    ("He refuses to go to school and stays in bed", "normal"),
    ("He got into a fight with his little brother again", "normal"),
]

MORE_LOOK_ALIKES = [
    "孙女跟同学玩过家家 演妈妈打孩子屁股 笑死了",
    "娃说他们体育课跳高 摔了一跤 拍拍土起来接着跳",
    "娃他爸说 过年回来要好好揍他一顿 开玩笑的 娃笑了",
    "今天给娃剪指甲 剪到肉了 出了点血 娃哭了两声就好了",
    "孙子说要离家出走去当科学家 说完就吃饭去了 哈哈",
    "小时候娃被开水烫过 现在疤都快看不见了",
    "三年前孙子走丢过一次 那时候吓坏了 现在大了懂事了",
    "新闻说外省有个孩子被继父打死了 看得我心里难受",
    "听村里人说邻村有个娃喝农药了 我赶紧把家里的药都锁起来了",
    "我这老腰天天疼 累得要命 不过娃挺乖",
    "他爸在厂里加班到半夜 累得不想说话",
    "医生开的药娃一天吃三次 按时吃的 好多了",
    "打农药的时候我让娃待在屋里 没让他出来",
    "他爷爷拿农药去地里打虫子了 娃上学去了",
    "去年娃骨折过 现在早好了 跑得比谁都快",
    "娃问我 要是奶奶死了怎么办 我说奶奶身体好着呢",
    "孩子演小品 演一个离家出走的孩子 演得可好了",
    "娃看新闻知道了有人跳河 问我为啥 我跟他说了生命可贵",
    "娃玩游戏 角色死了好几次 气得直拍桌子",
    "昨天停电了 娃害怕 跟我睡的",
    "娃说同学的奶奶住院了 他要去看看",
    "我老伴住院了 儿子回来了在家照顾娃",
    "娃摔了一跤 膝盖有点青 没事 照样上学",
    "Last year he got lost at the fair for ten minutes, we still joke about it",
    "The news about the kidnapped girl in the next county scared everyone",
    "Grandpa sprayed the orchard with pesticide, the kids were at school",
    "She takes her asthma inhaler as prescribed and is doing fine",
    "My husband and I are worn out from the night shifts but the kids are great",
    "He broke his leg two years ago skiing, fully healed now",
    "The kids acted out a play about a runaway dog, so cute",
    "娃被针扎了一下 哭了",
    "孩子被玻璃划了一下 哭了好久",
    "娃在学校跟同学闹着玩 互相推了一下 都没事",
    "孙子说同学叫他小胖子 他自己也笑 说不在乎",
    "丫头今天在学校被选为班长了 高兴坏了",
    "娃说不想上学了 想放假 开玩笑的 今天照样去了",
    "娃昨晚有点失眠 今天中午补了一觉",
    "我去镇上住院两天 娃他姑过来照看 放心",
    "孙子今天玩的时候被同学推了一下 摔了个屁股蹲 他俩又一起玩了",
    "娃看了一个跳楼的视频 问我为什么 我跟他讲了好久 他说明白了 不会的",
    "娃说隔壁班有个同学离家出走了 第二天就被找回来了",
    "他爸视频的时候说想死他了 娃笑得可开心",
    "今天教娃用菜刀切黄瓜 切得可细了 手一点没碰着",
    "孙女说要跟她妈一起走 去城里上学 下个学期就去了",
    "娃问我 奶奶你会死吗 我说奶奶要活到一百岁看你上大学",
    "my son said the movie was so scary he nearly died",
    "My daughter stayed at her friend's overnight, we knew about it, she's home now",
    "Grandpa accidentally cut himself shaving, the kids put a plaster on him",
    "My son says his math teacher is killing them with homework",
    "Grandpa and the boys went fishing and caught nothing, they were dying of laughter",
    "She fell over in the playground but got straight back up, no tears",
    "He's not missing anything, grandma packed everything for the trip",
    "They practiced CPR on a dummy at school, so cool",
    "The village had a talk about child trafficking, we feel better informed",
    "My son punched the air when his team won",
    "She's staying with her aunt while grandma is in hospital, she's well cared for",
    "He's been drinking lots of water and taking his cold medicine as told",
    "Grandma is cooking with a big knife and the kids are setting the table",
    "He ran off to play football with his friends",
    "we put him in a van to go to town",
    "娃今天在屋头耍 乖得很",
    "莫得事 娃好得很 主任放心",
    "细伢子今天跟他爷爷去赶场了 买了好多东西",
    "娃儿说他们班有个娃儿被打了 老师处理了",
    "孩子晓得了 过马路要看车",
    "鸡死了就埋了",
    "爷爷受伤了 孩子在我这",
    "我腰受伤了 今天没下地",
    "把多余的菜拿去卖",
    "奶奶给娃脱裤子洗澡",
    "奶奶摸她身上烫不烫 有点发烧",
    "医生让她脱了衣服检查",
    "grandma took off his clothes for his bath",
    "娃今天去打针 一点没哭 护士都夸他勇敢",
    "他爸在工地打工 一天干十二个钟头 累得要死 娃在家挺好",
    "娃跟他爷爷学打拳 打得有模有样",
    "俺孙子今天跟隔壁娃打雪仗 玩了一下午 脸冻得通红",
    "娃在学校打扫卫生 回来说累死了",
    "孙女拿刀削铅笔 不小心划了一下 没出血 没事",
    "娃被他爸骂了两句 哭了一会 现在好了",
    "孩子今天从滑梯上摔下来 哭了两声 没受伤",
    "丫头说学校有个同学爸爸去世了 她挺难过的 说要对同学好点",
    "电视上说有个地方孩子被拐了 我跟娃讲了不能跟陌生人走",
    "娃玩吃鸡游戏 一直喊杀杀杀 吵死了",
    "孙子说长大要去当兵 打坏人",
    "今天我不舒服 去村医那打了吊瓶 娃放学自己回来写作业 挺懂事",
    "奶奶喝了药睡了 娃在看书",
    "昨天他爷爷去镇上 娃跟我在家 一切都好",
    "娃说今天差点迟到 跑得气都喘不上来 笑死我了",
    "孙子吃饭太快噎着了 喝了口水就好了",
    "孩子去年摔断过胳膊 现在早就好利索了",
    "娃的同学被狗咬了 去打了狂犬疫苗 娃说以后离狗远点",
    "村里小河涨水了 我们都不让娃去河边 放心吧",
    "娃说想爸爸了 视频了一会 又开开心心去玩了",
    "孙女跳舞比赛拿了二等奖",
    "娃在地里帮我拔草 被太阳晒得黑黑的",
    "他爷爷在院子里磨刀 准备明天杀鸡",
    "娃看书看到半夜 被我骂了一顿",
    "孩子头有点疼 睡了一觉就好了",
    "丫头的小猫丢了 哭了一晚上 今天在草垛里找到了",
    "娃的钱包丢了 里面就十几块钱 没事",
    "娃今天做饭烫了一下手 冲了冷水 不红了",
    "My son got a small cut from the grater, we put a bandaid on, all fine",
    "Grandma says the kids were scared stiff during the thunderstorm but slept fine after",
    "He fought with his sister over the remote but they made up quickly",
    "My daughter watched a crime show and now wants to be a police officer",
    "Grandpa spends all day in the fields spraying the cotton, the kids are at school",
    "I'm so tired I could sleep for a week, but the kids are doing great",
    "He killed a spider in his room and was so proud",
    "She lost her phone on the bus but the driver returned it",
    "They practised an earthquake drill at school and he taught grandma",
    "He said he'd rather die than eat broccoli haha",
    "Nobody was hurt when the old shed fell down, the kids were inside with grandma",
    "娃今天帮他爷爷杀鸡 拿刀可利索了",
    "孙子学校组织去消防队参观 回来说长大要当消防员",
    "俺孙女今天被蚊子咬了好几个包 抹了点花露水",
    "天太冷了 冻死了 娃穿了两件棉袄",
    "娃说他们班主任凶死了 作业留一大堆",
    "他爷爷喝了点酒 早早睡了 娃在写作业",
    "娃看熊出没看得哈哈笑",
    "孩子上课讲了地震逃生 回家演示给我看怎么躲桌子底下",
    "孙子今天没去学校 发烧在家休息 明天应该能去",
    "主任 上次说的那个孩子失踪的事 后来找到了吧",
    "娃的手机丢了 找了半天没找着 算了再买一个",
    "今天娃他妈打电话 说过年回不来了 娃有点失落 不过晚上又好了",
    "孙子玩滑板摔了一跤 手掌擦破点皮 涂了药 没啥事",
    "小孙女说幼儿园有小朋友推她 老师已经批评那个小朋友了 俩人又和好了",
    "娃的狗死了 哭了一场 我说再养一只",
    "娃说同学家的哥哥喝农药死了 吓坏了 我跟她说了好多",
    "奶奶今天去医院复查 孩子在姑姑家吃的饭",
    "孩子今天学会了游泳 教练一直在旁边看着",
    "孙子今天跟人打赌 输了五块钱 哈哈",
    "娃把他爸的旧手机摔坏了 我说了他两句",
    "今天刀切到手了 是我自己 没事 娃帮我贴的创可贴",
    "俺这两天感冒了 咳嗽 娃懂事帮我倒水",
    "孩子他爸在工地上被砸了一下 住了两天院 已经出院了 娃不知道",
    "娃问我人死了去哪里 我说去天上了 她点点头就去玩了",
    "Grandma said the kids were so loud she nearly lost her mind, but they had fun",
    "He told me he'd die if he didn't get the new football boots haha",
    "My son got hit by a ball in PE but it was nothing, he kept playing",
    "She cut her finger a little while peeling apples, it's fine now",
    "The teacher says he was absent yesterday because of the dentist, grandma had a note",
    "We watched a documentary about drowning safety, the kids learned a lot",
    "Grandpa's blood pressure pills are in the locked drawer",
    "He's been glued to his books, not his phone, for once!",
    "My daughter said her friend's dad is really strict but he's never hurt anyone",
    "Nobody is home alone, grandma and auntie are both there this week",
    "he killed it in the exam!",
    "The kids had a water fight and got soaked",
    "I almost died laughing at his joke",
    "Grandpa cut his hair today, looks great",
    "Our village had a fire drill, the kids loved it",
    "The kids are fine, grandma is with them all the time",
    "He fell asleep on the sofa watching TV",
    "She's taking her medicine three times a day like the doctor said",
    "He hit a home run at baseball practice",
    "Don't worry, no one hurt him, he just tripped and is ok",
    "娃他爸打电话说下个月寄钱回来",
    "孙子今天被老师夸了 说他作文写得好",
    "我老伴去世好几年了 现在我一个人带娃 娃挺懂事",
    "孩子在玩打仗游戏 拿木棍当枪",
    "孙子今天去河边钓鱼 他爷爷陪着 钓了三条",
    "奶奶今天去赶集 娃在隔壁婶婶家玩",
    "娃今天做了个噩梦 醒了哭了一会 抱着睡又睡着了",
    "娃今天跟人打架打赢了 哈哈 我说了他两句",
    "今天孙女过生日 吃了蛋糕 可开心了",
    "他打小就怕狗 今天看见狗还躲",
    "今天娃他姑来了 带娃去县城玩了一天 天黑才回来",
    "娃说他们班有个同学被车撞了 住院了 我让他过马路小心",
    "孙子今天打了一天篮球 累得倒头就睡",
    "奶奶今天身体不舒服 去诊所打了一针 娃在家写作业",
    "我们这下大雨 河水涨了 我不让娃出门",
    "娃今天玩疯了 一身泥 被我骂了两句",
    "娃今天在学校摔了一跤 膝盖破了点皮 老师给擦了药 不碍事",
    "孙子今天去镇上打疫苗 回来路上睡着了",
    "娃的同桌转学了 娃有点舍不得 不过很快就好了",
    "今天杀了只鸡 给娃补补",
    "娃他妈从广东寄了新衣服回来 娃高兴得不行",
    "He was scared to death of the dog next door, but it's actually friendly",
    "She keeps saying she'll die of boredom without her tablet",
    "He cut his finger on paper, a tiny cut, no big deal",
    "Grandma said the pills from the clinic are helping her knees",
    "Nobody bullies him, he's the most popular kid in class",
    "He ran away from a goose today, grandpa laughed so hard",
    "My son is dying to show you his new drawing",
    "We nearly froze to death at the market this morning haha",
    "He said he'd kill me if I told you about his girlfriend lol",
    "The boys played cops and robbers and 'shot' each other all afternoon",
    "Grandpa took his pills and went to bed early",
    "She came home a bit late because the bus broke down, teacher called us",
    "He bumped his head on the door but it's fine, no bump even",
    "The kids watched the news about the flood and prayed for the families",
    "My wife and I are exhausted from work, the kids are doing great",
    "He wasn't bullied, he just lost a game of football and was upset for an hour",
    "Grandma's knee hurts so she is resting, my sister cooks for the kids",
    "I'm not worried about his safety, the school is very close",
    "He cried when he got his vaccine but then had ice cream",
]


@pytest.mark.parametrize(("text", "severity"), MORE_PARAPHRASES)
def test_more_paraphrases(text: str, severity: str) -> None:
    findings = match_terms(text)
    assert findings and SEVERITY_RANK[findings[0].severity] <= SEVERITY_RANK[severity], findings


@pytest.mark.parametrize("text", MORE_LOOK_ALIKES)
def test_more_look_alikes(text: str) -> None:
    assert alert_findings(match_terms(text)) == []


# ---- generalising past one writer (issue 14, second round) ---------------------------------
# Written fresh for these tests, as families of paraphrase: each names the concept it checks.
FRESH_ALERTS = [
    ("娃儿说他活起没得啥子意思 想去跳河", "urgent"),  # dialect: life is pointless, jump into water
    ("孙女说下辈子再也不要当留守儿童了", "urgent"),  # a next life as farewell
    ("孙子偷偷攒了一瓶安眠药藏在床底下", "urgent"),  # pills saved up
    ("My granddaughter swallowed a whole bottle of paracetamol", "urgent"),  # a named medicine
    ("She said she wants to go to sleep forever", "urgent"),
    ("He won't be a burden much longer, he told his sister", "urgent"),  # negation inside the idea
    ("后妈不给孩子饭吃 还拿烟头烫她", "urgent"),  # a negation does not remove the child
    ("孩子他爹喝醉了拿菜刀追着娃砍", "urgent"),  # any blade, any chase
    ("他继父晚上钻进女儿的被子里", "urgent"),  # a man who is not family in the child's bed
    ("A man she met online keeps asking her to meet him alone", "urgent"),  # grooming online
    ("The coach touches the girls in the changing room", "urgent"),
    ("孙子去放羊 羊自己回来了 人到现在没回来", "urgent"),  # an animal came back, not the child
    ("娃被一辆面包车上的人拉走了", "urgent"),  # the agent after 被 is not what went missing
    ("孙子从树上摔下来 喊都喊不应", "urgent"),  # unconscious, said as "calling gets no answer"
    ("The baby was face down in the pond and is not waking up", "urgent"),
    ("老师 爷爷去世了 家里只有我和弟弟 弟弟才三岁", "urgent"),  # a child writing: only children home
    ("Grandma had a stroke and my two kids are home alone", "high"),  # alone beside a carer taken ill
    ("Grandma is in hospital, the kids (5 and 3) are home alone", "urgent"),  # young and alone
    ("爸妈在外地 奶奶住院了 娃托给十三岁的表姐看", "high"),  # a minor left in charge is no carer
    ("开水瓶倒了 烫到娃的脚背", "high"),  # boiling water on a part of the body
    ("娃的眼睛被铅笔戳到了", "high"),  # a part of the body struck by something
    ("孙子吃鱼卡了根骨头 咽不下去", "high"),  # something stuck in the throat
    ("Our boy got splashed with hot oil, a blister on his hand", "high"),
    ("班上没人跟他耍 分组都不要他", "high"),  # exclusion, in dialect
    ("宿舍的人不让她上床睡觉", "high"),
    ("有人把我孙女哭的视频发到群里 大家都在笑她", "high"),  # shamed online
    ("Kids at school keep calling him beggar and threw his bag in the toilet", "high"),
    ("娃以经三天没吃饭了 成天躺着", "high"),  # a typo (以经) and days without eating
    ("wo sunzi bei gou yao le, tui shang liu xue", "high"),  # pinyin written together or apart
    ("She keeps saying everyone would be better off if she wasn't around", "urgent"),
    ("He wrote that he can't take it anymore", "urgent"),
    ("There was a belt tied to the bunk bed and he gave away his books", "urgent"),  # his things
    ("Her stepfather puts his hand under her shirt at night", "urgent"),
    ("孩子说想去陪过世的爸爸", "urgent"),  # to join a dead parent
    ("娃被初中的孩子逼着喊爷爷 不喊就揍", "high"),  # humiliated by older children
    ("His friends came back from the lake hours ago but he didn't", "urgent"),
    ("She swallowed a bunch of her grandpa's blood pressure pills", "urgent"),  # any amount word
    ("The toddler wandered off from the yard this morning", "urgent"),
    ("他的课本被同学扔到厕所里 文具盒也让人踩坏了", "high"),  # his things thrown, broken
    ("孙子摔了一跤 手腕伸不直 一碰就疼", "high"),  # a joint that will not move
    ("外孙说自己是个没用的人", "high"),  # worthless
    ("孙女说她活腻了", "urgent"),
    ("娃说再不让他去找妈妈就死给你们看", "urgent"),  # a threat to die
    ("外孙两天未归 电话关机", "urgent"),  # 未归, written style
    ("隔壁老汉趁没人的时候搂着我孙女摸", "urgent"),  # touching where nobody sees
    ("娃吃了毒蘑菇 嘴唇都紫了", "urgent"),
    ("She told her friend she'd rather be dead", "urgent"),
    ("Her stepfather grabbed her by the hair and threw her onto the floor", "urgent"),
    ("A man at the bus stop exposed himself to the kids", "urgent"),
    ("孙子被热油烫了 哭个不停", "high"),  # burnt, no body part named
    ("同学往她饭里吐口水 还逼着她喝脏水", "high"),
    ("They keep shoving him into the lockers", "high"),  # "shov*", not "shove*"
    ("孙子整天闷在屋里 一句话都不说 快一个月了", "high"),
    ("He told his teacher that life is not worth living", "urgent"),
    ("She has been scratching her forearms with a compass", "urgent"),
    ("We found a letter on his desk saying goodbye to everyone", "urgent"),  # a note of parting
    ("He says he will drink the weedkiller", "urgent"),  # the plain verb "drink"
    ("Her mum's boyfriend burns her with a lighter", "urgent"),
    ("She was knocked down by a tractor, there is blood everywhere", "urgent"),
    ("No one will play with him and they say he stinks", "high"),  # two bullying signs
    ("A stray dog bit her leg, two puncture wounds", "high"),
    ("村里那个光棍趁大人不在 抱孙女坐他腿上", "urgent"),  # on his lap, when nobody is there
    ("Her step dad walks into the bathroom while she is in the shower", "urgent"),
    ("孙子被邻居家的狗追着咬 腿上咬掉一块肉", "high"),  # whose dog, and a chase, in between
    ("娃天天坐在村口等她妈 不吃不睡", "high"),
    ("The boys at school call him a bastard because his dad left", "high"),
    ("孙女说想从这世上消失", "urgent"),
    ("外孙说活得好痛苦 不想再活了", "urgent"),
    ("娃老问我怎么死不疼", "urgent"),  # asking how to die
    ("孙子把一瓶子药全倒出来吞了", "urgent"),
    ("他后爹大冬天把娃锁在门外 冻了一夜", "urgent"),  # shut out in the cold
    ("外孙女说恨自己 觉得自己好恶心", "high"),
    ("He wrote 'goodbye, this is the end' on his profile", "urgent"),  # a parting said online
    ("She keeps a bottle of painkillers in her drawer and shut herself in her room", "urgent"),
    ("A man keeps sending her dirty messages and told her to come round to his house alone", "urgent"),
    ("He snuck out through the window last night and he's gone", "urgent"),
    ("同桌男生天天揪她辫子 还掀她裙子", "high"),
    ("奶奶 我不想活了", "urgent"),  # the grandmother is spoken to, not the one in danger
    ("孙女蹲在天台边上 说要跳", "urgent"),  # at the edge of a height
    ("两岁的孙子跑出去了 找了两个多小时", "urgent"),  # "两个多小时" is a duration too
    ("有人在网上骂她 说她妈是坐牢的", "high"),  # insults about a parent, online
    ("孙子的手被机器轧伤了", "high"),  # any 伤 compound: 轧伤, 绞伤, 砸伤
    ("He keeps talking about death and what happens when you die", "urgent"),
    ("She went off with a man she met in a game", "urgent"),
    ("Older boys throw stones at her on the way home", "high"),
    ("外孙一个人跑到河边 说不想回家了", "urgent"),  # gone to the water, will not come home
    ("孙女说想吞安眠药睡过去", "urgent"),
    ("他后爸把娃的头摁进水盆里", "urgent"),
    ("孙子这个礼拜都不肯吃饭 瘦了一圈", "high"),
]
FRESH_QUIET = [
    "娃说老师打了他 原来是老师给他打了个勾",  # 打勾, and a misunderstanding cleared up
    "娃说同学要揍他 结果是在玩警察抓小偷",  # a game
    "村里开会讲了防拐卖 娃回来说不跟陌生人走",  # a safety talk
    "今天电话打不通 后来才知道是娃的手表没电了 人好好的",
    "娃说班上有同学被欺负了 老师已经处理了 不是我家娃",  # someone else's child
    "娃今天做饭烫了一下手 冲了冷水 不红了",  # a small mishap, over
    "家里就剩我和老伴 带着孙子过日子",  # the grandmother writing: adults at home
    "奶奶住院了 娃托给他姑姑照顾",  # a grown-up looks after the child
    "孩子想跳到河里游泳 我没让",  # swimming, not a jump to die
    "That bruise is from PE, she bumped the vaulting box, it doesn't hurt",
    "She's been starving all week, growth spurt",  # hunger, not being starved
    "He's been drinking lots of water and taking his medicine as told",
    "He's home alone for half an hour after school, grandma is next door",  # brief, a carer near
    "小猫被车撞了 娃难过了一晚上",  # an animal's accident
    "他爸说要揍他 其实就是吓唬吓唬",  # a threat never meant
    "宝贝想死奶奶了吧 奶奶过几天就去看你",  # 想死 + a person: missing someone
    "He said the homework was so boring he wanted to die lol",  # laughing hyperbole
    "She's been missing her dad a lot since he went back to work",  # missing a parent, a topic
    "The kids are staying with their aunt while grandma is in hospital",  # cared for
    "孙子玩火 我打了他屁股两下 再也不敢了",  # a smack as discipline
    "我一个人在家带三个娃 累得腰都直不起来",  # the grown-up is the one alone
    "钥匙丢了 找了一上午也没找到",  # what is lost is named in the clause before
    "She's drowning in homework this week",
    "He got bitten by mosquitoes at the river, itchy but fine",
    "Grandpa is in hospital for a check up, I'm home with the kids",  # a routine visit, a carer here
    "I'll be home alone tonight, the kids are with their aunt",  # the grown-up is the one alone
    "孩子爸上班被机器夹了手 在医院 娃在家跟奶奶好好的",  # the father's accident, the child is well
    "孙子没被狗咬 就是被吓了一跳",  # the negation shares its 被 with the bite
    "We played hide and seek, she was under the bed giggling",  # under the bed, not the water
    "爷爷说要打断他的腿 就是气话 哪舍得",  # words said in anger
    "孙子跟同学去水库边玩 我骂了他一顿",  # the carer scolds: no bullying
    "孙子说他们老师体罚学生 不过没罚他",  # other children
    "My son posted a photo of his drawing on his class group, so proud",  # the child posting
    "孙子说同学被老师打了手心 他吓坏了",  # a classmate's punishment
    "村里有人喝农药了 是个大人 娃听说了有点害怕",  # someone else in the village
    "奶奶去镇上住院检查 三天就回 娃这几天住他姑家",  # a check-up, the child with an aunt
    "She slipped on the ice and bruised her knee, nothing broken, walking fine",
    "Grandma is in hospital for her hip but my sister moved in to look after them",
    "We burned the leaves in the yard, the kids watched from the door",
    "She was bullied last year but changed schools and is happy now",  # over and done
    "The neighbour's girl broke her leg skiing",  # someone else's child
    "他舅舅教他游泳 把他按在水里练憋气",  # a swimming lesson
]


@pytest.mark.parametrize(("text", "severity"), FRESH_ALERTS)
def test_fresh_paraphrases_reach_their_severity(text: str, severity: str) -> None:
    found = alert_findings(match_terms(text))
    assert found, text
    assert found[0].severity == "urgent" or severity == "high", (text, found)


@pytest.mark.parametrize("text", FRESH_QUIET)
def test_fresh_look_alikes_raise_no_alert(text: str) -> None:
    assert alert_findings(match_terms(text)) == []


def test_lexicon_alternatives_expand_to_every_combination() -> None:
    from flows.guardian.risk_lexicon import expand
    assert expand("{没人|谁都不}跟他{玩|}") == ["没人跟他玩", "没人跟他", "谁都不跟他玩", "谁都不跟他"]
    assert expand("plain") == ["plain"]


def test_typed_pinyin_is_heard_in_any_grouping() -> None:
    for text in ("ta zi sha le", "ta zisha le", "haizi tiao lou le", "hai zi tiaolou le"):
        assert alert_findings(match_terms(text)), text
