"""Working-time arithmetic on the Chinese calendar.

A day is a working day when an override says so, else when ``chinese_calendar`` says so (statutory holidays and
make-up working days, 调休), else (a year the package does not know) when it is Monday to Friday. Working hours are
the calendar's periods on working days. All arithmetic is in local time (settings.TIME_ZONE); every datetime that
comes in or goes out is aware.

Conventions (docs/sla.md): N working days end at the close of the Nth working day after the start day (0 = the
close of the start day, or of the next working day when the start day is not one or its working hours are over);
N working hours count only time inside working hours on working days; N hours are calendar hours.

Invariant: a deadline is never earlier than the moment it is set (``deadline(cal, start, n, unit) >= start`` for
every calendar, start, amount and unit). A promise that is overdue at birth tells the citizen something false.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache

import chinese_calendar
from chinese_calendar.constants import holidays as _package_holidays
from django.utils import timezone

Period = tuple[dt.time, dt.time]

DEFAULT_PERIODS: tuple[Period, ...] = ((dt.time(9, 0), dt.time(12, 0)), (dt.time(13, 30), dt.time(17, 30)))

# The years the package has data for; overrides are accepted up to a few years after the last one.
PACKAGE_FIRST_YEAR = min(d.year for d in _package_holidays)
PACKAGE_LAST_YEAR = max(d.year for d in _package_holidays)
OVERRIDE_YEARS_AHEAD = 5
MAX_SEARCH_DAYS = 3 * 366  # a calendar with no working day at all must not loop for ever


def known_year_range() -> tuple[int, int]:
    """The years a working-day override may be entered for."""
    return PACKAGE_FIRST_YEAR, PACKAGE_LAST_YEAR + OVERRIDE_YEARS_AHEAD


def known_until(entered_years: Iterable[int]) -> dt.date:
    """The last day whose working calendar is known: the package's years, then each following year an
    administrator entered completely, without a gap (a year entered after an unknown one does not help)."""
    years = set(entered_years)
    last = PACKAGE_LAST_YEAR
    while last + 1 in years:
        last += 1
    return dt.date(last, 12, 31)


@lru_cache(maxsize=4096)
def package_is_workday(day: dt.date) -> bool:
    if PACKAGE_FIRST_YEAR <= day.year <= PACKAGE_LAST_YEAR:
        return bool(chinese_calendar.is_workday(day))
    return day.weekday() < 5


def parse_periods(text: str) -> tuple[Period, ...]:
    """``"09:00-12:00, 13:30-17:30"`` -> periods; ValueError with a readable message on bad input."""
    periods: list[Period] = []
    for chunk in text.replace("，", ",").split(","):
        chunk = chunk.strip()
        if not chunk:
            continue
        try:
            start_text, end_text = (part.strip() for part in chunk.split("-"))
            start = dt.datetime.strptime(start_text, "%H:%M").time()
            end = dt.datetime.strptime(end_text, "%H:%M").time()
        except ValueError:
            raise ValueError(f"“{chunk}” is not a period like 09:00-12:00.") from None
        if end <= start:
            raise ValueError(f"“{chunk}” ends before it starts.")
        if periods and start < periods[-1][1]:
            raise ValueError(f"“{chunk}” overlaps the period before it or is out of order.")
        periods.append((start, end))
    if not periods:
        raise ValueError("Give at least one period of working hours.")
    return tuple(periods)


def format_periods(periods: Iterable[Period]) -> str:
    return ", ".join(f"{a:%H:%M}-{b:%H:%M}" for a, b in periods)


def _seconds(t: dt.time) -> int:
    return t.hour * 3600 + t.minute * 60 + t.second


@dataclass(frozen=True)
class WorkCalendar:
    """Working days and hours. ``overrides`` maps a date to True (working) or False (day off)."""

    periods: tuple[Period, ...] = DEFAULT_PERIODS
    overrides: Mapping[dt.date, bool] = field(default_factory=dict)

    # --- days ------------------------------------------------------------------------------------------------
    def is_workday(self, day: dt.date) -> bool:
        override = self.overrides.get(day)
        if override is not None:
            return override
        return package_is_workday(day)

    def next_workday(self, day: dt.date, *, include: bool = False) -> dt.date:
        """The first working day after ``day`` (or ``day`` itself when ``include`` and it is one)."""
        candidate = day if include else day + dt.timedelta(days=1)
        for _ in range(MAX_SEARCH_DAYS):
            if self.is_workday(candidate):
                return candidate
            candidate += dt.timedelta(days=1)
        raise ValueError("The calendar has no working day in three years.")

    @property
    def day_seconds(self) -> int:
        return sum(_seconds(b) - _seconds(a) for a, b in self.periods)

    def _local(self, day: dt.date, t: dt.time) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(day, t))

    def close_of(self, day: dt.date) -> dt.datetime:
        return self._local(day, self.periods[-1][1])

    # --- deadlines -------------------------------------------------------------------------------------------
    def add_working_days(self, start: dt.datetime, days: int) -> dt.datetime:
        if days < 0:
            raise ValueError("A duration cannot be negative.")
        local = timezone.localtime(start)
        day = local.date()
        if days == 0:
            # "The same day" once the day's working hours are over is the next working day.
            include = local.time() < self.periods[-1][1]
            return self.close_of(self.next_workday(day, include=include))
        for _ in range(days):
            day = self.next_workday(day)
        return self.close_of(day)

    def add_working_seconds(self, start: dt.datetime, seconds: float) -> dt.datetime:
        """The instant at which ``seconds`` of working time after ``start`` are used up."""
        if seconds < 0:
            raise ValueError("A duration cannot be negative.")
        local = timezone.localtime(start)
        day = local.date()
        offset = _seconds(local.time()) + local.microsecond / 1e6
        remaining = float(seconds)
        per_day = self.day_seconds
        for _ in range(MAX_SEARCH_DAYS):
            if self.is_workday(day):
                if offset <= 0 and remaining > per_day:
                    # Whole working days at once: the common case for long targets.
                    remaining -= per_day
                else:
                    for a, b in self.periods:
                        begin = max(_seconds(a), offset)
                        end = _seconds(b)
                        if begin >= end:
                            continue
                        if remaining <= end - begin:
                            at = dt.datetime.combine(day, dt.time()) + dt.timedelta(seconds=begin + remaining)
                            return timezone.make_aware(at)
                        remaining -= end - begin
            day += dt.timedelta(days=1)
            offset = 0
        raise ValueError("The calendar has no working time in three years.")

    def add_working_hours(self, start: dt.datetime, hours: float) -> dt.datetime:
        return self.add_working_seconds(start, hours * 3600)

    def working_seconds_between(self, start: dt.datetime, end: dt.datetime) -> float:
        """Working time in [start, end); 0 when end is not after start."""
        if end <= start:
            return 0.0
        a = timezone.localtime(start)
        b = timezone.localtime(end)
        total = 0.0
        day = a.date()
        while day <= b.date():
            if self.is_workday(day):
                lo = _seconds(a.time()) + a.microsecond / 1e6 if day == a.date() else 0
                hi = _seconds(b.time()) + b.microsecond / 1e6 if day == b.date() else 86400
                for p, q in self.periods:
                    total += max(0.0, min(hi, _seconds(q)) - max(lo, _seconds(p)))
            day += dt.timedelta(days=1)
        return total


class Unit:
    WORKING_HOURS = "working_hours"
    WORKING_DAYS = "working_days"
    HOURS = "hours"


def deadline(calendar: WorkCalendar, start: dt.datetime, amount: float, unit: str) -> dt.datetime:
    if amount < 0:
        raise ValueError("A duration cannot be negative.")
    if unit == Unit.WORKING_DAYS:
        return calendar.add_working_days(start, int(amount))
    if unit == Unit.WORKING_HOURS:
        return calendar.add_working_hours(start, amount)
    if unit == Unit.HOURS:
        return start + dt.timedelta(hours=amount)
    raise ValueError(f"Unknown unit {unit!r}.")


def elapsed(calendar: WorkCalendar, start: dt.datetime, end: dt.datetime, unit: str) -> float:
    """Seconds of the unit's time between start and end: working seconds, or calendar seconds for hours."""
    if unit == Unit.HOURS:
        return max(0.0, (end - start).total_seconds())
    return calendar.working_seconds_between(start, end)


