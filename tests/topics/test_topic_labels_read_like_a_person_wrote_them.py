"""A topic's label is the place and the problem as a short phrase, taken from its cases' titles: it is the title of
improvement actions and a line of messages to citizens, so it must not be a bag of keywords."""

from __future__ import annotations

import pytest

from fankui.analysis import pipeline
from fankui.analysis.models import CaseAnalysis
from fankui.nlp import labels, places
from fankui.topics import duplicates
from fankui.topics.models import Topic
from tests import factories


@pytest.mark.parametrize(
    ("title", "label"),
    [
        ("投诉A2区丽发新城附近建搅拌站噪音扰民！", "丽发新城附近建搅拌站噪音扰民"),
        ("关于A市武广新城违法捆绑销售车位的投诉", "武广新城违法捆绑销售车位"),
        ("询问A市住房公积金贷款的相关问题", "住房公积金贷款"),
        ("A市暮云街道丽发新城社区搅拌站灰尘，噪音污染严重", "丽发新城社区搅拌站灰尘"),
        ("“幸福路12号小区门口的路面塌陷了一个大坑”", "幸福路12号小区门口的路面塌陷了一个大坑"),
    ],
)
def test_a_title_becomes_a_label_without_prefixes_verbs_and_punctuation(title: str, label: str) -> None:
    place = places.features("", title).place
    assert labels.clean_title(title, place) == label


def test_the_label_is_the_title_that_names_the_topic_s_place_and_its_first_keywords() -> None:
    titles = ["请领导关注一下", "丽发新城物业管理问题", "丽发新城旁建搅拌站，噪音灰尘太大", "搅拌站噪音扰民"]

    label = labels.headline(titles, "丽发新城", ["搅拌站", "噪音", "灰尘"])

    assert label == "丽发新城旁建搅拌站"


def test_a_short_title_without_the_place_gets_it_in_front() -> None:
    assert labels.headline(["路面塌陷一个大坑"], "幸福路12号", ["路面", "塌陷"]) == "幸福路12号路面塌陷一个大坑"


def test_without_a_usable_title_the_label_is_the_place_and_the_keywords() -> None:
    assert labels.headline(["？？", ""], "丽发新城", ["搅拌站", "噪音"]) == "丽发新城 搅拌站 噪音"


@pytest.mark.django_db
def test_the_pipeline_labels_a_topic_with_a_phrase_from_its_cases() -> None:
    duplicates.reset_index()
    for title, body in [
        ("幸福路12号小区门口路面塌陷", "幸福路12号小区门口的路面塌陷了一个大坑，车辆经过很危险。"),
        ("投诉幸福路12号小区门口大坑！", "幸福路12号小区门口路面塌陷一个大坑一个多月了，没人来修。"),
    ]:
        factories.case(body, title=title)
    pipeline.analyse_pending()

    topic = Topic.objects.get()
    assert topic.size == 2
    assert topic.label in ("幸福路12号小区门口路面塌陷", "幸福路12号小区门口大坑")
    assert " " not in topic.label
    assert CaseAnalysis.objects.filter(topic=topic).count() == 2
