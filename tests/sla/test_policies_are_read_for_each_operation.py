"""SLA policies and calendars are read from the database once per operation (an intake, a move, a loop over many
cases) and kept nowhere else, so a change made anywhere, by any means, is used by the next operation."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from fankui.sla.models import CalendarDay, Policy, Stage, Unit
from fankui.sla.services import clocks, lookups
from tests import factories

WD = Unit.WORKING_DAYS


def lookup(case: object) -> tuple[str, int]:
    """The policy's name and how many queries one operation's repeated lookups cost."""
    with CaptureQueriesContext(connection) as queries, lookups.cached_lookups():
        for _ in range(3):
            policy = clocks.policy_for(case)
            lookups.work_calendar(policy.calendar if policy else None)
    return (policy.name if policy else ""), len(queries.captured_queries)


def test_one_operation_reads_the_policies_and_the_calendar_once(policies: int) -> None:
    case = factories.case(kind="inquiry")
    lookup(case)  # the case's own related rows are read once
    # Each operation: the policies, their targets, the default calendar and its overrides.
    assert lookup(case) == ("Inquiry: 3 working days", 4)
    assert lookup(case)[1] == 4


def test_a_policy_saved_in_this_process_is_used_by_the_next_lookup(policies: int) -> None:
    case = factories.case(kind="inquiry")
    lookup(case)
    clocks.save_policy(Policy(name="咨询加急", kind="inquiry", channel="web"), [(Stage.REPLY, 1, WD)])
    assert lookup(case)[0] == "咨询加急"


def test_a_change_written_past_the_models_is_used_by_the_next_lookup(policies: int) -> None:
    case = factories.case(kind="inquiry")
    lookup(case)
    # Another process, or an UPDATE that sends no signal: nothing but the database knows of it.
    Policy.objects.filter(name="Inquiry: 3 working days").update(active=False)
    assert lookup(case)[0] == "Everything else: 13 working days"


def test_a_new_holiday_is_counted_by_the_next_lookup(policies: int) -> None:
    day = dt.date(2026, 11, 18)
    assert lookups.work_calendar().is_workday(day)
    CalendarDay.objects.bulk_create([CalendarDay(day=day, is_workday=False, note="停电")])
    assert not lookups.work_calendar().is_workday(day)


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_change_is_not_used() -> None:
    from fankui.sla.defaults import ensure_defaults

    ensure_defaults()
    case = factories.case(kind="inquiry")
    with pytest.raises(RuntimeError), transaction.atomic():
        clocks.save_policy(Policy(name="撤回的", kind="inquiry", channel="web"), [(Stage.REPLY, 1, WD)])
        assert lookup(case)[0] == "撤回的"
        raise RuntimeError("rolled back")
    assert lookup(case)[0] == "Inquiry: 3 working days"
