from __future__ import annotations

from datetime import date

import pytest

from fankui.core.errors import ValidationFailed
from fankui.insights import periods

from .conftest import local


def test_a_month_runs_from_local_midnight_to_the_next_month() -> None:
    october = periods.parse("2026-10")
    assert (october.first, october.last) == (date(2026, 10, 1), date(2026, 10, 31))
    assert october.start == local("2026-10-01 00:00")
    assert october.end == local("2026-11-01 00:00")
    assert len(october.days) == 31


def test_an_iso_week_starts_on_monday() -> None:
    week = periods.parse("2026-W46")
    assert week.kind == "week"
    assert (week.first, week.last) == (date(2026, 11, 9), date(2026, 11, 15))
    assert week.key == "2026-W46"


def test_the_previous_period_of_january_is_december() -> None:
    assert periods.parse("2026-01").previous().key == "2025-12"
    assert periods.parse("2026-W01").previous().key == "2025-W52"


@pytest.mark.parametrize("text", ["", "2026-13", "2026/10", "next month", "2026-W60", "0000-01"])
def test_it_refuses_what_is_not_a_month_or_week(text: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        periods.parse(text)
    assert "period" in caught.value.errors


def test_the_defaults_follow_the_local_calendar() -> None:
    # Frozen at 2026-11-16 10:00 Beijing time, a Monday.
    assert periods.current_month().key == "2026-11"
    assert periods.last_month().key == "2026-10"
    assert periods.last_week().key == "2026-W46"
