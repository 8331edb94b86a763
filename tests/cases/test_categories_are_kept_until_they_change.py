"""Intake keeps the active categories while they stay unchanged (core.lookups): an intake with a category costs no
category query, and a category added, renamed or retired by any means is used by the next intake."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fankui.cases.models import Category
from fankui.cases.services.receiving import receive
from fankui.core.errors import ValidationFailed
from fankui.intake.services import SubmissionInput
from tests import factories


def submit(category: object) -> tuple[object, int]:
    with CaptureQueriesContext(connection) as queries:
        case, _created = receive(SubmissionInput(body="路灯坏了一个月，晚上很黑。", category=str(category)))
    return case, sum('FROM "cases_category"' in q["sql"] for q in queries.captured_queries)


def test_an_intake_reads_no_category_while_they_are_unchanged(db: None) -> None:
    lamps = factories.category("路灯维修")
    submit(lamps.pk)
    case, reads = submit(lamps.pk)
    assert reads == 0
    assert case.category_id == lamps.pk  # type: ignore[attr-defined]
    case, reads = submit("路灯维修")
    assert (reads, case.category_id) == (0, lamps.pk)  # type: ignore[attr-defined]


def test_a_category_retired_past_the_models_is_refused_at_the_next_intake(db: None) -> None:
    lamps = factories.category("路灯维修")
    submit(lamps.pk)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE cases_category SET active = %s", [False])
    with pytest.raises(ValidationFailed) as refused:
        submit(lamps.pk)
    assert "category" in refused.value.errors


def test_a_new_or_renamed_category_is_known_at_the_next_intake(db: None) -> None:
    lamps = factories.category("路灯维修")
    submit(lamps.pk)
    roads = Category.objects.create(name="道路破损")
    assert submit(roads.pk)[0].category_id == roads.pk  # type: ignore[attr-defined]
    Category.objects.filter(pk=lamps.pk).update(name="照明设施")
    assert submit("照明设施")[0].category_id == lamps.pk  # type: ignore[attr-defined]
    with pytest.raises(ValidationFailed):
        submit("路灯维修")
