"""core.rows, the project's raw writes, do what the ORM would, on both engines: ``increment`` (the case number's
counter on SQLite) advances a row and reads it in one statement; ``insert_row`` (the pending analysis of every new
case) leaves the other columns to the database's defaults, which must be what the model's defaults are: this fails
when a field is added without a ``db_default`` matching its ``default``."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fankui.analysis.models import CaseAnalysis
from fankui.cases.models import YearCounter
from fankui.core import rows
from tests import factories

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


def test_a_row_inserted_with_its_key_alone_reads_as_the_orm_would_create_it() -> None:
    raw, orm = factories.case(), factories.case()
    CaseAnalysis.objects.filter(case__in=[raw, orm]).delete()
    rows.insert_row(CaseAnalysis, case_id=raw.pk)
    CaseAnalysis.objects.create(case_id=orm.pk)
    names = [f.attname for f in CaseAnalysis._meta.concrete_fields if f.attname != "case_id"]
    inserted, created = (CaseAnalysis.objects.values(*names).get(case_id=pk) for pk in (raw.pk, orm.pk))
    assert inserted == created
    assert inserted["status"] == CaseAnalysis.Status.PENDING
