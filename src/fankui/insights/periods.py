"""Report periods: a calendar month ("2026-10") or an ISO week ("2026-W44"), in the organisation's local time.

Boundaries are local midnights (settings.TIME_ZONE, Asia/Shanghai by default) turned into aware datetimes, so a case
received at 23:30 on 31 October Beijing time belongs to October whatever the server's clock zone is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from fankui.core.errors import ValidationFailed

MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
WEEK = re.compile(r"^(\d{4})-?W(\d{1,2})$", re.IGNORECASE)


@dataclass(frozen=True)
class Period:
    kind: str  # "month" or "week"
    first: date  # first local day
    last: date  # last local day (inclusive)

    @property
    def key(self) -> str:
        if self.kind == "month":
            return f"{self.first:%Y-%m}"
        year, week, _day = self.first.isocalendar()
        return f"{year}-W{week:02d}"

    @property
    def start(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.first, time.min))

    @property
    def end(self) -> datetime:
        """Exclusive: the local midnight after the last day."""
        return timezone.make_aware(datetime.combine(self.last + timedelta(days=1), time.min))

    @property
    def days(self) -> list[date]:
        return [self.first + timedelta(days=i) for i in range((self.last - self.first).days + 1)]

    def previous(self) -> Period:
        if self.kind == "month":
            return month_of(self.first - timedelta(days=1))
        return week_of(self.first - timedelta(days=7))

    def __str__(self) -> str:
        return self.key


def month_of(day: date) -> Period:
    first = day.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return Period("month", first, following - timedelta(days=1))


def week_of(day: date) -> Period:
    first = day - timedelta(days=day.weekday())
    return Period("week", first, first + timedelta(days=6))


# Periods whose neighbours (the previous period, the day after the last) are still dates: 0001-01 and 9999-12
# would overflow. Nothing the platform records lies outside these years.
FIRST_YEAR, LAST_YEAR = 1900, 2999


def parse(text: str) -> Period:
    """ "2026-10" or "2026-W44"; anything else is a ValidationFailed on the field "period"."""
    raw = (text or "").strip()
    match = MONTH.match(raw)
    try:
        if match and FIRST_YEAR <= int(match[1]) <= LAST_YEAR:
            return month_of(date(int(match[1]), int(match[2]), 1))
        match = WEEK.match(raw)
        if match and FIRST_YEAR <= int(match[1]) <= LAST_YEAR:
            return week_of(date.fromisocalendar(int(match[1]), int(match[2]), 1))
    except ValueError:
        pass
    raise ValidationFailed({"period": [_("Give a month as YYYY-MM (2026-10) or an ISO week as YYYY-Www (2026-W44).")]})


def today() -> date:
    return timezone.localdate()


def current_month() -> Period:
    return month_of(today())


def last_month() -> Period:
    return current_month().previous()


def last_week() -> Period:
    return week_of(today()).previous()
