from __future__ import annotations

import csv
from pathlib import Path

import pytest

from fankui.nlp.rules import kind, nature

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("请问居住证办理需要多久？", "inquiry"),
        ("家里生活困难，求助政府救助", "help"),
        ("投诉物业乱收费", "complaint"),
        ("举报有人违章搭建", "report"),
        ("建议增设公交线路", "suggestion"),
        ("表扬社区网格员，给他点赞", "praise"),
    ],
)
def test_each_kind_is_recognised_by_its_cue_words(text: str, expected: str) -> None:
    assert kind(text).label == expected


def test_a_message_without_cues_is_a_complaint_with_low_confidence() -> None:
    guess = kind("路灯")
    assert guess.label == "complaint"
    assert guess.confidence < 0.5


def test_the_title_counts_more_than_the_body() -> None:
    assert kind("希望尽快处理，谢谢", title="举报工厂偷排污水").label == "report"


def test_suggestions_are_opinions_and_broken_things_are_problems() -> None:
    assert nature("建议多种树", "suggestion").label == "opinion"
    assert nature("小区门口路灯坏了，请尽快维修", "complaint").label == "problem"


def test_the_hand_labelled_sample_mostly_agrees() -> None:
    with (FIXTURES / "kind_sample.csv").open(encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    assert len(rows) >= 100
    assert sum(kind(row["text"]).label == row["kind"] for row in rows) / len(rows) >= 0.85
    assert sum(nature(row["text"], row["kind"]).label == row["nature"] for row in rows) / len(rows) >= 0.85


def test_thanks_for_something_done_is_praise_sure_enough_to_be_applied() -> None:
    guess = kind("感谢幸福路社区网格员小李，帮我家老人办好了医保手续，服务非常周到！")
    assert (guess.label, guess.confidence >= 0.7) == ("praise", True)
    # The polite thanks of a complaint letter is no praise.
    assert kind("感谢您抽空阅读，我家楼下的烧烤店每天营业到凌晨三点，噪音太大。").label != "praise"
