from __future__ import annotations

import csv
from pathlib import Path

import pytest

from fankui.nlp.rules import urgency

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("楼道里闻到很浓的煤气味", "gas"),
        ("厨房天然气泄漏了", "gas"),
        ("电梯困人半小时了", "trapped"),
        ("邻居说不想活了要跳楼", "self_harm"),
        ("楼下有人持刀砍人", "violence"),
        ("对面楼着火了", "fire"),
    ],
)
def test_threats_to_life_and_safety_are_emergencies(text: str, reason: str) -> None:
    result = urgency(text)
    assert result.level == "emergency"
    assert reason in result.reasons


@pytest.mark.parametrize(
    "text",
    ["小区里没有燃气泄漏，只是燃气费太贵", "并没有发现漏气", "社区组织了消防演练", "希望多宣传如何预防燃气泄漏"],
)
def test_a_denied_or_merely_mentioned_danger_is_not_an_emergency(text: str) -> None:
    assert urgency(text).level != "emergency"


def test_a_worry_about_a_hazard_is_urgent_not_an_emergency() -> None:
    assert urgency("担心老旧电线会起火").level == "urgent"


def test_ordinary_problems_are_normal() -> None:
    assert urgency("小区路灯坏了，晚上出行不方便").level == "normal"


def test_every_emergency_in_the_hand_labelled_sample_is_caught() -> None:
    with (FIXTURES / "urgency_sample.csv").open(encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    emergencies = [row["text"] for row in rows if row["urgency"] == "emergency"]
    assert len(emergencies) >= 15
    assert [text for text in emergencies if urgency(text).level != "emergency"] == []
    agree = sum(urgency(row["text"]).level == row["urgency"] for row in rows)
    assert agree / len(rows) >= 0.9


@pytest.mark.parametrize(
    "text",
    [
        "去年小区发生过一次火灾",
        "电梯多次被困人",
        "如果燃气泄漏后果不堪设想",
        "随着火车南站开通，噪音很大",
        "申请城市贫困人口救助",
    ],
)
def test_past_hypothetical_or_look_alike_words_are_not_emergencies(text: str) -> None:
    assert urgency(text).level != "emergency"


def test_danger_told_deep_inside_a_long_letter_is_urgent_not_an_emergency() -> None:
    letter = "关于小区物业管理的问题反映。" + "物业长期不作为，业主意见很大。" * 20 + "楼道里有人打人"
    assert urgency(letter).level == "urgent"
    assert urgency("楼道里有人打人，快来").level == "emergency"
