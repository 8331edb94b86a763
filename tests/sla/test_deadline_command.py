"""`fankui deadline` prints the deadline on the default calendar; bad input is a one-line error."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from fankui.sla.models import CalendarDay, WorkingCalendar


def deadline(*args: str) -> str:
    out = StringIO()
    call_command("deadline", *args, stdout=out)
    return out.getvalue().strip()


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--working-days", "1"], "2026-02-14T17:30:00+08:00"),
        (["--working-days", "2"], "2026-02-24T17:30:00+08:00"),
        (["--working-hours", "3"], "2026-02-13T14:30:00+08:00"),
        (["--hours", "3"], "2026-02-13T13:00:00+08:00"),
    ],
)
def test_it_prints_iso_8601_with_the_offset(db: None, args: list[str], expected: str) -> None:
    assert deadline("--from", "2026-02-13 10:00", *args) == expected


def test_it_uses_the_organisations_hours_and_overrides(db: None) -> None:
    WorkingCalendar.objects.create(name="x", periods="08:00-12:00, 14:00-18:00", is_default=True)
    CalendarDay.objects.create(day="2026-11-17", is_workday=False)
    assert deadline("--from", "2026-11-16 10:00", "--working-days", "1") == "2026-11-18T18:00:00+08:00"


@pytest.mark.parametrize(
    "args",
    [
        ["--from", "2026-13-01 10:00", "--hours", "1"],
        ["--from", "yesterday", "--hours", "1"],
        ["--from", "2026-11-16 10:00", "--working-days", "-1"],
        ["--from", "2026-11-16 10:00", "--working-days", "1.5"],
        ["--from", "2026-11-16 10:00", "--hours", "nan"],
        ["--from", "2026-11-16 10:00", "--working-hours", "1e9"],
    ],
)
def test_bad_input_is_a_command_error(db: None, args: list[str]) -> None:
    with pytest.raises(CommandError):
        call_command("deadline", *args, stdout=StringIO())
