"""core.rows.increment, the case number's counter on SQLite: the row advanced and its new value read in one
statement, on both engines, as the ORM's update and read would."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fankui.cases.models import YearCounter
from fankui.core import rows

pytestmark = pytest.mark.django_db


def test_the_counter_goes_up_by_one_and_its_new_value_is_returned() -> None:
    YearCounter.objects.create(year=2030, last=41)
    YearCounter.objects.create(year=2031, last=7)
    with CaptureQueriesContext(connection) as queries:
        assert rows.increment(YearCounter, "last", year=2030) == 42
    assert len(queries.captured_queries) == 1
    assert rows.increment(YearCounter, "last", year=2030) == 43
    assert dict(YearCounter.objects.values_list("year", "last")) == {2030: 43, 2031: 7}


def test_no_matching_row_gives_none_and_changes_nothing() -> None:
    YearCounter.objects.create(year=2031, last=7)
    assert rows.increment(YearCounter, "last", year=2032) is None
    assert dict(YearCounter.objects.values_list("year", "last")) == {2031: 7}
