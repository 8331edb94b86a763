"""find_duplicates: the lookup of a likely primary among earlier cases (set on each analysis; the topic placement saves
it)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from fankui.accounts.models import User
from fankui.analysis.models import CaseAnalysis
from fankui.cases.services import moves
from fankui.topics import duplicates
from tests import factories

NOISE = "我家楼下的绿化带被人挖掉种菜，请城管部门管一管。"
REPORT = "丽发新城小区旁边建了一个搅拌站，每天晚上噪音很大，灰尘满天飞，居民无法休息，请求尽快处理。"
AGAIN = "丽发新城小区旁边建了个搅拌站，每晚噪音很大，灰尘满天飞，居民根本无法休息，请尽快处理！"


@pytest.fixture(autouse=True)
def _fresh_index() -> Iterator[None]:
    duplicates.reset_index()
    yield
    duplicates.reset_index()


def find_duplicate(analysis: CaseAnalysis) -> tuple[int, float] | None:
    return duplicates.find_duplicates([analysis])[0]


def analysis_of(body: str) -> CaseAnalysis:
    return CaseAnalysis.objects.select_related("case__submission").get(case=factories.case(body))


@pytest.mark.django_db
def test_it_points_a_rewritten_report_at_the_earlier_case() -> None:
    factories.case(NOISE)
    first = factories.case(REPORT)
    analysis = analysis_of(AGAIN)

    found = find_duplicate(analysis)

    assert found is not None and found[0] == first.id
    assert 0.5 <= found[1] <= 1.0
    assert analysis.duplicate_of_id == first.id
    assert analysis.duplicate_similarity == found[1]


@pytest.mark.django_db
def test_it_finds_nothing_for_an_unrelated_case_and_clears_an_old_answer() -> None:
    factories.case(REPORT)
    analysis = analysis_of(NOISE)
    analysis.duplicate_similarity = 0.9
    analysis.save()

    assert find_duplicate(analysis) is None
    assert analysis.duplicate_of_id is None and analysis.duplicate_similarity is None


@pytest.mark.django_db
def test_it_never_answers_the_case_itself_or_a_later_case() -> None:
    analysis = analysis_of(REPORT)
    factories.case(AGAIN)

    assert find_duplicate(analysis) is None


@pytest.mark.django_db
def test_a_case_merged_into_another_stands_for_its_primary(dispatcher: User) -> None:
    primary = factories.case("小区垃圾站臭气熏天，夏天更严重，希望搬走。")
    copy = factories.case(REPORT)
    moves.merge(copy, dispatcher, primary)

    found = find_duplicate(analysis_of(AGAIN))

    assert found is not None and found[0] == primary.id


@pytest.mark.django_db
def test_it_never_points_at_a_case_merged_into_this_one(dispatcher: User) -> None:
    earlier = factories.case(REPORT)
    analysis = analysis_of(AGAIN)
    moves.merge(earlier, dispatcher, analysis.case)

    assert find_duplicate(analysis) is None


@pytest.mark.django_db
def test_the_masked_text_is_compared_once_masking_has_run() -> None:
    first = factories.case(REPORT)
    analysis = analysis_of("电话13800138000，" + NOISE)
    analysis.masked_body = AGAIN

    found = find_duplicate(analysis)

    assert found is not None and found[0] == first.id
