"""The 好差评 figures of the dashboard and the report: 满意率, 好评率, 差评率, 整改率 and 回访率 for the scope and
period, per department and first-level category (those a rating counts for: the case's when it was rated) and per
month, all through ``surveys.rates.rollup`` (the daily counts of whole days), and the ratings an upheld appeal took
out of the rates, with their reasons (docs/surveys.md)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from fankui.accounts.models import Department
from fankui.cases.models import Category
from fankui.surveys import rates
from fankui.surveys.models import RatingKind, ServicePoint, StaffBadge

from .periods import Period, month_of

MONTHS = 12


@dataclass
class GoodBad:
    now: rates.Tally
    before: rates.Tally
    by_department: list[tuple[str, rates.Tally]] = field(default_factory=list)
    by_category: list[tuple[str, rates.Tally]] = field(default_factory=list)
    by_month: list[tuple[str, rates.Tally]] = field(default_factory=list)
    # 一次一评: the ratings of service windows and of members of staff, apart from the replies' (their own rates).
    by_window: list[tuple[str, rates.Tally]] = field(default_factory=list)
    by_staff: list[tuple[str, rates.Tally]] = field(default_factory=list)
    excluded_reasons: list[tuple[str, str]] = field(default_factory=list)


def among(scope: Any) -> dict[str, Any]:
    """The ratings of ``scope`` (``queries.Scope``) as ``rates.rollup``'s arguments: all of them, those counting for
    the scope's departments (read from the daily counts), or those of the cases it may see (read from the ratings:
    a user without a department)."""
    if not scope.restricted:
        return {}
    if scope.departments is not None:
        return {"where": Q(department__in=scope.departments.values("pk"))}
    return {"only": Q(case__in=scope.cases.values("pk"))}


def _named(groups: dict[Any, rates.Tally], names: dict[Any, str], none: str) -> list[tuple[str, rates.Tally]]:
    rows = [(names.get(key, none if key is None else str(key)), tally) for key, tally in groups.items()]
    return sorted(rows, key=lambda row: (-row[1].valid, row[0]))


def _months(period: Period) -> list[tuple[str, Any, Any]]:
    """(label, start, end) of the twelve local months up to the period's end (a week's: the months around it)."""
    end_month = timezone.localtime(period.end - timedelta(seconds=1)).date().replace(day=1)
    months = []
    first = end_month
    for _n in range(MONTHS):
        months.append(first)
        first = (first - timedelta(days=1)).replace(day=1)
    return [(m.strftime("%Y-%m"), month_of(m).start, month_of(m).end) for m in reversed(months)]


def figures(scope: Any, period: Period) -> GoodBad:
    """The figures of ``scope`` (``queries.Scope``) in ``period``, and the previous period's totals."""
    scoped = among(scope)
    # One pass gives the departments, the categories and the total (docs/surveys.md, bench/README.md).
    groups = rates.rollup(["department", "category"], period.start, period.end, **scoped)
    by_department = rates.regroup(groups, 0)
    by_category = rates.regroup(groups, 1)
    now = sum(groups.values(), rates.Tally())
    before = rates.total(period.previous().start, period.previous().end, **scoped)
    # The trend: a month's total each, from the days' counts.
    by_month = []
    for label, start, end in _months(period):
        same = start == period.start and end == period.end
        by_month.append((label, now if same else rates.total(start, end, **scoped)))
    by_window, by_staff = _windows(scoped, period)
    departments = dict(Department.objects.filter(pk__in=[k for k in by_department if k]).values_list("pk", "name"))
    categories = dict(Category.objects.filter(pk__in=[k for k in by_category if k]).values_list("pk", "name"))
    return GoodBad(
        now=now,
        before=before,
        by_department=_named(by_department, departments, _("Not dispatched")),
        by_category=_named(by_category, categories, _("No category")),
        by_month=by_month,
        by_window=by_window,
        by_staff=by_staff,
        excluded_reasons=[
            (str(number), reason) for number, reason in rates.excluded_reasons(period.start, period.end, **scoped)
        ],
    )


Named = list[tuple[str, rates.Tally]]


def _windows(scoped: dict[str, Any], period: Period) -> tuple[Named, Named]:
    """The 一次一评 ratings of ``period`` per service window and per member of staff, for the scope's departments
    (a window's rating counts for the window's department). None for a scope of cases only: a window's rating has
    no case."""
    if "only" in scoped:
        return [], []
    groups = rates.rollup(["service_point", "staff"], period.start, period.end, kind=RatingKind.WINDOW, **scoped)
    by_point, by_badge = rates.regroup(groups, 0), rates.regroup(groups, 1)
    shown = ServicePoint.objects.select_related("hall").filter(pk__in=[k for k in by_point if k])
    points = {p.pk: f"{p.hall.name} {p}" for p in shown}
    badges = {b.pk: str(b) for b in StaffBadge.objects.filter(pk__in=[k for k in by_badge if k])}
    return (
        _named({k: t for k, t in by_point.items() if k is not None}, points, ""),
        _named({k: t for k, t in by_badge.items() if k is not None}, badges, ""),
    )
