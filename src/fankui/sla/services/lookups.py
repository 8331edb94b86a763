"""The policies and calendars: read once per operation, and kept by each process while they stay unchanged
(``core.lookups``: the database renews the stamp whenever any of them changes; decisions 0007 and 0013)."""

from __future__ import annotations

from fankui.core.lookups import cached_lookups, lookups

from .. import calendar
from ..models import CalendarDay, CalendarYear, WorkingCalendar

__all__ = ["cached_lookups", "entered_years", "lookups", "work_calendar"]


def work_calendar(working: WorkingCalendar | None = None) -> calendar.WorkCalendar:
    """The working calendar to count with: ``working``'s hours (default: the default calendar's) and overrides."""
    cache = lookups()
    key = ("sla.calendar", working.pk if working else None)
    if key not in cache:
        cache[key] = _load_calendar(working)
    return cache[key]  # type: ignore[return-value]


def _load_calendar(working: WorkingCalendar | None) -> calendar.WorkCalendar:
    if working is None:
        working = WorkingCalendar.objects.filter(is_default=True).first()
    periods = calendar.parse_periods(working.periods) if working else calendar.DEFAULT_PERIODS
    overrides = dict(CalendarDay.objects.values_list("day", "is_workday"))
    return calendar.WorkCalendar(periods=periods, overrides=overrides)


def entered_years() -> frozenset[int]:
    """The years an administrator entered completely (``CalendarYear``), kept with the policies and calendars."""
    cache = lookups()
    if "sla.entered_years" not in cache:
        cache["sla.entered_years"] = frozenset(CalendarYear.objects.values_list("year", flat=True))
    return cache["sla.entered_years"]  # type: ignore[return-value]
