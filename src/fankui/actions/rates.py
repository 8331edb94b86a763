"""The headline rates, each defined once: 响应率, 解决率, 满意率 and 按时办结率, and the count of cases received.

The public board, the staff dashboard, the analysis report (PDF, xlsx, HTML, ``fankui report``) and the figures API
all take their rates from here, so for the same period and moment they show the same number. docs/insights.md
("Definitions") says in words what each function counts; keep the two in step.

Why in ``actions``: the satisfaction indicator of an improvement action shows a rate, and the public board (the
portal) and insights (dashboard, report, API) sit above it. A definition must sit where everything that shows it can
import it without an import pointing upward, and ``actions`` is the lowest app that both shows a rate and may read
every table one needs (cases and their events, ratings, SLA clocks: surveys and sla are layers below it).

Every function takes a period ``[start, end)``. A period that is not over is "the period so far": cases, events
and ratings cannot lie in the future, but deadlines can, and the on-time rate counts only those that have passed
by ``now`` (default: the current time). ``cases`` narrows
the figures to some cases (a department's, or what a user may see); None is the whole organisation, where the
queries need no filter on their case at all. Each answer is a ``Figure``: numerator and denominator, so the
number can always be checked, and a percentage that is None when there is nothing to count.

Cases marked as spam or abuse (state ``spam``, while the mark stands) are in no case figure, neither numerator nor
denominator, and not in the count of cases received; ``excluded`` counts them so that every page that shows the
figures says how many were left out ("另有 N 件标记为垃圾信息或恶意诉求，未计入"). A rating given before the mark (the
case was replied, rated, reopened, then marked) is not a case figure but a rating: 满意率 counts it, as the five 好差评
rates do, until an appeal takes it out visibly (``ratings``;
docs/decisions/0026-window-rectifications-and-spam-ratings.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Case as DbCase
from django.db.models import (
    Count,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)

from fankui.accounts.models import Department
from fankui.audit.models import Event
from fankui.cases.models import Case
from fankui.cases.workflow import State
from fankui.surveys import rates as survey_rates
from fankui.surveys.models import Level, Rating, RatingKind

# What answers a new case (响应): it was taken on (受理), refused (不予受理), found a duplicate (并单) or answered
# during the call (直接答复办结).
RESPONSE_ACTIONS = ("accept", "reject", "merge", "answer_at_once")


def satisfied() -> Q:
    """The ratings 满意率 counts as satisfied: ``FANKUI_SATISFIED_LEVELS`` (非常满意, 满意, 基本满意 by default;
    ``surveys.rates``, the one rule)."""
    return Q(level__in=survey_rates.satisfied_levels())


@dataclass(frozen=True)
class Figure:
    numerator: int
    denominator: int

    @property
    def percent(self) -> float | None:
        """One decimal; None (shown "—") when the denominator is 0, never 0% or 100%."""
        return round(100.0 * self.numerator / self.denominator, 1) if self.denominator else None

    def __add__(self, other: Figure) -> Figure:
        return Figure(self.numerator + other.numerator, self.denominator + other.denominator)


NOTHING = Figure(0, 0)


def _cases(cases: QuerySet[Case] | None) -> QuerySet[Case]:
    return (Case.objects.all() if cases is None else cases).exclude(state=State.SPAM)


# --- Left out -----------------------------------------------------------------------------------------------------
def excluded(cases: QuerySet[Case] | None, start: datetime, end: datetime) -> int:
    """Cases received in the period that are marked as spam or abuse now: left out of every figure here."""
    scope = Case.objects.all() if cases is None else cases
    return scope.filter(state=State.SPAM, created_at__gte=start, created_at__lt=end).count()


# --- Cases received ---------------------------------------------------------------------------------------------
def received(cases: QuerySet[Case] | None, start: datetime, end: datetime) -> QuerySet[Case]:
    """Cases whose receipt time falls in the period, in any state now (rejected and merged ones too) but spam."""
    return _cases(cases).filter(created_at__gte=start, created_at__lt=end)


# --- Answered at first contact (直接答复办结) -------------------------------------------------------------------
def first_contact(cases: QuerySet[Case] | None, start: datetime, end: datetime) -> Figure:
    """Cases received in the period that the centre answered during the call and closed at once (the move
    ``answer_at_once``, before the period ended), of the cases received in the period."""
    answered = Event.objects.filter(case=OuterRef("pk"), action="answer_at_once", created_at__lt=end)
    counts = received(cases, start, end).aggregate(total=Count("pk"), answered=Count("pk", filter=Exists(answered)))
    return Figure(counts["answered"], counts["total"])


# --- 响应率 -------------------------------------------------------------------------------------------------------
def response(cases: QuerySet[Case] | None, start: datetime, end: datetime) -> Figure:
    """Cases received in the period that were accepted, rejected or merged before the period ended,
    of the cases received in the period. Read from the case events, so a late answer changes nothing in hindsight."""
    answered = Event.objects.filter(case=OuterRef("pk"), action__in=RESPONSE_ACTIONS, created_at__lt=end)
    counts = received(cases, start, end).aggregate(total=Count("pk"), answered=Count("pk", filter=Exists(answered)))
    return Figure(counts["answered"], counts["total"])


# --- 解决率 -------------------------------------------------------------------------------------------------------
def resolution_by_department(cases: QuerySet[Case] | None, start: datetime, end: datetime) -> dict[int | None, Figure]:
    """Per lead department (None: not dispatched): cases closed in the period and still closed now (denominator), of
    which resolved: the latest rating is 基本满意 or better, or there is no rating at all (closed when the rating
    window passed, or by a supervisor). A case reopened after closing leaves the count until it is closed again;
    rejected and merged cases are never closed, so never counted.

    Filtered on ``closed_at`` only and grouped by state, the closed group picked here: a WHERE on state makes SQLite
    walk the (state, created_at) index over every closed case ever instead of scanning the period's."""
    last_level = (
        Rating.objects.filter(case=OuterRef("pk"), kind=RatingKind.REPLY)
        .order_by("-created_at", "-id")
        .values("level")[:1]
    )
    one, zero = Value(1), Value(0)
    rows = (
        _cases(cases)
        .filter(closed_at__gte=start, closed_at__lt=end)
        .annotate(last_level=Subquery(last_level))
        .annotate(
            g_unresolved=DbCase(
                When(last_level__lt=Level.FAIRLY_SATISFIED, then=one), default=zero, output_field=IntegerField()
            ),
            # Grouping on expressions, not bare columns: otherwise SQLite walks the whole table in the order of the
            # (lead_department, state) or (state, created_at) index to save a sort, instead of scanning the period.
            g_department=ExpressionWrapper(F("lead_department") + 0, output_field=IntegerField()),
            g_closed=DbCase(When(state=State.CLOSED, then=one), default=zero, output_field=IntegerField()),
        )
        .values_list("g_department", "g_closed", "g_unresolved")
        .annotate(n=Count("pk"))
        .order_by()
    )
    figures: dict[int | None, Figure] = {}
    for department, closed, unresolved, n in rows:
        if closed:
            figures[department] = figures.get(department, NOTHING) + Figure(0 if unresolved else n, n)
    return figures


