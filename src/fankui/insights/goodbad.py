"""The 好差评 figures of the dashboard and the report: 满意率, 好评率, 差评率, 整改率 and 回访率 for the scope and
period, per lead department, per first-level category and per month, all through ``surveys.rates.rollup`` (one GROUP BY
each), and the ratings an upheld appeal took out of the rates, with their reasons (docs/surveys.md)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.db.models import QuerySet
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from fankui.accounts.models import Department
from fankui.cases.models import Category
from fankui.surveys import rates
from fankui.surveys.models import Rating

from .periods import Period

MONTHS = 12


@dataclass
class GoodBad:
    now: rates.Tally
    before: rates.Tally
    by_department: list[tuple[str, rates.Tally]] = field(default_factory=list)
    by_category: list[tuple[str, rates.Tally]] = field(default_factory=list)
    by_month: list[tuple[str, rates.Tally]] = field(default_factory=list)
    excluded_reasons: list[tuple[str, str]] = field(default_factory=list)


def _given(scope: Any, start: Any, end: Any) -> QuerySet[Rating]:
    return scope.related(rates.given(start, end))


def _named(groups: dict[Any, rates.Tally], names: dict[Any, str], none: str) -> list[tuple[str, rates.Tally]]:
    rows = [(names.get(key, none if key is None else str(key)), tally) for key, tally in groups.items()]
    return sorted(rows, key=lambda row: (-row[1].valid, row[0]))


def figures(scope: Any, period: Period) -> GoodBad:
    """The figures of ``scope`` (``queries.Scope``) in ``period``, and the previous period's totals."""
    given = _given(scope, period.start, period.end)
    by_department = rates.rollup(given, "case__lead_department")
    before = rates.total(_given(scope, period.previous().start, period.previous().end))
    by_category = rates.rollup(given, Coalesce("case__category__parent", "case__category"))
    # The twelve months up to the period's end, for the trend (a week's report shows the months around it).
    since = timezone.localtime(period.end - timedelta(days=1)).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    for _month in range(MONTHS - 1):
        since = (since - timedelta(days=1)).replace(day=1)
    by_month = rates.rollup(_given(scope, since, period.end), TruncMonth("created_at"))
    departments = dict(Department.objects.filter(pk__in=[k for k in by_department if k]).values_list("pk", "name"))
    categories = dict(Category.objects.filter(pk__in=[k for k in by_category if k]).values_list("pk", "name"))
    return GoodBad(
        now=sum(by_department.values(), rates.Tally()),
        before=before,
        by_department=_named(by_department, departments, _("Not dispatched")),
        by_category=_named(by_category, categories, _("No category")),
        by_month=sorted(
            ((timezone.localtime(month).strftime("%Y-%m") if month else "", t) for month, t in by_month.items()),
        ),
        excluded_reasons=[(str(number), reason) for number, reason in rates.excluded_reasons(given)],
    )
