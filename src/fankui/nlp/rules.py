"""Rules that work on a fresh install: urgency (with negation), kind (咨询/求助/投诉/举报/建议/表扬) and nature.

Urgency is rules on purpose: an emergency (gas leak, people trapped, self-harm, violence, fire) must be caught on
day one, for reasons a person can read, and a statistical model trained on ordinary complaints would see too few
of them. A keyword counts only in a clause that does not deny it ("没有燃气泄漏") and does not merely talk about
it (a fire drill, advice on preventing gas leaks); a worry about a hazard ("担心会起火") makes a case urgent, not an
emergency.

The words shown for each reason are the analysis app's (``analysis.models.REASON_LABELS``).

Kind and nature are weighted cue words (title cues count double) evaluated on the hand-labelled sentences in
tests/nlp/fixtures/kind_sample.csv; an organisation that records kinds can train its own ``kind`` model,
which then takes precedence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .patterns import compile_led
from .text import normalize

RULES_VERSION = "rules-2026.11"
# The urgency rules changed on their own (docs/analysis.md): analyses say which ones rated them.
URGENCY_VERSION = "urgency-2026.12"


EMERGENCY = {
    "gas": (
        r"(?:燃气|煤气|天然气|液化气)[^，。]{0,6}(?:泄[漏露]|警报|报警器)|漏气|闻到[^，。]{0,4}(?:煤气|"
        r"燃气|天然气)味|煤气味|燃气味|臭鸡蛋味|煤气中毒|一氧化碳中毒"
    ),
    "trapped": (
        r"被困|困在|电梯困人|困人了|关在电梯|电梯里出不来|出不来了|被锁在|被关在|"
        r"不让(?:他|她|我|我们)(?:走|离开|出来)"
    ),
    "self_harm": (
        r"跳楼|自杀|(?<!减)轻生|不想活|寻死|割腕|喝农药|服毒|结束自己的生命|活不下去|想不开|活着没意思|"
        r"要从[^，。]{0,8}跳下|跳江|跳河|吃了很多安眠药|天台边"
    ),
    "violence": (
        r"打人(?!家)|殴打|围殴|被(?:人)?打(?:了|伤|死|成|倒|得|破)|挨打|家暴(?!征)|家庭暴力|持刀|拿刀|砍人|行凶|"
        r"捅伤|捅人|威胁要杀|要杀了|暴力伤害|斗殴|抢劫|绑架|撬(?:我家|门)|入室(?!内)|被(?:人)?跟踪|跟踪我|拿着刀|砸门|"
        r"(?:正在|在)打(?:人|他|她|老婆|妻子|孩子|老人)|(?:弄|打|杀)死(?:我|你|他|她)|用(?:棍子|棍棒|刀|砖头?|铁棍)(?:打|砍|砸)|(?:就|要)动手|动手打|掐[^，。]{0,3}脖子"
    ),
    "fire": (
        r"(?<!打不)(?<!点不)着火(?!车)|起火|失火|火灾|大火|冒(?:浓|黑|大)?烟|浓烟|烧起来|爆炸|火越烧越大|火[^，。]{0,4}烧到|火势|冒火|"
        r"火光|烧着了|(?:箱|房|车|楼|屋|柜)着了|电池爆|爆燃|焦糊味|烧焦味"
    ),
    "medical": (
        r"脑梗|脑溢血|脑出血|中风|心梗|心脏病(?:发作|犯了)|心脏骤停|休克|抽搐|昏迷|晕倒|昏倒|不省人事|没有意识|"
        r"叫不醒|没有呼吸|呼吸困难|喘不上气|大量出血|流了很多血|吐血|食物中毒|呕吐腹痛|头晕呕吐|摔倒[^，。]{0,3}起不来|"
        r"(?:人|老人|孩子|他|她|父亲|母亲|爸|妈|奶奶|爷爷|同事|室友)[^，。]{0,8}倒在|"
        r"(?:叫|喊|拍|敲门)[^，。]{0,4}没有?(?:反应|回应)|(?:工人|老人|孩子|病人)[^，。]{0,4}没有?(?:反应|回应)|"
        r"说不出话|半边身子|口角歪斜|"
        r"心口疼|胸口(?:剧)?痛|喘不过气|一动不动|噎住|脸都紫|嘴唇发紫|口吐白沫|(?:发病|突然)倒下|血止不住|"
        r"流血不止|头破血流|误(?:喝|服|食)|晕过去|昏过去|缺氧|烫伤|烧伤|(?:一整?瓶|很多|大量)[^，。]{0,6}药|"
        r"卷进|不怎么答应"
    ),
    "flood": (
        r"水已经(?:到|没过|淹到|漫到)[^，。]{0,4}(?:胸口|腰|脖子|车顶|头|屋顶)|被(?:洪水|大水|水)冲走|"
        r"困在[^，。]{0,4}(?:屋顶|车里|水里|水中)|水(?:位)?(?:还)?在(?:往上)?(?:上)?涨|管涌|决堤|溃坝"
    ),
    "electric": (
        r"触电|被电(?:倒|到|击)|(?:电线|高压线)[^，。]{0,6}(?:断了|刮断|断落|掉落|掉在|垂到|垂落)|(?:冒|打)火花|"
        r"漏电[^，。]{0,8}(?:电倒|电到|被电)"
    ),
    "danger_to_life": (
        r"溺水|落水(?!管)|掉进[^，。]{0,8}(?:河|池塘|水|井|江|湖)|(?:孩子|小孩|人)[^，。]{0,4}掉(?:进|下)去|被埋|"
        r"压(?:在|着|住)[^，。]{0,6}(?:下面|底下|里面|人|工人|车)|(?:卡|夹)住了?[^，。]{0,4}(?:手|脚|头|人)|"
        r"(?:还有|有)[^，。]{0,8}(?:没出来|出不来)|有人受伤|受了?重伤|砸伤|砸中了?人|"
        r"(?:爬|站|坐|挂)(?:到|在)[^，。]{0,6}(?:窗台|阳台|栏杆|天台)(?:外|边)|"
        r"(?:喊|呼|叫)救命|救命啊|呼救|求救|地震了|(?:孩子|小孩|儿童|老人)[^，。]{0,6}走失|走失了"
    ),
}
# Threats with a weapon are an emergency even when only said ("要拿刀砍人").
_ARMED = re.compile(r"刀|枪|砍|杀|弄死|打死")
URGENT = {
    "hazard": (
        r"安全隐患|随时可能|摇摇欲坠|电线裸露|漏电|井盖缺失|坍塌|倒塌|塌方|塌陷|危及生命|生命危险|"
        r"没有井盖|井盖丢失|树木倒伏|大树倒|积水严重|内涝|危房|裂缝|消防(?:通道|车道)[^，。]{0,6}(?:占|堵)"
    ),
    "utilities": r"停水|停电|断水|断电|没有暖气|没有热水|水管爆裂|爆管",
    "vulnerable": (
        r"老人[^，。]{0,6}(?:无人|没人)|孩子[^，。]{0,6}(?:无人|没人)|孕妇|残疾人[^，。]{0,6}困难|"
        r"独自在家|独居老人|一个人在家"
    ),
    "pressing": (
        r"紧急|十万火急|刻不容缓|非常着急|特别着急|急需|马上处理|立即处理|尽快处理|"
        r"拖欠[^，。]{0,6}工资|欠薪|讨薪"
    ),
}
# Words that deny what follows in the same clause.
NEGATION = re.compile(
    r"(?:没有|没|无|不是|并非|并未|未|不存在|排除|不会|并没有|已经排除|没发现|未发现|不再)[^，。！？；]{0,4}$"
)
# Words that show the clause talks about the subject without reporting one happening now.
MENTION_ONLY = re.compile(
    r"预防|防止|以防|防范|演练|宣传|培训|知识|讲座|科普|如何|怎样|怎么防|检查了|已经修好|已修好|已处理|已经处理|"
    r"扑灭|感谢|表扬|猛于虎|可以去哪里|想了解|咨询|政策"
)
# A danger named as a possibility (before it, anywhere in its sentence): urgent, not happening ...
HYPOTHESIS = compile_led(
    r"万一|如果|一旦|倘若|假如|要是|若是|以免|避免|不堪设想|怎么办|谁负责|谁来负责|将会|会造成|会引发|会导致|会不会|"
    r"随时"
)
# ... and, before it in its own clause, a fear, a risk or a threat.
WORRY = compile_led(r"担心|害怕|怕|可能|容易|存在|隐患|风险|迟早|防|扬言|快要|将要")
# ... or right after it ("有倒塌的危险", "火灾隐患").
WORRY_AFTER = re.compile(
    r"^[^，。！？；]{0,3}(?:的)?(?:危险|隐患|风险|可能|事故|怎么办|谁负责|不堪设想)|"
    r"^[^，。！？；]{0,12}(?:将会|会造成|会引起|会导致|就会|才会|会是)"
)
# A comparison, not an event ("像爆炸一样的声响").
SIMILE = re.compile(r"(?<!好)像|如同|仿佛|犹如|好比|宛如")
# Words that place the event in the past, make it a pattern, or show the text is about how it was handled:
# serious, but not happening now.
PAST = compile_led(
    r"曾经|曾|去年|前年|以前|之前|当年|当时|多次|每年|频发|历史|发生过|过去(?:的|几|一|两|三|多|那)|年前|上次|上个月|"
    r"上周|那次|"
    r"几天前|前几天|昨天|前天|早几年|至今|迄今|逍遥法外|立案|报案|派出所|处理结果|判决|法院|赔偿|事件|一事|此事|碰到过|"
    r"遇到过|本月|近日|日前|此前|"
    r"出现过|"
    r"\d{4}年|\d+月\d+[日号]|[0-9]{4}-[0-9]"
)
# Somebody in danger writes a few lines; a long letter is about a danger now only where it says so.
LONG_TEXT = 400
NOW = compile_led(r"正在|刚刚|刚才|现在|此刻|马上|赶紧|快来|救命|请速|立即|立刻|还在|仍在|已经有人")
# Words that say it is happening this moment, whatever else the clause says.
RIGHT_NOW = compile_led(r"正在|刚刚|刚才|此刻|快来|救命|请速")
# In the danger's own clause, unless its sentence says it is happening now: something that keeps happening or
# happened ("经常被困电梯", "24小时冒黑烟", "发生了几起"), a chronic complaint rather than a call for help.
CHRONIC = compile_led(
    r"经常|常年|长期|每天|每次|天天|夜夜|总是|不断|频繁|屡次|隔三差五|24小时|数年|几年|多年|时常|"
    r"几次|多次|数次|几十起|多起|几起|发生|重者|轻者|动辄|患|瘫痪|住院|治疗"
)
# Right before the danger in its clause: what will, could or is said to happen ("会触电", "要打人").
MODAL = re.compile(r"(?:会|要|能|将)[^，。]{0,2}$")
# A medical word or smoke in a complaint about pollution or hard work ("灰尘导致呼吸困难", "烟囱浓烟滚滚",
# "压力大得喘不过气") is not an emergency.
POLLUTION = re.compile(
    r"灰尘|粉尘|油烟|噪音|异味|臭味|污染|甲醛|尾气|烟囱|排放|工厂|货车|汽车|压力|负担|累得|忙得|工作量"
)
_SMOKE = re.compile(r"烟")

# Characters from the start of title + text within which an emergency must be named.
EMERGENCY_WITHIN = 200

_CLAUSES = re.compile(r"[，。！？；,.!?;\n]+")
_SENTENCES = re.compile(r"[^。！？；!?;\n]+")


def clauses(text: str) -> list[str]:
    return [clause for clause in _CLAUSES.split(normalize(text)) if clause]


_EMERGENCY = {name: compile_led(pattern) for name, pattern in EMERGENCY.items()}
_URGENT = {name: compile_led(pattern) for name, pattern in URGENT.items()}
# Most messages name no danger at all: one search over the whole text settles them.
_ANY_SIGNAL = compile_led("|".join(f"(?:{pattern})" for pattern in [*EMERGENCY.values(), *URGENT.values()]))


@dataclass
class UrgencyResult:
    level: str
    confidence: float
    reasons: list[str]


def urgency(text: str) -> UrgencyResult:
    normalized = normalize(text)
    if not _ANY_SIGNAL.search(normalized):
        return UrgencyResult("normal", 0.8, [])
    long = len(normalized) > LONG_TEXT
    emergency: list[str] = []
    urgent: list[str] = []
    for found in _SENTENCES.finditer(normalized):
        sentence = found.group()
        if not _ANY_SIGNAL.search(sentence):
            # Most sentences of a message that names a danger name none.
            continue
        # Somebody in danger says so first; deep inside a long letter it is part of a story (urgent at most).
        early = found.start() < EMERGENCY_WITHIN
        past = PAST.search(sentence) is not None
        said_now = RIGHT_NOW.search(sentence) is not None
        current = not long or said_now or NOW.search(sentence) is not None
        offset = 0
        for clause in _CLAUSES.split(sentence):
            start = offset
            offset += len(clause) + 1
            if not clause or MENTION_ONLY.search(clause):
                continue
            for name, pattern in _EMERGENCY.items():
                for match in pattern.finditer(clause):
                    before = clause[: match.start()]
                    if NEGATION.search(before) or SIMILE.search(before):
                        continue
                    if (name == "medical" or (name == "fire" and _SMOKE.search(match.group()))) and POLLUTION.search(
                        sentence
                    ):
                        continue
                    worry = (
                        HYPOTHESIS.search(sentence[: start + match.start()]) is not None
                        or WORRY.search(before) is not None
                        or WORRY_AFTER.search(clause[match.end() :]) is not None
                        or (
                            name != "self_harm"
                            and not _ARMED.search(match.group())
                            and MODAL.search(before) is not None
                        )
                    )
                    chronic = not said_now and CHRONIC.search(clause) is not None
                    now = early and current and not worry and not past and not chronic
                    (emergency if now else urgent).append(name)
                    break
            for name, pattern in _URGENT.items():
                hit = pattern.search(clause)
                if hit and not NEGATION.search(clause[: hit.start()]):
                    urgent.append(name)
    if emergency:
        return UrgencyResult("emergency", min(0.97, 0.85 + 0.05 * (len(emergency) - 1)), sorted(set(emergency)))
    if urgent:
        return UrgencyResult("urgent", min(0.9, 0.7 + 0.05 * (len(urgent) - 1)), sorted(set(urgent)))
    return UrgencyResult("normal", 0.8, [])


# Kind: (pattern, weight). Strong words name the kind outright; weak ones hint at it.
KIND_CUES: dict[str, list[tuple[str, float]]] = {
    "praise": [
        (r"表扬|点赞|赞扬|锦旗|感谢信|致谢|好评|称赞|值得学习|为[^，。]{1,12}点赞", 3.0),
        (
            r"非常满意|十分满意|服务[^，。！？]{0,4}周到|热情周到|认真负责|耐心细致|及时解决了|很快就解决了|辛苦了|给力",
            1.5,
        ),
        # Thanks for something done ("感谢…帮我家老人办好了…"), not the polite "感谢您的阅读" of a complaint letter.
        (r"感谢[^，。！？]{0,16}(?:帮助|帮忙|帮我|帮他|帮她|办好|办妥|解决了|耐心|热心|及时)", 1.5),
        (r"感谢|谢谢", 0.4),
    ],
    "report": [
        (r"举报|检举|揭发|实名反映[^，。]{0,10}违法", 3.0),
        (
            r"违法|违规|非法|偷排|偷倒|私自|无证|黑作坊|诈骗|骗取|涉嫌|贪污|受贿|套取|虚报|传销|赌博|黄赌毒|假冒|伪劣|地沟油|查处",
            1.2,
        ),
    ],
    "complaint": [
        (r"投诉|不满|太差|恶劣|不作为|推诿|踢皮球|敷衍|差评|乱收费|霸王条款|态度(?:差|恶劣|蛮横)", 2.0),
        (r"扰民|噪音|拖欠|一直没有解决|多次反映|无人管|没人管|严重影响|强烈要求|坑|欺骗|不退|拒绝|刁难|脏乱差|臭", 1.0),
    ],
    "help": [
        (r"求助|求求|帮帮|请帮|救助|帮忙|走投无路|无家可归|怎么办啊|孤寡|困难户|求解决", 2.0),
        (r"困难|无力|没钱|生病|残疾|恳请|请求|希望[^，。]{0,8}帮|找不到", 0.8),
    ],
    "suggestion": [
        (r"建议|提议|倡议|呼吁|献策|意见和建议|合理化", 2.5),
        (
            r"能否增设|增设|增加[^，。]{0,8}(?:线路|站|班次|设施|车位)|优化|改进|完善|规划|应该|应当|可否考虑|是否可以考虑|希望能|希望政府重视",
            0.9,
        ),
    ],
    "inquiry": [
        (r"咨询|请问|问一下|想了解|想知道|想问|是否可以|能不能|可不可以|怎么办理|如何办理|需要什么|哪些材料|流程", 2.0),
        (r"什么时候|多久|哪里|怎么|如何|是否|吗[?？]|[?？]|政策|条件|标准是", 0.7),
    ],
}
# When scores tie, the kind that needs the most care wins.
KIND_ORDER = ["report", "complaint", "help", "inquiry", "suggestion", "praise"]
_KIND = {kind: [(compile_led(p), w) for p, w in cues] for kind, cues in KIND_CUES.items()}

OPINION_CUES = re.compile(
    r"建议|觉得|认为|看法|意见|呼吁|希望政府|希望相关部门[^，。]{0,6}(?:考虑|重视|研究)|应该|应当|政策|规划|表扬|点赞|感谢"
)
PROBLEM_CUES = compile_led(
    r"坏了|损坏|漏水|堵塞|不通|停水|停电|噪音|扰民|拖欠|欠薪|垃圾|违建|违章|占道|积水|没有解决|请求|尽快|处理|解决|"
    r"维修|退款|退费|小区|[0-9一二三四五六七八九十]+(?:号|栋|楼|单元|室)|路口|门口"
)


@dataclass
class Guess:
    label: str
    confidence: float


def kind(text: str, title: str = "") -> Guess:
    scores = {name: 0.0 for name in KIND_ORDER}
    for part, factor in ((normalize(title), 2.0), (normalize(text), 1.0)):
        if not part:
            continue
        for name, cues in _KIND.items():
            for pattern, weight in cues:
                hits = len(pattern.findall(part))
                if hits:
                    scores[name] += factor * weight * min(hits, 3)
    total = sum(scores.values())
    if total == 0:
        # Most messages to a hotline with no cue at all describe something wrong that somebody should fix.
        return Guess("complaint", 0.35)
    best = max(KIND_ORDER, key=lambda name: (scores[name], -KIND_ORDER.index(name)))
    share = scores[best] / total
    return Guess(best, round(min(0.95, 0.4 + 0.5 * share * min(1.0, scores[best] / 3.0)), 3))


def nature(text: str, kind_label: str = "") -> Guess:
    """Opinion (反映: how things are, ideas, praise) or a concrete problem somebody must solve (问题反馈)."""
    normalized = normalize(text)
    opinion = len(OPINION_CUES.findall(normalized)) + (2 if kind_label in ("suggestion", "praise") else 0)
    problem = len(PROBLEM_CUES.findall(normalized)) + (2 if kind_label in ("complaint", "report", "help") else 0)
    if opinion == problem == 0:
        return Guess("problem" if kind_label == "inquiry" else "opinion", 0.5)
    label = "opinion" if opinion > problem else "problem"
    share = max(opinion, problem) / (opinion + problem)
    return Guess(label, round(0.5 + 0.45 * share * min(1.0, max(opinion, problem) / 3), 3))
