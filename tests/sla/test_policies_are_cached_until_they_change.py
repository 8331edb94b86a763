"""Each server process keeps the SLA policies and calendars it read, and still sees every change at once: a change
anywhere writes a new ``sla`` stamp in its transaction, and a lookup first reads that one row (core.stamps)."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from fankui.core import stamps
from fankui.sla import services
from fankui.sla.models import CalendarDay, Policy, Stage, Unit
from tests import factories

WD = Unit.WORKING_DAYS


def lookup_queries(case: object) -> tuple[str, list[str]]:
    with CaptureQueriesContext(connection) as queries, services.cached_lookups():
        policy = services.policy_for(case)
        services.work_calendar(policy.calendar if policy else None)
    return (policy.name if policy else ""), [q["sql"] for q in queries.captured_queries]


def test_a_second_lookup_reads_only_the_stamp(policies: int) -> None:
    case = factories.case(kind="inquiry")
    lookup_queries(case)
    name, queries = lookup_queries(case)
    assert name == "Inquiry: 3 working days"
    assert len(queries) == 1 and "core_stamp" in queries[0]


def test_a_policy_saved_in_this_process_is_used_by_the_next_lookup(policies: int) -> None:
    case = factories.case(kind="inquiry")
    lookup_queries(case)
    services.save_policy(Policy(name="咨询加急", kind="inquiry", channel="web"), [(Stage.REPLY, 1, WD)])
    assert lookup_queries(case)[0] == "咨询加急"


def test_a_change_committed_by_another_process_is_seen_through_the_stamp(policies: int) -> None:
    case = factories.case(kind="inquiry")
    lookup_queries(case)
    # Another process: its change reaches this one only through the database (no signal here), stamp included.
    Policy.objects.filter(name="Inquiry: 3 working days").update(active=False)
    assert lookup_queries(case)[0] == "Inquiry: 3 working days", "no new stamp: the copy is still trusted"
    with connection.cursor() as cursor:
        cursor.execute("UPDATE core_stamp SET token = token + 1 WHERE name = 'sla'")
    assert lookup_queries(case)[0] == "Everything else: 13 working days"


def test_a_new_holiday_is_counted_by_the_next_lookup(policies: int) -> None:
    import datetime as dt

    day = dt.date(2026, 11, 18)
    assert services.work_calendar().is_workday(day)
    CalendarDay.objects.create(day=day, is_workday=False, note="停电")
    assert not services.work_calendar().is_workday(day)


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_change_never_makes_an_old_copy_look_current() -> None:
    from fankui.sla.defaults import ensure_defaults

    ensure_defaults()
    case = factories.case(kind="inquiry")
    before = stamps.read(services.STAMP)
    with pytest.raises(RuntimeError), transaction.atomic():
        services.save_policy(Policy(name="撤回的", kind="inquiry", channel="web"), [(Stage.REPLY, 1, WD)])
        assert lookup_queries(case)[0] == "撤回的"
        raise RuntimeError("rolled back")
    assert stamps.read(services.STAMP) == before
    assert lookup_queries(case)[0] == "Inquiry: 3 working days"
