"""Two people describing one problem at one place in their own words: the later case names the earlier one as its
likely duplicate and joins its topic; another problem at the same place, or the same problem elsewhere, does not."""

from __future__ import annotations

import pytest

from fankui.analysis import pipeline
from fankui.analysis.models import CaseAnalysis
from fankui.cases.models import Case
from fankui.topics import duplicates
from tests import factories

POTHOLE = ("幸福路12号小区门口路面塌陷", "幸福路12号小区门口的路面塌陷了一个大坑，车辆经过很危险，请尽快修复。")
SAME_POTHOLE = ("门口大坑一个多月没人修", "幸福路12号小区门口路面塌陷一个大坑一个多月了，晚上已有电动车摔倒。")
OTHER_PROBLEM = ("幸福路12号小区楼下夜宵摊油烟扰民", "幸福路12号小区楼下的夜宵摊每天烧烤到凌晨，油烟往楼上窜。")
ELSEWHERE = ("人民路5号小区门口路面塌陷", "人民路5号小区门口的路面塌陷了一个大坑，车辆经过很危险，请尽快修复。")


def analyse(*texts: tuple[str, str]) -> list[CaseAnalysis]:
    duplicates.reset_index()
    cases: list[Case] = [factories.case(body, title=title) for title, body in texts]
    pipeline.analyse_pending()
    return [CaseAnalysis.objects.get(case=case) for case in cases]


@pytest.mark.django_db
def test_a_retelling_of_the_same_pothole_is_its_likely_duplicate_and_in_its_topic() -> None:
    first, second = analyse(POTHOLE, SAME_POTHOLE)

    assert second.duplicate_of_id == first.case_id
    assert second.duplicate_similarity is not None and 0 < second.duplicate_similarity <= 1
    assert second.topic_id == first.topic_id is not None
    assert first.place == second.place == "幸福路12号"


@pytest.mark.django_db
def test_another_problem_at_the_same_place_is_neither_its_duplicate_nor_in_its_topic() -> None:
    pothole, fumes = analyse(POTHOLE, OTHER_PROBLEM)

    assert fumes.duplicate_of_id is None
    assert fumes.topic_id != pothole.topic_id


@pytest.mark.django_db
def test_the_same_problem_at_another_address_is_not_a_duplicate() -> None:
    pothole, elsewhere = analyse(POTHOLE, ELSEWHERE)

    # Word for word the same report but for the address: the near-duplicate finder alone would merge them.
    assert elsewhere.duplicate_of_id is None
    assert elsewhere.topic_id != pothole.topic_id


@pytest.mark.django_db
def test_a_duplicate_of_a_case_analysed_earlier_is_found_from_its_kept_words() -> None:
    (first,) = analyse(POTHOLE)
    assert "塌陷" in first.words.split()

    (second,) = analyse(SAME_POTHOLE)

    assert second.duplicate_of_id == first.case_id


@pytest.mark.django_db
def test_a_report_for_another_year_is_another_case() -> None:
    _, newer = analyse(
        ("A市2017年出租车燃油补贴为何还没有发放", "2017年的出租车燃油补贴到现在还没有发放，司机们很着急。"),
        ("A市2018年度出租车燃油补贴什么时候发", "2018年度的出租车燃油补贴什么时候发放？司机们很着急。"),
    )

    assert newer.duplicate_of_id is None
