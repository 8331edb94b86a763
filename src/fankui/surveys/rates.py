"""The 好差评 rates, one rollup for the dashboard, the monthly report, the windows' page and the benchmark
(docs/surveys.md).

``rollup(by, start, end)`` counts everything the five rates need, per group of ``by``:

- 满意率: satisfied ratings (levels ``FANKUI_SATISFIED_LEVELS``, default 非常满意 + 满意 + 基本满意) / valid ratings;
- 好评率: 非常满意 + 满意 / valid ratings;
- 差评率: 不满意 + 非常不满意 / valid ratings;
- 整改率: bad ratings whose rectification is done (checked, and reported where there is someone to tell) / bad
  ratings of the kinds that are rectified (``RECTIFIED_KINDS``: replies, windows and staff);
- 回访率: real-name bad ratings followed up (a call reached the person) / real-name bad ratings.

"Valid" is every rating not taken out by an upheld appeal (``valid``: a case marked as spam later changes nothing
until an appeal takes its rating out); the excluded ones are counted apart (``excluded``) so
every page says how many left the rates. ``kind`` says which ratings: of replies (the default), of rectifications,
or of service windows and staff (``RatingKind.WINDOW``, 一次一评). ``by`` and ``where`` name fields that ``Rating`` and
``RatingDay`` share ("department", "category", "service_point", "staff", "level", and paths through them such as
"service_point__hall"): whole local days are read from the daily counts (``RatingDay``, kept by
``services.tallies``), the parts of days at the ends of the range from the ratings themselves, and the sum is the
same as counting every rating (tests/surveys/test_the_daily_counts_add_up_to_the_ratings.py). A filter that needs
the rating itself (``only``, e.g. the cases a user without a department may see) reads the ratings alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Count, F, Q, QuerySet, Sum
from django.utils import timezone

from fankui.core.vocab import Level

from .models import Rating, RatingDay, RatingKind

GOOD_LEVELS = (Level.VERY_SATISFIED, Level.SATISFIED)
BAD_LEVELS = (Level.UNSATISFIED, Level.VERY_UNSATISFIED)
# The ratings whose bad ones open a rectification (差评整改, ``services.rectifications.open_rectification``) and so
# count in 整改率's denominator: of a reply, and of a window or a person (一次一评). A bad rating of a rectification
# is followed up (回访), not rectified again.
RECTIFIED_KINDS = (RatingKind.REPLY, RatingKind.WINDOW)


def satisfied_levels() -> list[int]:
    return list(settings.FANKUI_SATISFIED_LEVELS)


@dataclass(frozen=True)
class Share:
    numerator: int
    denominator: int

    @property
    def percent(self) -> float | None:
        return round(100 * self.numerator / self.denominator, 1) if self.denominator else None


@dataclass
class Tally:
    """The counts of one group; the rates are shares of them."""

    valid: int = 0
    satisfied: int = 0
    good: int = 0
    bad: int = 0
    # Valid bad ratings that open a rectification (差评整改): of replies, windows and staff (``RECTIFIED_KINDS``).
    to_rectify: int = 0
    rectified: int = 0
    real_name_bad: int = 0
    followed_up: int = 0
    excluded: int = 0

    def __add__(self, other: Tally) -> Tally:
        return Tally(*(getattr(self, f) + getattr(other, f) for f in self.__dataclass_fields__))

    @property
    def satisfaction(self) -> Share:
        return Share(self.satisfied, self.valid)

    @property
    def good_rate(self) -> Share:
        return Share(self.good, self.valid)

    @property
    def bad_rate(self) -> Share:
        return Share(self.bad, self.valid)

    @property
    def rectification_rate(self) -> Share:
        return Share(self.rectified, self.to_rectify)

    @property
    def follow_up_rate(self) -> Share:
        return Share(self.followed_up, self.real_name_bad)

    def shares(self) -> dict[str, Share]:
        """The five rates by key, in the order they are shown."""
        return {
            "satisfaction": self.satisfaction,
            "good": self.good_rate,
            "bad": self.bad_rate,
            "rectification": self.rectification_rate,
            "follow_up": self.follow_up_rate,
        }


def given(start: datetime | None = None, end: datetime | None = None, kind: str = RatingKind.REPLY) -> QuerySet[Rating]:
    """Ratings of replies given in [start, end), the excluded ones included (the rollup counts them apart). With
    ``kind=RatingKind.WINDOW``: the ratings of service windows and staff (一次一评, no case), which the case figures
    never count."""
    qs = Rating.objects.filter(kind=kind)
    if start is not None:
        qs = qs.filter(created_at__gte=start)
    if end is not None:
        qs = qs.filter(created_at__lt=end)
    return qs


def valid(start: datetime | None = None, end: datetime | None = None, kind: str = RatingKind.REPLY) -> QuerySet[Rating]:
    """The ratings of ``kind`` given in [start, end) that the rates count: the one rule of validity, for the five rates
    here and the headline 满意率 (``actions.rates.ratings``). A rating counts whatever became of its case later
    (closed, reopened, sent to another department, marked as spam or abuse) until an upheld appeal takes it out,
    with the reason shown (docs/decisions/0026-window-rectifications-and-spam-ratings.md)."""
    return given(start, end, kind).filter(excluded=False)


def counts() -> dict[str, Count]:
    """Per level, the counts ``RatingDay`` keeps (its fields, each named here with "n_" before it: an aggregate may
    not take the name of a field it filters on), as aggregates over ratings. ``services.tallies`` stores them."""
    valid = Q(excluded=False)
    return {
        "n_ratings": Count("pk"),
        "n_excluded": Count("pk", filter=Q(excluded=True)),
        "n_real_name": Count("pk", filter=valid & Q(real_name=True)),
        "n_rectified": Count("pk", filter=valid & Q(rectified_at__isnull=False)),
        "n_followed_up": Count("pk", filter=valid & Q(real_name=True, followed_up_at__isnull=False)),
    }


# The counts of a ``RatingDay`` row, by field name.
COUNTS = tuple(name.removeprefix("n_") for name in counts())


def _tally(level: int, row: dict[str, int], satisfied: list[int], rectifiable: bool) -> Tally:
    """The tally of ``row``'s counts of one level (``rectifiable``: of ratings that open a rectification)."""
    valid = row["n_ratings"] - row["n_excluded"]
    bad = level in BAD_LEVELS
    return Tally(
        valid=valid,
        satisfied=valid if level in satisfied else 0,
        good=valid if level in GOOD_LEVELS else 0,
        bad=valid if bad else 0,
        to_rectify=valid if bad and rectifiable else 0,
        rectified=row["n_rectified"] if bad else 0,
        real_name_bad=row["n_real_name"] if bad else 0,
        followed_up=row["n_followed_up"] if bad else 0,
        excluded=row["n_excluded"],
    )


