"""The 好差评 rates, one rollup for the dashboard, the monthly report and the benchmark (docs/surveys.md).

``rollup(ratings, by)`` counts, in one GROUP BY over the ratings given, everything the five rates need:

- 满意率: satisfied ratings (levels ``FANKUI_SATISFIED_LEVELS``, default 非常满意 + 满意 + 基本满意) / valid ratings;
- 好评率: 非常满意 + 满意 / valid ratings;
- 差评率: 不满意 + 非常不满意 / valid ratings;
- 整改率: bad ratings whose rectification is done (checked and reported) / bad ratings;
- 回访率: real-name bad ratings followed up (a call reached the person) / real-name bad ratings.

"Valid" is every rating of a reply not taken out by an upheld appeal; the excluded ones are counted apart
(``excluded``) so every page says how many left the rates. ``by`` is a field path or an expression the caller
chooses ("case__lead_department", a period's ``TruncMonth("created_at")``; for the ratings of windows and staff,
``given(kind=RatingKind.WINDOW)``, "service_point", "staff" or "service_point__hall"): adding a dimension is one
argument.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db.models import Count, F, Q, QuerySet

from fankui.core.vocab import Level

from .models import Rating, RatingKind

GOOD_LEVELS = (Level.VERY_SATISFIED, Level.SATISFIED)
BAD_LEVELS = (Level.UNSATISFIED, Level.VERY_UNSATISFIED)


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
        return Share(self.rectified, self.bad)

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
    never count; group them by "service_point", "staff" or "service_point__hall"."""
    qs = Rating.objects.filter(kind=kind)
    if start is not None:
        qs = qs.filter(created_at__gte=start)
    if end is not None:
        qs = qs.filter(created_at__lt=end)
    return qs


def _counts() -> dict[str, Count]:
    valid = Q(excluded=False)
    bad = valid & Q(level__in=BAD_LEVELS)
    real_bad = bad & Q(real_name=True)
    return {
        "valid": Count("pk", filter=valid),
        "satisfied": Count("pk", filter=valid & Q(level__in=satisfied_levels())),
        "good": Count("pk", filter=valid & Q(level__in=GOOD_LEVELS)),
        "bad": Count("pk", filter=bad),
        "rectified": Count("pk", filter=bad & Q(rectified_at__isnull=False)),
        "real_name_bad": Count("pk", filter=real_bad),
        "followed_up": Count("pk", filter=real_bad & Q(followed_up_at__isnull=False)),
        "excluded": Count("pk", filter=Q(excluded=True)),
    }


def total(ratings: QuerySet[Rating]) -> Tally:
    """The counts of all ``ratings`` together."""
    return Tally(**ratings.aggregate(**_counts()))


def rollup(ratings: QuerySet[Rating], by: str | Any | Sequence[str | Any]) -> dict[Any, Tally]:
    """The counts of ``ratings`` per value of ``by`` (a field path such as "case__lead_department", or an
    expression such as ``Coalesce("case__category__parent", "case__category")``), in one query. Several at once
    (a list) group by all of them, keyed by tuples: one pass gives every breakdown (``regroup``)."""
    several = isinstance(by, list | tuple)
    keys = list(by) if several else [by]
    names = [f"group{i}" for i in range(len(keys))]
    annotations = {name: F(key) if isinstance(key, str) else key for name, key in zip(names, keys, strict=True)}
    rows = ratings.annotate(**annotations).values(*names).annotate(**_counts()).order_by()
    result: dict[Any, Tally] = {}
    for row in rows:
        group = tuple(row.pop(name) for name in names)
        result[group if several else group[0]] = Tally(**row)
    return result


def regroup(groups: dict[tuple[Any, ...], Tally], position: int) -> dict[Any, Tally]:
    """The tallies of a several-key ``rollup`` summed by the key at ``position``."""
    result: dict[Any, Tally] = {}
    for key, tally in groups.items():
        result[key[position]] = result.get(key[position], Tally()) + tally
    return result


def excluded_reasons(ratings: QuerySet[Rating], limit: int = 20) -> list[tuple[Any, str]]:
    """(case number, reason) of the excluded ratings among ``ratings``, newest first: the rates' footnote."""
    # Newest rating first: the date index, read backwards, stops after ``limit`` (ordering by when they were excluded
    # would read every rating of the period).
    rows = ratings.filter(excluded=True).order_by("-created_at", "-id").values_list("case__number", "excluded_reason")
    return list(rows[:limit])
