"""The working calendar's days and years: checks, how far it is known, and imports of published lists."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fankui.accounts.models import User
from fankui.core.errors import ValidationFailed

from .. import calendar
from ..models import CalendarDay, CalendarYear
from .clocks import reapply_open_cases
from .lookups import entered_years


def check_calendar_day(day: dt.date | None) -> None:
    first, last = calendar.known_year_range()
    if day is None:
        raise ValidationFailed({"day": [_("Give a day.")]})
    if not first <= day.year <= last:
        raise ValidationFailed(
            {
                "day": [
                    _("%(day)s is outside the years the calendar knows (%(first)d to %(last)d).")
                    % {"day": day.isoformat(), "first": first, "last": last}
                ]
            }
        )


def check_periods(text: str) -> None:
    try:
        calendar.parse_periods(text)
    except ValueError as error:
        raise ValidationFailed({"periods": [str(error)]}) from None


@dataclass(frozen=True)
class Coverage:
    """How far the working calendar is known, and whether administrators should be told to enter the next year."""

    known_until: dt.date
    days_left: int  # from today; negative once the known days have run out
    warn: bool

    @property
    def next_year(self) -> int:
        return self.known_until.year + 1

    @property
    def ran_out(self) -> bool:
        return self.days_left < 0

    @property
    def message(self) -> str:
        facts = {"date": self.known_until.isoformat(), "year": self.next_year}
        if self.ran_out:
            text = _(
                "The working calendar knows public holidays only until %(date)s: deadlines after it count Monday to "
                "Friday as working days. Enter %(year)d's public holidays and make-up working days."
            )
        else:
            text = _(
                "The working calendar knows public holidays only until %(date)s. Enter %(year)d's public holidays and "
                "make-up working days when the State Council publishes them; until then deadlines in %(year)d count "
                "Monday to Friday as working days."
            )
        return text % facts + " " + _("Use the calendar overrides in the admin or “fankui calendar import FILE”.")


def calendar_warn_days() -> int:
    """Days before the known calendar runs out from which administrators are warned (a quarter by default)."""
    return settings.FANKUI_CALENDAR_WARN_DAYS


def calendar_coverage(today: dt.date | None = None) -> Coverage:
    today = today or timezone.localdate()
    until = calendar.known_until(entered_years())
    left = (until - today).days
    return Coverage(until, left, left < calendar_warn_days())


def check_calendar_year(year: int | None) -> None:
    """A year may be marked entered once its public holidays are there: some weekday off among the overrides."""
    last = calendar.known_year_range()[1]
    if year is None:
        raise ValidationFailed({"year": [_("Give a year.")]})
    if year <= calendar.PACKAGE_LAST_YEAR:
        raise ValidationFailed({"year": [_("The national calendar already knows %(year)d.") % {"year": year}]})
    if year > last:
        raise ValidationFailed(
            {"year": [_("%(year)d is too far ahead (at most %(last)d).") % {"year": year, "last": last}]}
        )
    days_off = CalendarDay.objects.filter(day__year=year, is_workday=False).values_list("day", flat=True)
    if calendar.implausible_year(days_off, year):
        raise ValidationFailed(
            {
                "year": [
                    _(
                        "Enter %(year)d's public holidays as calendar overrides first: a year's published list has "
                        "at least %(n)d days off, the Spring Festival among them."
                    )
                    % {"year": year, "n": calendar.MIN_DAYS_OFF}
                ]
            }
        )


@dataclass
class CalendarImport:
    """What an import did (or, in a dry run, would do), line by line."""

    year: int
    lines: list[tuple[int, str]]
    added: int = 0
    changed: int = 0
    unchanged: int = 0
    year_entered: bool = False  # the year was newly marked as entered completely
    recounted: int = 0  # running clocks counted again


def import_calendar(
    text: str,
    *,
    year: int | None = None,
    user: User | None = None,
    note: str = "",
    dry_run: bool = False,
    partial: bool = False,
) -> CalendarImport:
    """Store a published list of public holidays and make-up working days (``calendar.parse_day_list``'s format)
    as calendar overrides and mark ``year`` (default: the latest year in the list) as entered completely. Nothing
    is stored unless every line is valid; importing the same list again changes nothing. Open cases' deadlines
    are counted again when a day changed. A list that cannot be a whole year's (``calendar.implausible_year``) is
    refused unless ``partial``: its days are then stored without marking the year."""
    # Like calendar.parse_day_list's, these messages are for the command line, in English.
    listed, problems = calendar.parse_day_list(text)
    errors = [f"line {n}: {p}" for n, p in problems]
    if not listed and not problems:
        errors.append("The file lists no day.")
    if listed and not errors:
        year = year or max(item.day.year for item in listed)
        if not any(item.day.year == year and not item.is_workday and item.day.weekday() < 5 for item in listed):
            errors.append(f"The file marks no weekday of {year} as a holiday; is it that year's list?")
        elif not partial and year > calendar.PACKAGE_LAST_YEAR:
            listed_days = {item.day: item.is_workday for item in listed}
            stored = CalendarDay.objects.filter(day__year=year, is_workday=False).values_list("day", flat=True)
            days_off = {d for d in stored if listed_days.get(d) is not True}
            days_off |= {day for day, is_workday in listed_days.items() if not is_workday}
            problem = calendar.implausible_year(days_off, year)
            if problem:
                errors.append(f"{problem} Import it with --partial to store these days without marking {year} known.")
    if errors:
        raise ValidationFailed({"file": errors})
    assert year is not None
    report = CalendarImport(year=year, lines=[])
    with transaction.atomic():
        days = [item.day for item in listed]
        existing = {row.day: row for row in CalendarDay.objects.select_for_update().filter(day__in=days)}
        for item in listed:
            row: CalendarDay | None = existing.get(item.day)
            if row is None:
                status = "added"
                report.added += 1
                row = CalendarDay(day=item.day, is_workday=item.is_workday, note=item.note)
            elif row.is_workday != item.is_workday or (item.note and row.note != item.note):
                if row.is_workday == item.is_workday:
                    status = "note changed"
                else:
                    status = "changed (was: workday)" if row.is_workday else "changed (was: holiday)"
                report.changed += 1
                row.is_workday, row.note = item.is_workday, item.note or row.note
            else:
                status = "unchanged"
                report.unchanged += 1
                row = None
            kind = "workday" if item.is_workday else "holiday"
            report.lines.append((item.line, f"{item.day.isoformat()} {kind} {item.note}".rstrip() + ": " + status))
            if row is not None and not dry_run:
                row.save()
        # A year the package knows needs no mark; a year already marked keeps who entered it first.
        if not partial and year > calendar.PACKAGE_LAST_YEAR and not CalendarYear.objects.filter(year=year).exists():
            report.year_entered = True
            if not dry_run:
                CalendarYear.objects.create(year=year, note=note.strip()[:200], entered_by=user)
    if not dry_run and (report.added or report.changed):
        report.recounted = reapply_open_cases(force=True)
    return report