def local_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.get_default_timezone())


def whole_days(start: datetime | None, end: datetime | None) -> tuple[date | None, date | None]:
    """The local days [first, last) that lie wholly in [start, end) (None: open on that side)."""
    first = last = None
    if start is not None:
        first = start.astimezone(timezone.get_default_timezone()).date()
        if local_midnight(first) < start:
            first += timedelta(days=1)
    if end is not None:
        last = end.astimezone(timezone.get_default_timezone()).date()
    return first, last


def _parts(
    start: datetime | None, end: datetime | None, kind: str, where: Q, only: Q | None
) -> list[tuple[QuerySet[Any], dict[str, Any]]]:
    """The querysets whose counts add up to the ratings of [start, end), each with its per-level aggregates."""
    raw = counts()
    summed = {f"n_{name}": Sum(name) for name in COUNTS}
    if only is not None:
        return [(given(start, end, kind).filter(where & only), raw)]
    first, last = whole_days(start, end)
    if first is not None and last is not None and first >= last:
        return [(given(start, end, kind).filter(where), raw)]
    days = RatingDay.objects.filter(where, kind=kind)
    if first is not None:
        days = days.filter(day__gte=first)
    if last is not None:
        days = days.filter(day__lt=last)
    parts: list[tuple[QuerySet[Any], dict[str, Any]]] = [(days, summed)]
    if first is not None and start is not None and local_midnight(first) > start:
        parts.append((given(start, local_midnight(first), kind).filter(where), raw))
    if last is not None and end is not None and local_midnight(last) < end:
        parts.append((given(local_midnight(last), end, kind).filter(where), raw))
    return parts


def rollup(
    by: str | Any | Sequence[str | Any],
    start: datetime | None = None,
    end: datetime | None = None,
    *,
    kind: str = RatingKind.REPLY,
    where: Q | None = None,
    only: Q | None = None,
) -> dict[Any, Tally]:
    """The counts of the ratings of ``kind`` given in [start, end) per value of ``by`` (a field both ``Rating`` and
    ``RatingDay`` have, such as "department" or "service_point__hall", or an expression over them), narrowed by
    ``where`` (a filter on those fields). Several at once (a list) group by all of them, keyed by tuples: one pass
    gives every breakdown (``regroup``). ``only``, a filter on ``Rating`` alone, makes it read the ratings."""
    several = isinstance(by, list | tuple)
    keys = list(by) if several else [by]
    names = [f"group{i}" for i in range(len(keys))]
    annotations = {name: F(key) if isinstance(key, str) else key for name, key in zip(names, keys, strict=True)}
    satisfied = satisfied_levels()
    rectifiable = kind in RECTIFIED_KINDS
    result: dict[Any, Tally] = {}
    for qs, aggregates in _parts(start, end, kind, where or Q(), only):
        rows = qs.annotate(**annotations).values(*names, "level").annotate(**aggregates).order_by()
        for row in rows:
            group = tuple(row.pop(name) for name in names)
            key = group if several else group[0]
            result[key] = result.get(key, Tally()) + _tally(row.pop("level"), row, satisfied, rectifiable)
    return result


def total(
    start: datetime | None = None,
    end: datetime | None = None,
    *,
    kind: str = RatingKind.REPLY,
    where: Q | None = None,
    only: Q | None = None,
) -> Tally:
    """The counts of all the ratings of [start, end) together (``rollup`` without a grouping)."""
    return rollup([], start, end, kind=kind, where=where, only=only).get((), Tally())


def regroup(groups: dict[tuple[Any, ...], Tally], position: int) -> dict[Any, Tally]:
    """The tallies of a several-key ``rollup`` summed by the key at ``position``."""
    result: dict[Any, Tally] = {}
    for key, tally in groups.items():
        result[key[position]] = result.get(key[position], Tally()) + tally
    return result


def excluded_reasons(
    start: datetime | None = None,
    end: datetime | None = None,
    *,
    kind: str = RatingKind.REPLY,
    where: Q | None = None,
    only: Q | None = None,
    limit: int = 20,
) -> list[tuple[Any, str]]:
    """(case number, reason) of the excluded ratings of [start, end), newest first: the rates' footnote."""
    ratings = given(start, end, kind).filter((where or Q()) & (only or Q()), excluded=True)
    # Newest rating first: the date index, read backwards, stops after ``limit`` (ordering by when they were excluded
    # would read every rating of the period).
    rows = ratings.order_by("-created_at", "-id").values_list("case__number", "excluded_reason")
    return list(rows[:limit])