def advance(calendar: WorkCalendar, start: dt.datetime, seconds: float, unit: str) -> dt.datetime:
    """Inverse of ``elapsed``: the instant ``seconds`` of the unit's time after start."""
    if unit == Unit.HOURS:
        return start + dt.timedelta(seconds=seconds)
    return calendar.add_working_seconds(start, seconds)


# --- The published list of a year's holidays and make-up working days ----------------------------------------------
DAY_OFF_WORDS = frozenset({"holiday", "off", "休", "放假"})
WORKDAY_WORDS = frozenset({"workday", "work", "班", "上班"})
MAX_RANGE_DAYS = 31
MAX_NOTE = 200


@dataclass(frozen=True)
class ListedDay:
    line: int
    day: dt.date
    is_workday: bool
    note: str


DATE = re.compile(r"^(\d{4})[-/年](\d{1,2})[-/月](\d{1,2})日?$")
# Since the 2025 revision of the national holidays (全国年节及纪念日放假办法), a year has 13 public holidays:
# 元旦 1, 春节 4, 清明 1, 劳动节 2, 端午 1, 中秋 1, 国庆 3. A published list names at least these days off (with
# the weekends bridged, usually about thirty), and the Spring Festival always falls between 21 January and
# 20 February.
MIN_DAYS_OFF = 13
SPRING_FESTIVAL = ((1, 21), (2, 20))


