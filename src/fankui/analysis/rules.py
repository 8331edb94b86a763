"""Rules that work on a fresh install: urgency (with negation), kind (咨询/求助/投诉/举报/建议/表扬) and nature.

Urgency is rules on purpose: an emergency (gas leak, people trapped, self-harm, violence, fire) must be caught on
day one, for reasons a person can read, and a statistical model trained on ordinary complaints would see too few
of them. A keyword counts only in a clause that does not deny it ("没有燃气泄漏") and does not merely talk about
it (a fire drill, advice on preventing gas leaks); a worry about a hazard ("担心会起火") makes a case urgent, not an
emergency.

Kind and nature are weighted cue words (title cues count double) evaluated on the hand-labelled sentences in
tests/analysis/fixtures/kind_sample.csv; an organisation that records kinds can train its own ``kind`` model,
which then takes precedence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from .patterns import compile_led
from .text import normalize

RULES_VERSION = "rules-2026.11"


EMERGENCY = {
    "gas": (
        r"(?:燃气|煤气|天然气|液化气)[^，。]{0,4}泄[漏露]|漏气|闻到[^，。]{0,4}(?:煤气|"
        r"燃气|天然气)味|煤气味|燃气味|煤气中毒|一氧化碳中毒"
    ),
    "trapped": r"被困|困在|电梯困人|困人了|关在电梯|电梯里出不来|出不来了|被锁在",
    "self_harm": r"跳楼|自杀|(?<!减)轻生|不想活|寻死|割腕|喝农药|服毒|结束自己的生命|活不下去",
    "violence": r"打人|殴打|被打|家暴|家庭暴力|持刀|砍人|行凶|捅伤|威胁要杀|要杀了|暴力伤害|斗殴|抢劫|绑架",
    "fire": r"着火(?!车)|起火|失火|火灾|大火|冒烟|烧起来|爆炸",
    "danger_to_life": (
        r"触电|溺水|落水(?!管)|坍塌|倒塌|塌方|昏迷|晕倒|"
        r"没有呼吸|心脏骤停|危及生命|生命危险|救命|大量出血|(?:孩子|小孩|儿童|老人)[^，。]{0,6}走失"
    ),
}
URGENT = {
    "hazard": (
        r"安全隐患|随时可能|摇摇欲坠|电线裸露|电线掉落|漏电|井盖缺失|"
        r"没有井盖|井盖丢失|树木倒伏|大树倒|积水严重|内涝|危房|裂缝"
    ),
    "utilities": r"停水|停电|断水|断电|没有暖气|没有热水|水管爆裂|爆管",
    "vulnerable": r"老人[^，。]{0,6}(?:无人|没人)|孩子[^，。]{0,6}(?:无人|没人)|孕妇|残疾人[^，。]{0,6}困难",
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
    r"预防|防止|以防|防范|演练|宣传|培训|知识|讲座|科普|如何|怎样|怎么防|检查了|已经修好|已修好|已处理|已经处理"
)
WORRY = re.compile(r"担心|害怕|怕|可能|容易|万一|存在|隐患|风险|迟早|如果|一旦|倘若|假如|要是|以免|避免|防")
# Words that place the event in the past or make it a pattern: serious, but not happening now.
PAST = compile_led(
    r"曾经|去年|前年|以前|之前|当年|多次|每年|频发|历史|发生过|过去|年前|"
    r"\d{4}年|\d+月\d+日|[0-9]{4}-[0-9]"
)

# Characters from the start of title + text within which an emergency must be named.
EMERGENCY_WITHIN = 200

_CLAUSES = re.compile(r"[，。！？；,.!?;\n]+")


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
    if not _ANY_SIGNAL.search(normalize(text)):
        return UrgencyResult("normal", 0.8, [])
    emergency: list[str] = []
    urgent: list[str] = []
    read = 0
    for clause in clauses(text):
        # Somebody in danger says so first; deep inside a long letter it is part of a story (urgent at most).
        early = read < EMERGENCY_WITHIN
        read += len(clause) + 1
        if MENTION_ONLY.search(clause):
            continue
        for name, pattern in _EMERGENCY.items():
            for match in pattern.finditer(clause):
                if NEGATION.search(clause[: match.start()]):
                    continue
                now = early and not WORRY.search(clause) and not PAST.search(clause)
                (emergency if now else urgent).append(name)
                break
        for name, pattern in _URGENT.items():
            found = pattern.search(clause)
            if found and not NEGATION.search(clause[: found.start()]):
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
        (r"非常满意|十分满意|服务周到|热情周到|认真负责|耐心细致|及时解决了|很快就解决了|辛苦了|给力", 1.5),
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


# Words for the reasons, for the case page and the timeline.
REASON_LABELS = {
    "gas": _("gas leak"),
    "trapped": _("people trapped"),
    "self_harm": _("self-harm"),
    "violence": _("violence"),
    "fire": _("fire or explosion"),
    "danger_to_life": _("danger to life"),
    "hazard": _("hazard"),
    "utilities": _("water, power or heating cut"),
    "vulnerable": _("vulnerable person"),
    "pressing": _("pressing"),
}
