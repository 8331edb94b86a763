"""Administrators and supervisors are told, a quarter ahead, when the working calendar's known holidays run out:
in the staff header, on the admin index and by ``fankui check``. Only a year entered completely counts as known;
one local day off does not."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from pathlib import Path

import pytest
import time_machine
from django.core.management import call_command

from fankui.accounts.models import Role, User
from fankui.sla import calendar, checks
from fankui.sla.models import CalendarDay, CalendarYear
from fankui.sla.services import calendars
from tests import factories

EXAMPLE = Path(__file__).parent / "data" / "example_2027_holidays.txt"

EN = {"Accept-Language": "en"}
WARNING = "Holidays known until 2026-12-31"


def admin_user() -> User:
    return factories.user(Role.ADMIN)


def test_the_known_days_end_with_the_last_year_entered_without_a_gap() -> None:
    assert calendar.known_until(()) == dt.date(calendar.PACKAGE_LAST_YEAR, 12, 31)
    assert calendar.known_until({2027, 2028}) == dt.date(2028, 12, 31)
    # 2028 entered while 2027 is not: 2027 is still counted as Monday to Friday.
    assert calendar.known_until({2028}) == dt.date(2026, 12, 31)


def test_a_quarter_before_the_end_the_coverage_warns(db: None, _frozen_time: time_machine.Coordinates) -> None:
    coverage = calendars.calendar_coverage()
    assert (coverage.known_until, coverage.days_left, coverage.warn) == (dt.date(2026, 12, 31), 45, True)
    assert not calendars.calendar_coverage(dt.date(2026, 9, 30)).warn
    assert calendars.calendar_coverage(dt.date(2026, 10, 1)).warn
    ran_out = calendars.calendar_coverage(dt.date(2027, 1, 5))
    assert ran_out.ran_out and "only until 2026-12-31: deadlines after it" in ran_out.message


def test_the_warning_period_is_configurable(db: None, settings: pytest.FixtureRequest) -> None:
    settings.FANKUI_CALENDAR_WARN_DAYS = 30  # type: ignore[attr-defined]
    assert not calendars.calendar_coverage().warn


def test_one_local_day_off_does_not_make_the_year_known(db: None) -> None:
    CalendarDay.objects.create(day=dt.date(2027, 3, 1), is_workday=False, note="local day off")
    assert calendars.calendar_coverage().known_until == dt.date(2026, 12, 31)
    CalendarYear.objects.create(year=2027)
    assert calendars.calendar_coverage().known_until == dt.date(2027, 12, 31)
    assert not calendars.calendar_coverage().warn


@pytest.mark.parametrize(("role", "shown"), [(Role.ADMIN, True), (Role.SUPERVISOR, True), (Role.DISPATCHER, False)])
def test_the_staff_header_warns_administrators_and_supervisors(
    db: None, client_for: object, role: str, shown: bool
) -> None:
    user = factories.user(role)
    page = client_for(user).get("/staff/cases/", headers=EN)  # type: ignore[operator]
    assert page.status_code == 200
    assert (WARNING in page.content.decode()) is shown


def test_a_handler_is_not_warned(client_for: object, handler: User) -> None:
    page = client_for(handler).get("/staff/inbox/", headers=EN)  # type: ignore[operator]
    assert WARNING not in page.content.decode()


def test_the_admin_index_says_what_to_enter(db: None, client_for: object) -> None:
    page = client_for(admin_user()).get("/admin/", headers=EN)  # type: ignore[operator]
    text = page.content.decode()
    assert "knows public holidays only until 2026-12-31" in text
    assert "/admin/sla/calendaryear/" in text


def test_fankui_check_prints_the_warning(db: None) -> None:
    messages = checks.calendar_coverage()
    assert [m.id for m in messages] == ["sla.W001"]
    err = StringIO()
    call_command("check", stderr=err, stdout=StringIO())
    assert "sla.W001" in err.getvalue()
    CalendarDay.objects.create(day=dt.date(2027, 1, 1), is_workday=False)
    CalendarYear.objects.create(year=2027)
    assert checks.calendar_coverage() == []


def test_a_year_is_confirmed_in_the_admin_only_once_its_holidays_are_entered(db: None, client_for: object) -> None:
    client = client_for(admin_user())  # type: ignore[operator]
    refused = client.post("/admin/sla/calendaryear/add/", {"year": "2027", "note": ""}, headers=EN)
    assert refused.status_code == 200
    assert "Enter 2027&#x27;s public holidays as calendar overrides first" in refused.content.decode()
    # A working Saturday alone is not a year's holidays either.
    CalendarDay.objects.create(day=dt.date(2027, 2, 13), is_workday=True)
    assert client.post("/admin/sla/calendaryear/add/", {"year": "2027"}).status_code == 200
    CalendarDay.objects.create(day=dt.date(2027, 1, 1), is_workday=False, note="元旦")
    # Nor one public holiday: a year's published list has at least 13 days off, the Spring Festival among them.
    assert client.post("/admin/sla/calendaryear/add/", {"year": "2027"}).status_code == 200
    listed, _problems = calendar.parse_day_list(EXAMPLE.read_text())
    CalendarDay.objects.bulk_create(
        [CalendarDay(day=d.day, is_workday=d.is_workday) for d in listed if d.day.month > 1 and d.day.day != 13]
    )
    assert client.post("/admin/sla/calendaryear/add/", {"year": "2027", "note": "国办发明电"}).status_code == 302
    entered = CalendarYear.objects.get(year=2027)
    assert entered.entered_by is not None and entered.entered_by.role == Role.ADMIN
    assert client.post("/admin/sla/calendaryear/add/", {"year": "2025"}).status_code == 200
