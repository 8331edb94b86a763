"""Labels a person would write for a topic, made from its cases' titles ("丽发新城附近建搅拌站噪音扰民")."""

from __future__ import annotations

import re
from collections.abc import Sequence

# What a title starts or ends with that says nothing about the problem: administrative prefixes ("A市A2区",
# "西地省"), the writer's verbs ("投诉", "关于", "强烈要求") and their tails ("的问题", "的相关咨询", "！").
_TITLE_ADMIN = re.compile(r"^(?:[\u4e00-\u9fff]{2}省)")
_TITLE_DISTRICT = re.compile(r"[A-Za-zＡ-Ｚａ-ｚ][\d０-９]*[市区县省]")
_TITLE_LEAD = re.compile(
    r"^(?:投诉|举报|检举|反映|反应|关于|咨询|询问|请问|恳请|恳求|请求|强烈要求|要求|希望|建议|紧急求助|求助|再次|"
    r"第[一二三四五六七八九十\d]+次|实名|我要|请|问|对)"
)
_TITLE_TAIL = re.compile(
    r"(?:(?:的|相关|的相关)(?:问题|情况|投诉|建议|反映|请求|疑问|咨询|维权)|一事|事宜|咨询|投诉|反映)*[!！?？。.，,、；;:：\s]*$"
)
_TITLE_NOISE = re.compile(r"\[[^\]]{1,8}\]|[“”\"'‘’《》【】()（）]")
_TITLE_CLAUSE = re.compile(r"[，,；;！!？?]")
# An address before the place a title is about ("暮云街道丽发新城", "劳动东路魅力之城"): the place leads the label.
_BEFORE_PLACE = re.compile(r"(?:街道|社区|镇|乡|村|路|街|大道|开发区|经开区|高新区|新区)$")
# A label is a line in a list, an action's title and a line of a message: about a dozen characters reads best.
LABEL_CHARS = 18


def clean_title(title: str, place: str = "") -> str:
    """A title as a label: without administrative names, the writer's verbs, quotes, masks and the end's
    punctuation, starting at its place when an address comes before it, and cut after its first clause when that
    says enough. "投诉A2区丽发新城附近建搅拌站噪音扰民！" becomes "丽发新城附近建搅拌站噪音扰民"."""
    text = _TITLE_DISTRICT.sub("", _TITLE_NOISE.sub("", title)).strip()
    previous = None
    while previous != text:
        previous = text
        text = _TITLE_LEAD.sub("", _TITLE_ADMIN.sub("", text)).strip()
    text = _TITLE_TAIL.sub("", text)
    at = text.find(place) if place else -1
    if at > 0 and _BEFORE_PLACE.search(text[:at]):
        text = text[at:]
    clause = _TITLE_CLAUSE.split(text, maxsplit=1)[0]
    if clause != text and len(clause) >= 6 and (not place or place in clause):
        text = clause
    return text[: LABEL_CHARS * 2]


def headline(titles: Sequence[str], place: str, keywords: Sequence[str]) -> str:
    """A label a person would write: the place and the problem as a short phrase ("丽发新城附近建搅拌站噪音扰民"),
    taken from the topic's own titles. Each title scores the keywords it names (the k-th counting 1/k: the first
    keywords are what the topic is about), one more for naming the topic's place and a tenth less for each character
    beyond ``LABEL_CHARS``; the best wins (the newest on a tie). The place is put in front of a short title that
    lacks it. Without a usable title: the place and the keywords (``label_for``)."""
    words = [k for k in keywords[:8] if not (place and (k in place or place in k))]
    best: tuple[float, int, str] | None = None
    for order, raw in enumerate(titles):
        title = clean_title(raw, place)
        if len(title) < 4:
            continue
        score = sum(1 / (rank + 1) for rank, word in enumerate(words) if word in title)
        if place and place in title:
            score += 1
        score -= max(0, len(title) - LABEL_CHARS) / 10
        if best is None or (score, -order) > (best[0], -best[1]):
            best = (score, order, title)
    if best is None:
        return label_for(place, keywords)
    title = best[2]
    if place and place not in title and len(title) <= LABEL_CHARS - len(place):
        title = place + title
    return title[:200]


def title_of(title: str, body: str) -> str:
    """What a text's label may be made from: its title, or without one the first clause of its body."""
    if title.strip():
        return title
    return _TITLE_CLAUSE.split(body.strip()[:60], maxsplit=1)[0]


# How many titles of a topic its label is chosen from.
LABEL_TITLES = 50


def label_for(place: str, top_words: Sequence[str]) -> str:
    """Place + object + problem, e.g. "丽发新城 搅拌站 噪音扰民" (when a topic has no title to take its label from)."""
    parts = [place] if place else []
    for word in top_words:
        if len(parts) >= 3:
            break
        if place and (word in place or place in word):
            continue
        if any(word in p or p in word for p in parts):
            continue
        parts.append(word)
    return " ".join(parts)
