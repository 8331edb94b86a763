"""place_in_topics: a batch starts its topics together, and each case ends up in the topic about its own place."""

from __future__ import annotations

import pytest

from fankui.analysis.models import CaseAnalysis
from fankui.topics import placement
from fankui.topics.models import Topic
from tests import factories

BATCH = [
    ("投诉丽发新城附近建搅拌站噪音扰民", "丽发新城小区旁边新建了搅拌站，日夜施工，噪音扰民，灰尘很大。"),
    ("魅力之城小区油烟扰民", "魅力之城小区底层商铺油烟直排，夜宵摊烧烤到凌晨。"),
    ("丽发新城搅拌站噪音太大", "搅拌站就在丽发新城小区旁边，晚上噪音吵得睡不着觉，请关停搅拌站。"),
    ("伊景园小区强制捆绑销售车位", "伊景园小区开发商要求购房必须同时购买车位，否则不给办理手续。"),
    ("A2区丽发新城旁搅拌站扰民", "丽发新城居民强烈要求搬迁搅拌站，噪音和粉尘严重影响生活。"),
]


def pending(rows: list[tuple[str, str]]) -> list[CaseAnalysis]:
    cases = [factories.case(body, title=title) for title, body in rows]
    return list(CaseAnalysis.objects.select_related("case__submission").filter(case__in=cases).order_by("case_id"))


@pytest.mark.django_db
def test_each_case_of_a_batch_is_saved_in_the_topic_of_its_own_place() -> None:
    analyses = pending(BATCH)

    placement.place_in_topics(analyses)

    places = {a.case_id: Topic.objects.get(id=a.topic_id).place for a in CaseAnalysis.objects.all()}
    assert [places[a.case_id] for a in analyses] == ["丽发新城", "魅力之城", "丽发新城", "伊景园", "丽发新城"]
    plant = Topic.objects.get(place="丽发新城")
    assert plant.size == 3 and "搅拌站" in plant.keywords and plant.label.startswith("丽发新城")
    assert sorted(Topic.objects.values_list("size", flat=True)) == [1, 1, 3]
    assert all(topic.heat > 0 and topic.first_seen_at and topic.last_seen_at for topic in Topic.objects.all())


@pytest.mark.django_db
def test_a_later_batch_joins_the_topics_an_earlier_one_started() -> None:
    placement.place_in_topics(pending(BATCH))
    later = pending([("丽发新城搅拌站又在夜间施工", "丽发新城旁边的搅拌站昨晚又施工到凌晨，噪音扰民。")])

    placement.place_in_topics(later)

    later[0].refresh_from_db()
    plant = Topic.objects.get(place="丽发新城")
    assert later[0].topic_id == plant.id
    assert plant.size == 4
    assert Topic.objects.count() == 3


# No place named: these share four or more issue words, the second text none.
NO_PLACE = [
    ("58车贷案件进展", "58车贷投资人本金追赃进展"),
    ("网约车平台乱收费", "网约车平台司机乱收费投诉无门"),
    ("58车贷追赃进展", "投资人请求公布58车贷案件追赃进展"),
]


@pytest.mark.django_db
def test_cases_without_a_place_join_the_topic_they_share_most_words_with() -> None:
    analyses = pending(NO_PLACE)

    placement.place_in_topics(analyses)

    fraud, taxi, again = (CaseAnalysis.objects.get(case_id=a.case_id).topic_id for a in analyses)
    assert fraud == again != taxi
    later = pending([("58车贷追赃", "58车贷投资人本金追赃")])
    placement.place_in_topics(later)
    assert CaseAnalysis.objects.get(case_id=later[0].case_id).topic_id == fraud
    assert Topic.objects.get(id=fraud).size == 3 and Topic.objects.get(id=fraud).place == ""
