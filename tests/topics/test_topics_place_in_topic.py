"""place_in_topics: a new case joins the hot topic of the same place and issue, or starts one."""

from __future__ import annotations

import pytest

from fankui.analysis.models import CaseAnalysis
from fankui.topics import placement, services
from fankui.topics.models import Topic
from tests import factories

PLANT = [
    ("投诉丽发新城附近建搅拌站噪音扰民", "丽发新城小区旁边新建了搅拌站，日夜施工，噪音扰民，灰尘很大。"),
    ("丽发新城搅拌站噪音太大", "搅拌站就在丽发新城小区旁边，晚上噪音吵得睡不着觉，请关停搅拌站。"),
    ("A2区丽发新城旁搅拌站扰民", "丽发新城居民强烈要求搬迁搅拌站，噪音和粉尘严重影响生活。"),
]


def analysed(title: str, body: str) -> CaseAnalysis:
    case = factories.case(body, title=title)
    analysis = CaseAnalysis.objects.select_related("case__submission").get(case=case)
    placement.place_in_topics([analysis])
    analysis.refresh_from_db()
    return analysis


@pytest.mark.django_db
def test_reports_of_one_problem_at_one_place_share_a_topic_with_a_readable_label() -> None:
    analyses = [analysed(title, body) for title, body in PLANT]

    topic_ids = {a.topic_id for a in analyses}
    assert len(topic_ids) == 1
    topic = Topic.objects.get()
    assert topic.size == 3
    assert topic.place == "丽发新城"
    assert topic.label.startswith("丽发新城") and "搅拌站" in topic.label
    assert "搅拌站" in topic.keywords
    assert topic.heat > 0
    assert topic.growth == 4.0  # three cases this week, none the week before: (3 + 1) / (0 + 1)


@pytest.mark.django_db
def test_another_problem_or_another_place_starts_its_own_topic() -> None:
    plant = analysed(*PLANT[0])
    water = analysed("丽发新城物业强行断水", "富绿物业在丽发新城强行给业主家断水，要求先交物业费。")
    elsewhere = analysed("魅力之城小区油烟扰民", "魅力之城小区底层商铺油烟直排，夜宵摊烧烤到凌晨。")

    assert len({plant.topic_id, water.topic_id, elsewhere.topic_id}) == 3
    assert Topic.objects.get(id=elsewhere.topic_id).place == "魅力之城"


@pytest.mark.django_db
def test_a_case_with_nothing_to_group_by_gets_no_topic() -> None:
    assert analysed("", "？？？").topic_id is None


@pytest.mark.django_db
def test_a_new_topic_is_labelled_by_its_first_case_s_words_in_the_order_they_were_written() -> None:
    # Not by the order of a set of words, which changes with each process's string hashing: the same case would
    # get another label on another worker.
    first = analysed("丽发新城搅拌站噪音扰民", "搅拌站日夜施工，噪音扰民，灰尘很大，请关停。")
    topic = Topic.objects.get(id=first.topic_id)
    words = [w for w in topic.keywords if w in "丽发新城搅拌站噪音扰民"]
    assert words == sorted(words, key="丽发新城搅拌站噪音扰民".index)
    # The label is the case's title, a phrase a person wrote (not a list of keywords).
    assert topic.label == "丽发新城搅拌站噪音扰民"


def test_top_words_keep_the_text_order_among_equal_counts() -> None:
    sample = [("搅拌站", "噪音", "灰尘"), ("噪音", "搅拌站", "夜间")]
    assert services.top_words(sample, "")[:4] == ["搅拌站", "噪音", "灰尘", "夜间"]
    assert services.top_words([("搅拌站", "噪音", "灰尘")], "") == ["搅拌站", "噪音", "灰尘"]
