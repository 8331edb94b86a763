"""SLA policies and calendars are kept by each process until they change; the database renews a stamp whenever
they do (triggers), so a change made anywhere, by any means, is used by the next operation in every process."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.db import connection, transaction
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from fankui.core.models import LookupStamp
from fankui.sla.models import CalendarDay, Policy, PolicyTarget, Stage, Unit
from fankui.sla.services import clocks, lookups
from tests import factories

WD = Unit.WORKING_DAYS


@pytest.fixture(autouse=True)
def _stamp(db: None) -> None:
    # Migration 0006 makes the row; a test that flushed the database (transaction=True) took it away.
    # A random token: a copy this process kept under the migration's token 0 must not look current.
    LookupStamp.objects.get_or_create(pk=1, defaults={"token": random.getrandbits(62)})


def lookup(case: object) -> tuple[str, int]:
    """The policy's name and how many queries one operation's repeated lookups cost."""
    with CaptureQueriesContext(connection) as queries, lookups.cached_lookups():
        for _ in range(3):
            policy = clocks.policy_for(case)
            lookups.work_calendar(policy.calendar if policy else None)
    return (policy.name if policy else ""), len(queries.captured_queries)


def test_the_policies_and_the_calendar_are_read_once_and_kept_while_unchanged(policies: int) -> None:
    case = factories.case(kind="inquiry")
    lookup(case)  # the case's own related rows are read once
    # Any write renews the stamp, even one that changes nothing: the next operation reads everything again.
    Policy.objects.update(warn_share=F("warn_share"))
    # The stamp, the policies, their targets, the default calendar and its overrides.
    assert lookup(case) == ("Inquiry: 3 working days", 5)
    # Then only the stamp, however often an operation looks.
    assert lookup(case) == ("Inquiry: 3 working days", 1)
    assert lookup(case)[1] == 1


def test_without_the_stamp_row_every_operation_reads_the_database(policies: int) -> None:
    case = factories.case(kind="inquiry")
    LookupStamp.objects.all().delete()
    lookup(case)
    assert lookup(case) == ("Inquiry: 3 working days", 5)


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


def test_a_target_changed_by_raw_sql_is_used_by_the_next_lookup(policies: int) -> None:
    case = factories.case(kind="inquiry")
    lookup(case)
    target = PolicyTarget.objects.get(policy__name="Inquiry: 3 working days", stage=Stage.REPLY)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE sla_policytarget SET amount = 2 WHERE id = %s", [target.pk])
    with lookups.cached_lookups():
        policy = clocks.policy_for(case)
        assert policy is not None
        assert next(t.amount for t in policy.targets.all() if t.stage == Stage.REPLY) == 2


def test_a_new_holiday_is_counted_by_the_next_lookup(policies: int) -> None:
    day = dt.date(2026, 11, 18)

    def is_workday() -> bool:
        with lookups.cached_lookups():
            return lookups.work_calendar().is_workday(day)

    assert is_workday()
    CalendarDay.objects.bulk_create([CalendarDay(day=day, is_workday=False, note="停电")])
    assert not is_workday()


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


def _token() -> int:
    return LookupStamp.objects.get(pk=1).token


@pytest.mark.parametrize("operation", ["insert", "update", "delete"])
def test_every_write_to_every_table_of_the_settings_renews_the_stamp(operation: str) -> None:
    from fankui.sla.models import CalendarYear, WorkingCalendar

    policy = Policy.objects.create(name="新策略", kind="inquiry")
    makers = {
        Policy: lambda: Policy.objects.create(name="又一个策略", kind="praise"),
        PolicyTarget: lambda: PolicyTarget.objects.create(policy=policy, stage=Stage.ACCEPT, amount=1, unit=WD),
        WorkingCalendar: lambda: WorkingCalendar.objects.create(name="窗口"),
        CalendarDay: lambda: CalendarDay.objects.create(day=dt.date(2027, 1, 4), is_workday=False),
        CalendarYear: lambda: CalendarYear.objects.create(year=2027),
    }
    for model, make in makers.items():
        before = _token()
        if operation != "insert":
            rows = model.objects.filter(pk=make().pk)  # type: ignore[attr-defined]
            before = _token()
            rows.update(id=F("id")) if operation == "update" else rows.delete()
        else:
            make()
        assert _token() != before, f"{operation} on {model.__name__} left the stamp unchanged"
