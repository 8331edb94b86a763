"""A deadline is never earlier than the moment it is set, whatever the unit, the hour or the day.

The loops below walk start times every few minutes (and at random seconds, with a fixed seed) over ordinary
weeks, the Spring Festival 2026 with its make-up Saturday, the turn of the year into 2027 (which the package does
not know), and calendars with other hours and with overrides, and check ``deadline >= start`` for every unit.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from fankui.sla import calendar

SH = ZoneInfo("Asia/Shanghai")
U = calendar.Unit

CALENDARS = {
    "default": calendar.WorkCalendar(),
    "long day": calendar.WorkCalendar(periods=calendar.parse_periods("00:00-12:00, 12:30-23:59")),
    "one period": calendar.WorkCalendar(periods=calendar.parse_periods("08:30-16:00")),
    "overrides": calendar.WorkCalendar(
        overrides={
            dt.date(2026, 12, 4): False,  # a local day off on a Friday
            dt.date(2026, 12, 5): True,  # worked on the Saturday instead
            dt.date(2027, 1, 1): False,
            dt.date(2027, 1, 2): True,
        }
    ),
}

# First days of the stretches walked: a Friday evening into the weekend, the Spring Festival 2026 (14 February is
# a make-up working day, 15 to 23 February are off), and New Year 2027.
STRETCHES = [dt.date(2026, 12, 3), dt.date(2026, 2, 12), dt.date(2026, 12, 30)]


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=SH)


def starts(step_minutes: int = 7, days: int = 4) -> Iterator[dt.datetime]:
    for first in STRETCHES:
        moment = dt.datetime.combine(first, dt.time(), tzinfo=SH)
        end = moment + dt.timedelta(days=days)
        while moment < end:
            yield moment
            moment += dt.timedelta(minutes=step_minutes)


def amounts() -> list[tuple[float, str]]:
    return (
        [(n, U.WORKING_DAYS) for n in (0, 1, 2, 13)]
        + [(h, U.WORKING_HOURS) for h in (0, 0.5, 1, 4, 7, 30)]
        + [(h, U.HOURS) for h in (0, 1, 2, 24)]
    )


@pytest.mark.parametrize("name", list(CALENDARS))
def test_no_deadline_is_earlier_than_its_start(name: str) -> None:
    cal = CALENDARS[name]
    for start in starts():
        for amount, unit in amounts():
            result = calendar.deadline(cal, start, amount, unit)
            assert result >= start, (name, start, amount, unit, result)


def test_no_deadline_is_earlier_than_its_start_at_random_seconds() -> None:
    rng = random.Random(20261204)
    cal = CALENDARS["overrides"]
    first = at("2026-01-01 00:00")
    for _ in range(3000):
        start = first + dt.timedelta(seconds=rng.uniform(0, 400 * 86400))
        amount, unit = rng.choice(amounts())
        assert calendar.deadline(cal, start, amount, unit) >= start, (start, amount, unit)


def test_the_exact_edges_of_the_day_keep_the_invariant() -> None:
    cal = CALENDARS["default"]
    for text in ("2026-12-04 00:00", "2026-12-04 09:00", "2026-12-04 17:30", "2026-12-04 23:59:59", "2026-12-05 00:00"):
        for amount, unit in amounts():
            assert calendar.deadline(cal, at(text), amount, unit) >= at(text), (text, amount, unit)


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        # After office hours on a Friday, "the same day" is Monday's close, never 17:30 of the evening already gone.
        ("2026-12-04 21:25", "2026-12-07 17:30"),
        # At the close exactly, the day's working time is used up: the next working day.
        ("2026-12-04 17:30", "2026-12-07 17:30"),
        ("2026-12-04 17:29", "2026-12-04 17:30"),
        # Before the opening and at midnight, the day is still ahead.
        ("2026-12-04 00:00", "2026-12-04 17:30"),
        ("2026-12-04 07:00", "2026-12-04 17:30"),
        # The evening before the Spring Festival 2026's make-up Saturday, and that Saturday's evening.
        ("2026-02-13 20:00", "2026-02-14 17:30"),
        ("2026-02-14 18:00", "2026-02-24 17:30"),
    ],
)
def test_zero_working_days_after_the_close_is_the_next_working_days_close(start: str, expected: str) -> None:
    assert CALENDARS["default"].add_working_days(at(start), 0) == at(expected)


def test_the_deadline_command_never_prints_a_time_before_its_start(
    db: None, capsys: pytest.CaptureFixture[str]
) -> None:
    call_command("deadline", "--from", "2026-12-04 21:25", "--working-days", "0")
    assert capsys.readouterr().out.strip() == "2026-12-07T17:30:00+08:00"
