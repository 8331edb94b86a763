from __future__ import annotations

import pytest

from fankui.analysis.models import CaseAnalysis
from tests import factories


@pytest.mark.django_db
def test_a_new_case_has_a_pending_analysis_row() -> None:
    case = factories.case()
    analysis = CaseAnalysis.objects.get(case=case)
    assert analysis.status == CaseAnalysis.Status.PENDING
    assert analysis.analysed_at is None
