"""Figures owned by other apps: SLA deadlines and supervision (fankui.sla.queries, docs/sla.md) and improvement
actions (fankui.actions). Each returns a Section; when the figures do not exist for this scope (deadlines are kept
per department) the section says plainly "not available", never a made-up number."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from fankui.accounts.models import Department
from fankui.actions.indicators import result_due
from fankui.actions.models import Action, State
from fankui.sla import queries as sla
from fankui.sla.models import Stage, Supervision

from .tables import Section, Table

if TYPE_CHECKING:
    from .periods import Period
    from .queries import Scope


def _unavailable(key: str, title: str, why: str) -> Section:
    return Section(key, title, note=_("Not available: %(why)s") % {"why": why}, available=False)


def sla_department(scope: Scope) -> tuple[bool, Department | None]:
    """SLA figures are by lead department (with its subtree): the whole organisation, or the scope's department."""
    if not scope.restricted:
        return True, None
    return scope.department is not None, scope.department


def _percent(rate: float | None) -> float | None:
    return None if rate is None else round(100 * rate, 1)


def on_time(scope: Scope, period: Period) -> Section:
    title = _("On-time rates")
    ok, department = sla_department(scope)
    if not ok:
        return _unavailable("on_time", title, _("deadline figures are kept per department; choose one."))
    before = period.previous()
    now = sla.on_time_rates(period.start, period.end, department)
    previous = {r.stage: r for r in sla.on_time_rates(before.start, before.end, department)}
    labels = dict(Stage.choices)
    stages = Table(
        _("On-time rate by stage"),
        [_("Stage"), _("Due"), _("On time"), _("Overdue"), _("On-time rate (%)"), _("Previous period (%)")],
        [
            [
                str(labels.get(r.stage, r.stage)),
                r.due,
                r.on_time,
                r.overdue,
                _percent(r.rate),
                _percent(previous[r.stage].rate) if r.stage in previous else None,
            ]
            for r in now
        ],
        percent_columns=(4, 5),
    )
    tables = [stages]
    by_department = sla.on_time_rates_by_department(period.start, period.end, Stage.CLOSE)
    if department is not None:
        inside = set(Department.objects.filter(path__startswith=department.path).values_list("pk", flat=True))
        by_department = [r for r in by_department if r.department_id in inside]
    tables.append(
        Table(
            _("On-time closing rate by department"),
            [_("Department"), _("Due"), _("On time"), _("Overdue"), _("On-time rate (%)")],
            [
                [r.department or _("Not dispatched"), r.due, r.on_time, r.overdue, _percent(r.rate)]
                for r in sorted(by_department, key=lambda r: (-r.overdue, r.department))
            ],
            percent_columns=(4,),
        )
    )
    return Section("on_time", title, tables)


def overdue(scope: Scope, period: Period) -> Section:
    title = _("Overdue and supervised cases")
    ok, department = sla_department(scope)
    if not ok:
        return _unavailable("overdue", title, _("deadline figures are kept per department; choose one."))
    counts = sla.overdue_counts(period.start, period.end, department)
    overdue_table = Table(
        _("Overdue by department"),
        [_("Department"), _("Overdue and still open now"), _("Late in the period")],
        [
            [c.department or _("Not dispatched"), c.overdue_open, c.breached]
            for c in sorted(counts, key=lambda c: (-c.breached, -c.overdue_open, c.department))
        ],
        chart=None,
    )
    supervisions = scope.related(Supervision.objects.all())
    flagged = supervisions.aggregate(
        flagged=Count("pk", filter=Q(flagged_at__gte=period.start, flagged_at__lt=period.end)),
        active=Count("pk", filter=Q(active=True)),
    )
    supervised = Table(
        _("Supervision (督办)"),
        [_("Figure"), _("Count")],
        [
            [_("Cases put under supervision in the period"), flagged["flagged"]],
            [_("Cases under supervision now"), flagged["active"]],
            [_("Overdue and still open now"), sum(c.overdue_open for c in counts)],
            [_("Late in the period"), sum(c.breached for c in counts)],
        ],
    )
    return Section("overdue", title, [supervised, overdue_table])


def _effect(action: Action) -> str:
    """The recorded verification; before it, when the effect will be known (no query: the dates are on the row)."""
    result = action.indicator_result or {}
    if action.indicator == "none":
        return _("no indicator")
    if not result.get("indicator"):
        due = result_due(action)
        if due is not None and timezone.now() < due:
            return _("pending until %(date)s") % {"date": timezone.localtime(due).strftime("%Y-%m-%d")}
        return _("not yet measured")
    before, after, met = result.get("before"), result.get("after"), result.get("met")
    figures = f"{before if before is not None else '—'} → {after if after is not None else '—'}"
    verdict = {True: _("target met"), False: _("target not met"), None: _("not yet measured")}[met]
    return f"{figures} ({verdict})"


def actions(scope: Scope, period: Period) -> Section:
    title = _("Improvement actions")
    items = Action.objects.all()
    if scope.restricted:
        if scope.department is not None:
            items = items.filter(department__path__startswith=scope.department.path)
        else:
            items = items.filter(links__case__in=scope.cases.values("pk")).distinct()
    first, last = period.first, period.last
    done_in_period = Q(done_at__gte=period.start, done_at__lt=period.end)
    today = timezone.localdate()
    counts = items.aggregate(
        due=Count("pk", filter=Q(deadline__gte=first, deadline__lte=last) & ~Q(state=State.ABANDONED)),
        due_done=Count(
            "pk",
            filter=Q(deadline__gte=first, deadline__lte=last, done_at__isnull=False) & Q(done_at__lt=period.end),
        ),
        done=Count("pk", filter=done_in_period),
        verified=Count("pk", filter=Q(verified_at__gte=period.start, verified_at__lt=period.end)),
        met=Count(
            "pk", filter=Q(verified_at__gte=period.start, verified_at__lt=period.end, indicator_result__met=True)
        ),
        running=Count("pk", filter=Q(state__in=State.running())),
        late=Count("pk", filter=Q(state__in=State.running(), deadline__lt=today)),
        linked=Sum("linked_count", filter=done_in_period),
        people=Sum("people_count", filter=done_in_period),
    )
    summary = Table(
        _("Actions in the period"),
        [_("Figure"), _("Count")],
        [
            [_("Due in the period"), counts["due"]],
            [_("Of those, done by the end of the period"), counts["due_done"]],
            [_("Done in the period"), counts["done"]],
            [_("Cases linked to the actions done"), counts["linked"] or 0],
            [_("People who raised them"), counts["people"] or 0],
            [_("Verified in the period"), counts["verified"]],
            [_("Verified with the target met"), counts["met"]],
            [_("Running now"), counts["running"]],
            [_("Running past their deadline now"), counts["late"]],
        ],
    )
    states = dict(State.choices)
    listed = (
        items.filter(
            Q(deadline__gte=first, deadline__lte=last)
            | done_in_period
            | Q(verified_at__gte=period.start, verified_at__lt=period.end)
        )
        .select_related("department")
        .order_by("deadline", "id")[:30]
    )
    rows = Table(
        _("Actions due, done or verified in the period"),
        [_("Action"), _("Department"), _("Deadline"), _("State"), _("Linked cases"), _("Effect")],
        [
            [
                a.title,
                a.department.name if a.department else "—",
                a.deadline.isoformat(),
                str(states.get(a.state, a.state)),
                a.linked_count,
                _effect(a),
            ]
            for a in listed
        ],
    )
    return Section("actions", title, [summary, rows])


__all__ = ["actions", "on_time", "overdue"]
