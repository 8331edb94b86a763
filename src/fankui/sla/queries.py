"""Reads of the SLA app: the clock shown on lists and case pages, the supervision board, and the figures the
dashboard and the monthly report use (docs/sla.md describes them)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from fankui.accounts.models import Department, User
from fankui.cases.models import Case

from .models import Clock, Extension, InfoRequest, Stage, Supervision


# --- The clock on lists ---------------------------------------------------------------------------------------
def _headline(case_ref: Any) -> QuerySet[Clock]:
    """The running clock that ends first: the one a list shows."""
    return Clock.objects.filter(case=case_ref, stopped_at__isnull=True, deadline__isnull=False).order_by(
        "deadline", "id"
    )


def with_clock(cases: QuerySet[Case]) -> QuerySet[Case]:
    """Annotate each case with its first running deadline (``sla_deadline``, ``sla_yellow_at``, ``sla_stage``) and
    whether its clocks are paused (``sla_paused``), in the list's own query."""
    head = _headline(OuterRef("pk"))
    return cases.annotate(
        sla_deadline=Subquery(head.values("deadline")[:1]),
        sla_yellow_at=Subquery(head.values("yellow_at")[:1]),
        sla_stage=Subquery(head.values("stage")[:1]),
        sla_paused=Exists(Clock.objects.filter(case=OuterRef("pk"), stopped_at__isnull=True, paused_at__isnull=False)),
    )


def colour(deadline: dt.datetime | None, yellow_at: dt.datetime | None, now: dt.datetime | None = None) -> str:
    """green / yellow (the warning share is used) / red (breached); "" without a deadline."""
    if deadline is None:
        return ""
    now = now or timezone.now()
    if now > deadline:
        return "red"
    if yellow_at is not None and now >= yellow_at:
        return "yellow"
    return "green"


# --- The case page ----------------------------------------------------------------------------------------------
@dataclass
class ClockView:
    clock: Clock
    colour: str
    stage_label: str


@dataclass
class CasePanel:
    running: list[ClockView] = field(default_factory=list)
    finished: list[ClockView] = field(default_factory=list)
    info_request: InfoRequest | None = None
    pending_extension: Extension | None = None
    extensions: list[Extension] = field(default_factory=list)
    supervision: Supervision | None = None


def case_panel(case: Case) -> CasePanel:
    now = timezone.now()
    panel = CasePanel()
    for clock in Clock.objects.filter(case=case).order_by("started_at", "id"):
        view = ClockView(clock, colour(clock.deadline, clock.yellow_at, now), str(Stage(clock.stage).label))
        if clock.stopped_at is None:
            panel.running.append(view)
        else:
            view.colour = "red" if clock.deadline and clock.stopped_at > clock.deadline else "green"
            panel.finished.append(view)
    panel.info_request = InfoRequest.objects.filter(case=case, resumed_at__isnull=True).first()
    panel.extensions = list(Extension.objects.filter(case=case).select_related("requested_by", "decided_by"))
    panel.pending_extension = next((e for e in panel.extensions if e.status == Extension.Status.PENDING), None)
    panel.supervision = Supervision.objects.filter(case=case, active=True).first()
    return panel


@dataclass(frozen=True)
class PublicDeadline:
    deadline: dt.datetime | None
    paused: bool
    extended: bool


def public_deadline(case: Case) -> PublicDeadline | None:
    """What the citizen sees: when an answer is expected (reply or rectification), paused, extended."""
    clocks = {c.stage: c for c in Clock.objects.filter(case=case, stopped_at__isnull=True)}
    for stage in (Stage.RECTIFY, Stage.REPLY):
        if stage in clocks:
            clock = clocks[stage]
            return PublicDeadline(clock.deadline, clock.paused, clock.extended_days > 0)
    return None


# --- The supervision board --------------------------------------------------------------------------------------
@dataclass
class BoardRow:
    case: Case
    supervised: bool
    deadline: dt.datetime | None
    stage: str
    colour: str


@dataclass
class BoardGroup:
    department: str
    rows: list[BoardRow]


def board(cases: QuerySet[Case], limit: int = 500) -> list[BoardGroup]:
    """Flagged and overdue open cases among ``cases`` (the user's visible ones), by lead department."""
    now = timezone.now()
    overdue = Clock.objects.filter(case=OuterRef("pk"), stopped_at__isnull=True, deadline__lt=now)
    flagged = Supervision.objects.filter(case=OuterRef("pk"), active=True)
    rows = (
        with_clock(cases)
        .annotate(sla_flagged=Exists(flagged), sla_overdue=Exists(overdue))
        .filter(Q(sla_flagged=True) | Q(sla_overdue=True))
        .exclude(state__in=("rejected", "closed", "merged"))
        .select_related("submission", "lead_department")
        .order_by("lead_department__path", F("sla_deadline").asc(nulls_last=True), "id")[:limit]
    )
    groups: dict[str, BoardGroup] = {}
    for case in rows:
        name = case.lead_department.name if case.lead_department else ""
        group = groups.setdefault(name, BoardGroup(name, []))
        group.rows.append(
            BoardRow(
                case,
                case.sla_flagged,
                case.sla_deadline,  # type: ignore[attr-defined]
                case.sla_stage or "",  # type: ignore[attr-defined]
                colour(case.sla_deadline, case.sla_yellow_at, now),  # type: ignore[attr-defined]
            )
        )
    return list(groups.values())


