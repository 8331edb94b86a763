"""Whether two reports tell of the same problem at the same place in their own words (a paraphrase).

Near-duplicates (``dedupe``) are texts that share most of their characters: one person sending the same report
twice, or many copying one letter. Two people describing one pothole share far fewer: "幸福路12号小区门口的路面塌陷了
一个大坑" and "幸福路12号小区门口路面塌陷一个大坑一个多月了" have a place and a few words in common, and the rest is
each writer's own. So a paraphrase is judged on what a dispatcher would look at, in this order:

1. **The place** (``places``: the estate, road, village or address a text is about). Two texts whose places differ
   are never the same problem, however alike their words ("XX小区油烟扰民" sent about two estates); a text that
   names no place can be the same as one that does only if it mentions that place somewhere in its text.
2. **Numbers in the titles** that tell cases apart: years (2017年 / 2018年), house numbers (12号 / 15号), buildings
   (3栋 / 8栋). When both titles give numbers of one kind and share none, they are different cases.
3. **The problem**: the cosine similarity of the texts' issue words (``places.features``: jieba words without places
   and stop words, the title's counted twice), each word weighted by how rare it is in everyday Chinese (the
   logarithm of its inverse frequency in jieba's dictionary, which ships with it: "搅拌站" weighs twice what "问题"
   weighs). At the same place a third of the weight in common is enough; without a place on either side the texts
   must share much more (``WITHOUT_PLACE``), because nothing else ties them.

Every threshold was chosen on the labelled groups of ``fankui bench quality`` (docs/analysis.md), and each answer
carries its reason (the place and the shared words) for the dispatcher.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from . import places

# Weighted-cosine similarity of the issue words from which two reports at the same place are the same problem.
SAME_PLACE = 0.25
# Without a place on either side (a fraud case, a company, a policy): much more must be in common.
WITHOUT_PLACE = 0.45
# One report names a place the other never mentions: only near-identical words would do.
ONE_PLACE = 0.7

_NUMBERS = re.compile(r"(\d{4})年|(\d{1,5})号(?![线楼院])|(\d{1,3})栋")


@dataclass(frozen=True)
class Report:
    """What two reports are compared on."""

    text: str
    place: str
    vector: dict[str, float]
    numbers: tuple[frozenset[str], ...]


@dataclass(frozen=True)
class Verdict:
    similarity: float
    place: str
    words: tuple[str, ...]


def report(title: str, body: str, place: str, words: Sequence[str]) -> Report:
    """A report from its texts and its ``places.features`` (main place, issue words)."""
    return Report(
        text=f"{title} {body}",
        place=place,
        vector=word_vector(words),
        numbers=title_numbers(title),
    )


def title_numbers(title: str) -> tuple[frozenset[str], ...]:
    found: tuple[set[str], set[str], set[str]] = (set(), set(), set())
    for match in _NUMBERS.finditer(title):
        for kind, value in enumerate(match.groups()):
            if value:
                found[kind].add(value)
    return tuple(frozenset(values) for values in found)


def word_vector(words: Sequence[str]) -> dict[str, float]:
    """Unit vector of the words: (1 + log count) times the word's weight."""
    counts: dict[str, int] = {}
    for word in words:
        counts[word] = counts.get(word, 0) + 1
    known = places.known_weights()
    vector: dict[str, float] = {}
    squares = 0.0
    for word, count in counts.items():
        value = known.get(word) or places.word_weight(word)
        if count > 1:
            value *= 1.0 + math.log(count)
        vector[word] = value
        squares += value * value
    if not squares:
        return {}
    scale = 1.0 / math.sqrt(squares)
    return {word: value * scale for word, value in vector.items()}


def cosine(a: dict[str, float], b: dict[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(value * b.get(word, 0.0) for word, value in a.items())


def _same_place(a: str, b: str) -> bool:
    return a == b or a.endswith(b) or b.endswith(a)


def place_relation(a: Report, b: Report) -> str:
    """ "same", "different", "one" (only one names a place, and the other never mentions it) or "none"."""
    mentioned = bool(b.place and b.place in a.text) or bool(a.place and a.place in b.text)
    if a.place and b.place:
        return "same" if _same_place(a.place, b.place) or mentioned else "different"
    if a.place or b.place:
        return "same" if mentioned else "one"
    return "none"


def numbers_conflict(a: Report, b: Report) -> bool:
    return any(x and y and not x & y for x, y in zip(a.numbers, b.numbers, strict=True))


def compare(a: Report, b: Report) -> Verdict | None:
    """The verdict when ``a`` and ``b`` tell of the same problem at the same place, else None."""
    if numbers_conflict(a, b):
        return None
    relation = place_relation(a, b)
    if relation == "different":
        return None
    similarity = cosine(a.vector, b.vector)
    needed = {"same": SAME_PLACE, "one": ONE_PLACE, "none": WITHOUT_PLACE}[relation]
    if similarity < needed:
        return None
    shared = sorted(set(a.vector) & set(b.vector), key=lambda word: -a.vector[word] * b.vector[word])
    return Verdict(round(min(similarity, 1.0), 3), a.place or b.place, tuple(shared[:5]))


def conflicting(a: Report, b: Report) -> bool:
    """Near-identical texts that are still two cases: at two different places, or numbered differently."""
    return numbers_conflict(a, b) or place_relation(a, b) == "different"
