"""What the topics read as the place a text is about: addresses, short estate names and estate names with two
suffixes are places; pieces of sentences that end in a suffix character are not."""

from __future__ import annotations

import pytest

from fankui.nlp import places


@pytest.mark.parametrize(
    ("text", "place"),
    [
        # An address names one building, not the whole road; different numbers are different places.
        ("幸福路12号小区门口的路面塌陷了一个大坑", "幸福路12号"),
        ("人民路5号门口路面塌陷", "人民路5号"),
        # A two-character estate name keeps its suffix, which makes it a name.
        ("A3区杏林小区旁一工地半夜施工扰民", "杏林小区"),
        # A longer suffix right after a short match belongs to the name.
        ("A7县东六路星城国际消防设施陈旧无人检修", "星城国际"),
        ("A市丽发新城小区侧面建设混泥土搅拌站", "丽发新城"),
    ],
)
def test_the_place_a_text_is_about(text: str, place: str) -> None:
    assert places.features(text).place == place


@pytest.mark.parametrize(
    "text",
    [
        "西地省A市58车贷恶性退出比其他城市严重",  # "比其他城"
        "A市58车贷老板跑路美国",  # "老板跑路"
        "整个小区都停水了",  # a kind of estate, not one
        "老旧小区改造什么时候开始",
        "A市12号小区",  # a number is not a name
    ],
)
def test_pieces_of_sentences_are_not_places(text: str) -> None:
    assert places.features(text).place == ""
