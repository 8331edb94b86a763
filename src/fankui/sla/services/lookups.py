"""The policies and calendars, read once per operation."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from .. import calendar
from ..models import CalendarDay, CalendarYear, WorkingCalendar

# Policies and calendars are read from the database for each operation (an intake, a move, a loop over many
# cases), once: nothing is kept between requests, so a change is seen by the next one in every process.
_cache: ContextVar[dict[object, object] | None] = ContextVar("sla_cache", default=None)


@contextmanager
def cached_lookups() -> Iterator[None]:
    """Within the block, the policies and calendars are read once and reused: for a move, which looks them up
    several times, and for loops over many cases. Blocks nest (the outermost one's reads are used)."""
    if _cache.get() is not None:
        yield
        return
    token = _cache.set({})
    try:
        yield
    finally:
        _cache.reset(token)


def lookups() -> dict[object, object]:
    """The current block's reads; outside a block, a fresh dict (so each lookup reads the database)."""
    cache = _cache.get()
    return cache if cache is not None else {}


def work_calendar(working: WorkingCalendar | None = None) -> calendar.WorkCalendar:
    """The working calendar to count with: ``working``'s hours (default: the default calendar's) and overrides."""
    cache = lookups()
    key = ("calendar", working.pk if working else None)
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
    if "entered_years" not in cache:
        cache["entered_years"] = frozenset(CalendarYear.objects.values_list("year", flat=True))
    return cache["entered_years"]  # type: ignore[return-value]
