"""Bad input is refused at save time with a clear message, by the service and by the admin forms."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from fankui.accounts.models import Role
from fankui.core.errors import ValidationFailed
from fankui.sla import calendar
from fankui.sla.admin import CalendarDayForm, WorkingCalendarForm
from fankui.sla.models import Policy, Stage, Unit
from fankui.sla.services import clocks, lookups
from tests import factories

WD = Unit.WORKING_DAYS


@pytest.mark.parametrize(
    ("targets", "fragment"),
    [
        ([], "at least one target"),
        ([(Stage.REPLY, -1, WD)], "negative"),
        ([(Stage.REPLY, 0, Unit.WORKING_HOURS)], "zero is only allowed"),
        ([(Stage.REPLY, 400, WD)], "not a realistic target"),
        ([(Stage.REPLY, 9000, Unit.HOURS)], "not a realistic target"),
        ([(Stage.REPLY, 3, WD), (Stage.REPLY, 5, WD)], "two targets"),
        ([(Stage.REPLY, 3, "fortnights")], "Unknown unit"),
    ],
)
def test_bad_targets_are_refused(db: None, targets: list, fragment: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        clocks.save_policy(Policy(name="p"), targets)
    assert fragment in str(caught.value.errors["targets"][0])
    assert not Policy.objects.exists()


def test_zero_working_days_is_accepted_and_means_the_same_day(db: None) -> None:
    policy = clocks.save_policy(Policy(name="emergency", urgency="emergency"), [(Stage.REPLY, 0, WD)])
    assert list(policy.targets.values_list("stage", "amount", "unit")) == [(Stage.REPLY, 0, WD)]
    monday_ten = timezone.now()  # frozen: Monday 2026-11-16 10:00
    due = calendar.deadline(lookups.work_calendar(), monday_ten, 0, WD)
    assert timezone.localtime(due) == timezone.localtime(monday_ten).replace(hour=17, minute=30)


def test_two_policies_matching_the_same_cases_with_the_same_specificity_are_refused(db: None) -> None:
    clocks.save_policy(Policy(name="a", kind="complaint"), [(Stage.REPLY, 13, WD)])
    with pytest.raises(ValidationFailed) as caught:
        clocks.save_policy(Policy(name="b", kind="complaint"), [(Stage.REPLY, 10, WD)])
    assert "same specificity" in caught.value.message
    # More specific, or inactive: fine.
    clocks.save_policy(Policy(name="c", kind="complaint", channel="web"), [(Stage.REPLY, 10, WD)])
    clocks.save_policy(Policy(name="d", kind="complaint", active=False), [(Stage.REPLY, 10, WD)])


def test_a_warning_share_outside_zero_and_one_is_refused(db: None) -> None:
    with pytest.raises(ValidationFailed):
        clocks.save_policy(Policy(name="p", warn_share=1.5), [(Stage.REPLY, 3, WD)])


@pytest.mark.parametrize("day", ["1999-01-01", "2040-10-01"])
def test_an_override_day_outside_the_known_years_is_refused(db: None, day: str) -> None:
    form = CalendarDayForm(data={"day": day, "is_workday": False, "note": ""})
    assert not form.is_valid()
    assert "outside the years the calendar knows" in str(form.errors)


def test_an_override_for_next_year_is_accepted(db: None) -> None:
    form = CalendarDayForm(data={"day": "2027-02-08", "is_workday": False, "note": "春节"})
    assert form.is_valid(), form.errors
    form.save()
    assert lookups.work_calendar().is_workday(dt.date(2027, 2, 8)) is False


def test_bad_working_hours_are_refused_by_the_form(db: None) -> None:
    form = WorkingCalendarForm(data={"name": "x", "periods": "17:00-09:00", "is_default": True})
    assert not form.is_valid()
    assert "ends before it starts" in str(form.errors["periods"])


def test_the_admin_refuses_a_policy_without_targets(db: None, client_for: object) -> None:
    admin = factories.user(Role.ADMIN, None)
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client = client_for(admin)  # type: ignore[operator]
    response = client.post(
        "/admin/sla/policy/add/",
        {
            "name": "empty",
            "active": "on",
            "warn_share": "0.75",
            "escalate_after_hours": "4",
            "targets-TOTAL_FORMS": "1",
            "targets-INITIAL_FORMS": "0",
            "targets-MIN_NUM_FORMS": "0",
            "targets-MAX_NUM_FORMS": "1000",
            "targets-0-stage": "",
            "targets-0-amount": "",
            "targets-0-unit": "working_days",
        },
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 200
    assert "at least one target" in response.content.decode()
    assert not Policy.objects.exists()
