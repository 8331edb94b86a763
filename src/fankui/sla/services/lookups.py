"""The policies and calendars: read once per operation, and kept by each process while they stay unchanged.

They are read on every intake and every move, and change a few times a year. Each process keeps what it read
together with the token of ``LookupStamp`` it read it under; the database renews that token itself whenever any
of them changes (triggers, so no code path can forget). An operation reads the token once (one indexed single-row
query) and reuses the process's copy when it still matches; a change is therefore used by the next operation in
every process, however it was written. docs/decisions/0007 gives the figures that justify this.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import connection

from .. import calendar
from ..models import CalendarDay, CalendarYear, LookupStamp, WorkingCalendar

# The current operation's reads (None outside a ``cached_lookups`` block, where every lookup reads the database).
_cache: ContextVar[dict[object, object] | None] = ContextVar("sla_cache", default=None)
# The process's copy: (token, reads) as one object, so a thread never pairs one token with another token's reads.
# Threads share the dict; they only ever add complete values to it.
_kept: tuple[int | None, dict[object, object]] = (None, {})


def _current_reads() -> dict[object, object]:
    """The process's reads if the stamp is unchanged since they were made, else a fresh dict kept in their place.
    The token is read before anything is loaded: a change committed while loading makes the next operation reload,
    rather than keep newer data under an older token (which would only cost one reload)."""
    global _kept
    # A plain read: building this query through the ORM cost more than the lookups it saves when nothing changed.
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT token FROM {LookupStamp._meta.db_table} WHERE id = 1")
        row = cursor.fetchone()
    token = int(row[0]) if row else None
    kept = _kept
    if token is None or kept[0] != token:
        kept = (token, {})
        if token is not None:
            _kept = kept
    return kept[1]


@contextmanager
def cached_lookups() -> Iterator[None]:
    """Within the block, the policies and calendars are those the process keeps, read again only when they
    changed: for an intake, a move (which looks them up several times) and loops over many cases. Blocks nest (the
    outermost one's reads are used)."""
    if _cache.get() is not None:
        yield
        return
    token = _cache.set(_current_reads())
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
