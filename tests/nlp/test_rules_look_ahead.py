from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from fankui.nlp import patterns, rules

FIXTURES = Path(__file__).parent / "fixtures"


def _sentences() -> list[str]:
    sentences: list[str] = []
    for name in ("kind_sample.csv", "urgency_sample.csv"):
        with (FIXTURES / name).open(encoding="utf-8") as handle:
            sentences.extend(rules.normalize(row["text"]) for row in csv.DictReader(handle))
    # Look-alikes the look-ahead must not change: a negative look-behind, digits, a class at the start.
    return [*sentences, "减轻生活负担", "有人轻生", "2019年12月30日", "3号楼2单元", "这是为什么？", "吗?"]


PATTERNS = [
    *rules.EMERGENCY.values(),
    *rules.URGENT.values(),
    *(pattern for cues in rules.KIND_CUES.values() for pattern, _ in cues),
    rules._ANY_SIGNAL.pattern,
]


@pytest.mark.parametrize("pattern", PATTERNS)
def test_a_pattern_led_by_its_first_characters_finds_the_same_matches(pattern: str) -> None:
    plain = re.compile(pattern)
    led = patterns.compile_led(pattern)
    for sentence in _sentences():
        assert [m.span() for m in led.finditer(sentence)] == [m.span() for m in plain.finditer(sentence)]


def test_the_first_characters_cover_groups_classes_digits_and_look_behinds() -> None:
    first = patterns.first_characters(r"(?:燃气|煤气)泄漏|[?？]|\d{4}年|(?<!减)轻生")
    assert first is not None
    assert set(re.findall(r"0-9|.", first)) == {"燃", "煤", "?", "？", "0-9", "轻"}


@pytest.mark.parametrize("pattern", [r"(?:很)?急", r"a*b|c", r"[^，。]起火", r".火", r"(?=火)火"])
def test_a_pattern_whose_first_characters_it_cannot_tell_is_compiled_as_written(pattern: str) -> None:
    assert patterns.first_characters(pattern) is None
    assert patterns.compile_led(pattern).pattern == pattern