def _parse_date(text: str) -> dt.date:
    """2027-01-01, 2027/1/1 (as spreadsheets write it) or 2027年1月1日."""
    match = DATE.match(text.strip())
    if not match:
        raise ValueError(text)
    return dt.date(int(match[1]), int(match[2]), int(match[3]))


def implausible_year(days_off: Iterable[dt.date], year: int) -> str:
    """Why a list of days off cannot be ``year``'s whole published list ("" when it can): one local day off, or a
    list without the Spring Festival, must not make a year count as known."""
    days = {day for day in days_off if day.year == year}
    (m1, d1), (m2, d2) = SPRING_FESTIVAL
    if len(days) < MIN_DAYS_OFF:
        return (
            f"{year} has only {len(days)} day(s) off entered; a year's published list has at least {MIN_DAYS_OFF} "
            "(元旦, 春节, 清明, 劳动节, 端午, 中秋, 国庆)."
        )
    if not any(dt.date(year, m1, d1) <= day <= dt.date(year, m2, d2) for day in days):
        return f"{year}'s list has no day off for the Spring Festival (between {m1}-{d1} and {m2}-{d2})."
    return ""


def parse_day_list(text: str) -> tuple[list[ListedDay], list[tuple[int, str]]]:
    """Read a list of days: one ``date, holiday|workday, note`` per line (comma or tab, fields may be quoted; a line
    starting with ``#`` is a comment; a ``first..last`` range stands for every day in it). Returns the days and the
    errors as (line, message); the caller stores nothing unless there are no errors."""
    days: list[ListedDay] = []
    errors: list[tuple[int, str]] = []
    seen: dict[dt.date, int] = {}
    first, last = known_year_range()
    for number, raw in enumerate(text.lstrip("\ufeff").splitlines(), start=1):
        # A comment is a line of its own: a "#" inside a note (文号 #12) is the note's.
        line = "".join(c for c in raw if c == "\t" or c.isprintable()).strip()
        if not line or line.startswith("#"):
            continue
        # Quotes around a field, as spreadsheets save CSV, are not part of it.
        fields = [f.strip().strip('"').strip() for f in re.split(r"[,，\t]", line, maxsplit=2)]
        if fields[0].lower() in {"date", "日期"}:
            continue  # a header row
        if len(fields) < 2 or not fields[1]:
            errors.append((number, f"“{line}”: give a date and holiday or workday, e.g. 2027-01-01, holiday, 元旦."))
            continue
        date_text, word = fields[0], fields[1].lower()
        note = fields[2] if len(fields) > 2 else ""
        try:
            if ".." in date_text:
                start_text, end_text = date_text.split("..", 1)
                start, end = _parse_date(start_text), _parse_date(end_text)
            else:
                start = end = _parse_date(date_text)
        except ValueError:
            errors.append((number, f"“{date_text}” is not a date like 2027-01-01 (or a range 2027-02-06..2027-02-13)."))
            continue
        if end < start or (end - start).days >= MAX_RANGE_DAYS:
            errors.append((number, f"“{date_text}”: a range runs forwards and spans at most {MAX_RANGE_DAYS} days."))
            continue
        if word in DAY_OFF_WORDS:
            is_workday = False
        elif word in WORKDAY_WORDS:
            is_workday = True
        else:
            errors.append((number, f"“{fields[1]}” is neither holiday nor workday."))
            continue
        if len(note) > MAX_NOTE:
            errors.append((number, f"The note is longer than {MAX_NOTE} characters."))
            continue
        day = start
        while day <= end:
            if not first <= day.year <= last:
                errors.append(
                    (number, f"{day.isoformat()} is outside the years the calendar knows ({first} to {last}).")
                )
            elif day in seen:
                errors.append((number, f"{day.isoformat()} is listed twice (also on line {seen[day]})."))
            else:
                seen[day] = number
                days.append(ListedDay(number, day, is_workday, note))
            day += dt.timedelta(days=1)
    return days, errors