def pending_extensions(user: User) -> QuerySet[Extension]:
    return Extension.objects.filter(status=Extension.Status.PENDING).select_related("case", "requested_by")


# --- Figures ----------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class StageRate:
    stage: str
    department_id: int | None
    department: str
    due: int
    on_time: int
    overdue: int
    rate: float | None


@dataclass(frozen=True)
class OverdueCount:
    department_id: int | None
    department: str
    overdue_open: int
    breached: int


def _scope(clocks: QuerySet[Clock], department: Department | None) -> QuerySet[Clock]:
    if department is None:
        return clocks
    return clocks.filter(department__path__startswith=department.path)


# Rejected (不予受理) and merged (并单) cases were never handled: their clocks stopped because the case ended, not
# because the work was done. They count in the accept stage (refusing or merging is a response, as in the response
# rate) and leave every later stage; a merged case's primary carries its own clocks.
NOT_HANDLED = ("rejected", "merged")
# Spam and abuse leave every figure, the accept stage too (docs/security.md, "Spam and abuse").
_HANDLED = (Q(stage=Stage.ACCEPT) | ~Q(case__state__in=NOT_HANDLED)) & ~Q(case__state="spam")


def _due_in(start: dt.datetime, end: dt.datetime, now: dt.datetime) -> QuerySet[Clock]:
    """The clocks of a period: deadline in [start, end) and already passed, whether the clock stopped or not.

    A deadline still to come is not counted even when its clock already stopped: in a period that is not over,
    counting the clocks that stopped early but not those still running would count only the successes."""
    return Clock.objects.filter(deadline__gte=start, deadline__lt=min(end, now)).filter(_HANDLED)


_ON_TIME = Q(stopped_at__isnull=False, stopped_at__lte=F("deadline"))


def _rate(stage: str, dept_id: int | None, name: str, due: int, on_time: int) -> StageRate:
    return StageRate(stage, dept_id, name, due, on_time, due - on_time, on_time / due if due else None)


def on_time_rates(
    start: dt.datetime, end: dt.datetime, department: Department | None = None, now: dt.datetime | None = None
) -> list[StageRate]:
    """One row per stage: 按时受理率 is the "accept" row, 按时办结率 the "close" row (docs/insights.md)."""
    now = now or timezone.now()
    counts = {
        row["stage"]: row
        for row in _scope(_due_in(start, end, now), department)
        .values("stage")
        .annotate(due=Count("id"), on_time=Count("id", filter=_ON_TIME))
    }
    name = department.name if department else ""
    dept_id = department.pk if department else None
    return [
        _rate(stage, dept_id, name, counts.get(stage, {}).get("due", 0), counts.get(stage, {}).get("on_time", 0))
        for stage in Stage.values
    ]


def on_time_rates_by_department(start: dt.datetime, end: dt.datetime, stage: str = Stage.CLOSE) -> list[StageRate]:
    now = timezone.now()
    rows = (
        _due_in(start, end, now)
        .filter(stage=stage)
        .values("department_id", "department__name")
        .annotate(due=Count("id"), on_time=Count("id", filter=_ON_TIME))
        .order_by("department__path")
    )
    return [_rate(stage, r["department_id"], r["department__name"] or "", r["due"], r["on_time"]) for r in rows]


def overdue_counts(start: dt.datetime, end: dt.datetime, department: Department | None = None) -> list[OverdueCount]:
    now = timezone.now()
    running_late = Q(stopped_at__isnull=True, deadline__lt=now)
    late = Q(stopped_at__gt=F("deadline")) | running_late
    open_rows = {
        r["department_id"]: r
        for r in _scope(Clock.objects.filter(running_late), department)
        .values("department_id", "department__name")
        .annotate(n=Count("case_id", distinct=True))
    }
    breached_rows = {
        r["department_id"]: r
        for r in _scope(Clock.objects.filter(deadline__gte=start, deadline__lt=end).filter(late, _HANDLED), department)
        .values("department_id", "department__name")
        .annotate(n=Count("id"))
    }
    result = []
    for dept_id in sorted(set(open_rows) | set(breached_rows), key=lambda k: (k is None, k or 0)):
        row = open_rows.get(dept_id) or breached_rows[dept_id]
        result.append(
            OverdueCount(
                dept_id,
                row["department__name"] or "",
                open_rows.get(dept_id, {}).get("n", 0),
                breached_rows.get(dept_id, {}).get("n", 0),
            )
        )
    return result
