"""Deadlines across real Chinese holidays and make-up working days (调休), 2024 to 2026."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from fankui.sla import calendar

SH = ZoneInfo("Asia/Shanghai")
CAL = calendar.WorkCalendar()


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=SH)


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        # An ordinary week: Monday + 1 = Tuesday's close.
        ("2026-11-16 10:00", 1, "2026-11-17 17:30"),
        # Friday + 1 skips the weekend.
        ("2026-11-20 16:00", 1, "2026-11-23 17:30"),
        # Spring Festival 2026: Saturday 14 February is a make-up working day, 15 to 23 February are off.
        ("2026-02-13 10:00", 1, "2026-02-14 17:30"),
        ("2026-02-14 10:00", 1, "2026-02-24 17:30"),
        ("2026-02-13 10:00", 2, "2026-02-24 17:30"),
        # Spring Festival 2025: 28 January to 4 February off, Saturday 8 February worked.
        ("2025-01-27 09:00", 1, "2025-02-05 17:30"),
        ("2025-02-07 09:00", 1, "2025-02-08 17:30"),
        # National Day 2024: 1 to 7 October off, Saturday 12 October worked; Sunday 29 September worked.
        ("2024-09-27 12:00", 1, "2024-09-29 17:30"),
        ("2024-09-30 12:00", 1, "2024-10-08 17:30"),
        ("2024-10-11 12:00", 1, "2024-10-12 17:30"),
        # 13 working days for a complaint received on National Day 2026 (1 to 7 October off, 10 October worked).
        ("2026-10-01 09:00", 13, "2026-10-23 17:30"),
        # 3 working days for an inquiry received the evening before Labour Day 2026 (1 to 5 May off, 9 May worked).
        ("2026-04-30 20:00", 3, "2026-05-08 17:30"),
        # The same day: a working day's close, or the next working day's when received on a holiday.
        ("2026-11-16 10:00", 0, "2026-11-16 17:30"),
        ("2026-02-16 10:00", 0, "2026-02-24 17:30"),
    ],
)
def test_n_working_days_end_at_the_close_of_the_nth_working_day(start: str, days: int, expected: str) -> None:
    assert CAL.add_working_days(at(start), days) == at(expected)


@pytest.mark.parametrize(
    ("start", "hours", "expected"),
    [
        ("2026-11-16 10:00", 1, "2026-11-16 11:00"),
        # The lunch break does not count.
        ("2026-11-16 11:00", 2, "2026-11-16 14:30"),
        # Evening start counts from the next opening.
        ("2026-11-16 16:00", 3, "2026-11-17 10:30"),
        ("2026-11-16 20:00", 1, "2026-11-17 10:00"),
        # A deadline on a closing time stays there.
        ("2026-11-16 16:30", 1, "2026-11-16 17:30"),
        # Over the Spring Festival 2026 and onto the 调休 Saturday.
        ("2026-02-13 17:00", 1, "2026-02-14 09:30"),
        ("2026-02-14 17:00", 2, "2026-02-24 10:30"),
        # A whole working day is seven hours.
        ("2026-11-16 09:00", 14, "2026-11-17 17:30"),
    ],
)
def test_working_hours_count_only_time_inside_working_hours(start: str, hours: int, expected: str) -> None:
    assert CAL.add_working_hours(at(start), hours) == at(expected)


def test_calendar_hours_count_holidays_too() -> None:
    assert calendar.deadline(CAL, at("2026-02-16 10:00"), 24, calendar.Unit.HOURS) == at("2026-02-17 10:00")


def test_working_seconds_between_is_the_inverse_of_adding_them() -> None:
    start = at("2026-02-12 15:00")
    end = CAL.add_working_hours(start, 11)
    assert CAL.working_seconds_between(start, end) == 11 * 3600


def test_an_override_wins_over_the_package() -> None:
    cal = calendar.WorkCalendar(overrides={dt.date(2026, 11, 17): False, dt.date(2026, 11, 21): True})
    assert cal.add_working_days(at("2026-11-16 10:00"), 1) == at("2026-11-18 17:30")
    assert cal.add_working_days(at("2026-11-20 10:00"), 1) == at("2026-11-21 17:30")


def test_a_year_the_package_does_not_know_uses_weekdays_and_overrides() -> None:
    # 2027 is past the package's data: Monday to Friday, unless an override (the State Council's list) says otherwise.
    assert CAL.add_working_days(at("2027-01-01 10:00"), 1) == at("2027-01-04 17:30")
    cal = calendar.WorkCalendar(overrides={dt.date(2027, 1, 4): False})
    assert cal.add_working_days(at("2027-01-01 10:00"), 1) == at("2027-01-05 17:30")


def test_other_working_hours_are_honoured() -> None:
    cal = calendar.WorkCalendar(periods=calendar.parse_periods("08:30-12:00, 14:00-18:00"))
    assert cal.add_working_days(at("2026-11-16 10:00"), 1) == at("2026-11-17 18:00")
    assert cal.add_working_hours(at("2026-11-16 11:00"), 2) == at("2026-11-16 15:00")


@pytest.mark.parametrize("text", ["", "9-12", "12:00-09:00", "09:00-12:00, 11:00-13:00", "25:00-26:00"])
def test_bad_working_hours_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        calendar.parse_periods(text)