def resolution(cases: QuerySet[Case] | None, start: datetime, end: datetime) -> Figure:
    """解决率 of the whole scope: see ``resolution_by_department``."""
    return sum(resolution_by_department(cases, start, end).values(), NOTHING)


# --- 满意率 -------------------------------------------------------------------------------------------------------
def ratings(cases: QuerySet[Case] | None, start: datetime, end: datetime) -> QuerySet[Rating]:
    """Ratings of replies given in the period that the rates count (``surveys.rates.valid``, the one rule of the
    five 好差评 rates too): whatever happened to their case since, a case later marked as spam or abuse included,
    until an upheld appeal takes the rating out (counted apart and shown). The ratings of service windows and staff
    (一次一评, kind "window", no case) are not case figures: ``valid`` leaves them out; they have rates of their own
    per window, person and hall, so the organisation's 满意率 and its departments' add up the same."""
    valid = survey_rates.valid(start, end)
    return valid if cases is None else valid.filter(case__in=cases.values("pk"))


def satisfaction_by_department(
    cases: QuerySet[Case] | None, start: datetime, end: datetime
) -> dict[int | None, Figure]:
    """Per lead department of the rated case: satisfied ratings (基本满意 or better) of all ratings given in the
    period. Every rating counts once, so a case rated again after a reopen counts twice."""
    rows = (
        ratings(cases, start, end)
        .values_list("case__lead_department")
        .annotate(total=Count("pk"), good=Count("pk", filter=satisfied()))
        .order_by()
    )
    return {department: Figure(good, total) for department, total, good in rows}


def satisfaction(cases: QuerySet[Case] | None, start: datetime, end: datetime) -> Figure:
    """满意率: satisfied ratings given in the period of all ratings given in the period."""
    counts = ratings(cases, start, end).aggregate(total=Count("pk"), good=Count("pk", filter=satisfied()))
    return Figure(counts["good"], counts["total"])


def department_satisfaction(department: Department, start: datetime, end: datetime) -> Figure:
    """满意率 of the cases a department (with its subtree) leads."""
    return satisfaction(Case.objects.filter(lead_department__path__startswith=department.path), start, end)


# --- 按时办结率 -----------------------------------------------------------------------------------------------------
def on_time(
    start: datetime, end: datetime, department: Department | None = None, now: datetime | None = None
) -> Figure:
    """按时办结率: the "close" stage of the SLA clocks (``fankui.sla.queries.on_time_rates``, the one rule for every
    stage): clocks whose deadline fell in the period and has passed, of which stopped at or before it. Still open
    past the deadline: late. Rejected and merged cases: not counted (never handled); spam: not at all.
    ``department``: the cases it (with its subtree) leads;
    SLA figures are kept per lead department, not per visible case."""
    from fankui.sla.models import Stage
    from fankui.sla.queries import on_time_rates

    row = next(r for r in on_time_rates(start, end, department, now=now) if r.stage == Stage.CLOSE)
    return Figure(row.on_time, row.due)
