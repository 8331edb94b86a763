"""What the submitter chose is remembered, so that a chosen kind can be told from the default one."""

from __future__ import annotations

import pytest

from fankui.cases.models import Source
from fankui.cases.services.receiving import receive
from fankui.core.errors import ValidationFailed
from fankui.intake.services import SubmissionInput
from tests import factories

pytestmark = pytest.mark.django_db


def test_a_kind_nobody_chose_is_blank_on_the_submission_and_belongs_to_nobody_on_the_case() -> None:
    case, _ = receive(SubmissionInput(body="感谢社区网格员小王帮独居老人买药送菜，特此表扬！"))
    assert case.submission.kind == ""
    # The case starts as a complaint until the analysis says otherwise, and says that nobody chose it.
    assert case.kind == "complaint"
    assert case.kind_source == ""
    assert case.category is None and case.category_source == ""


def test_a_chosen_kind_and_category_are_the_submitters() -> None:
    roads = factories.category("城乡建设")
    case, _ = receive(SubmissionInput(body="小区门口的路灯坏了", kind="complaint", category=roads.pk))
    assert case.submission.kind == "complaint"
    assert (case.kind, case.kind_source) == ("complaint", Source.CITIZEN)
    assert (case.category, case.category_source) == (roads, Source.CITIZEN)


def test_an_unknown_kind_is_still_refused() -> None:
    with pytest.raises(ValidationFailed) as error:
        receive(SubmissionInput(body="路灯坏了", kind="nonsense"))
    assert "kind" in error.value.errors
