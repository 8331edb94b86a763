"""The five rates of 一次一评 per hall, service window and member of staff for a period: the page
``/staff/dashboard/windows/``. Scoped by ``surveys.windows`` (the windows and staff of the user's departments; all
for organisation-wide roles), counted by ``surveys.rates.rollup`` like every other breakdown of the rates."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q

from fankui.accounts.models import Department, User
from fankui.surveys import rates, windows
from fankui.surveys.models import RatingKind, ServiceHall, ServicePoint, StaffBadge

from .periods import Period


@dataclass
class WindowFigures:
    total: rates.Tally
    halls: list[tuple[ServiceHall, rates.Tally]] = field(default_factory=list)
    points: list[tuple[ServicePoint, rates.Tally]] = field(default_factory=list)
    staff: list[tuple[StaffBadge, rates.Tally]] = field(default_factory=list)


def figures(user: User, period: Period, department: Department | None = None) -> WindowFigures:
    """The rates of the windows and staff ``user`` may see (narrowed to ``department``'s subtree) in ``period``:
    every active one, and an inactive one that was rated in the period."""
    points = windows.visible_points(user)
    badges = windows.visible_staff(user)
    if department is not None:
        points = points.filter(department__path__startswith=department.path)
        badges = badges.filter(department__path__startswith=department.path)
    where = Q(service_point__in=points.values("pk")) | Q(staff__in=badges.values("pk"))
    groups = rates.rollup(
        ["service_point__hall", "service_point", "staff"],
        period.start,
        period.end,
        kind=RatingKind.WINDOW,
        where=where,
    )
    by_hall, by_point, by_staff = (rates.regroup(groups, position) for position in range(3))
    shown_points = [(p, by_point.get(p.pk, rates.Tally())) for p in points if p.active or p.pk in by_point]
    shown_staff = [(b, by_staff.get(b.pk, rates.Tally())) for b in badges if b.active or b.pk in by_staff]
    hall_ids = {p.hall_id for p, _tally in shown_points} | {pk for pk in by_hall if pk is not None}
    halls = [(hall, by_hall.get(hall.pk, rates.Tally())) for hall in ServiceHall.objects.filter(pk__in=hall_ids)]
    return WindowFigures(sum(groups.values(), rates.Tally()), halls, shown_points, shown_staff)
