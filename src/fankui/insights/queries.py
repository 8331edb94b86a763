"""Every figure of the dashboard and the analysis report, computed with aggregate SQL.

No query here loops over cases in Python: each figure is a COUNT/GROUP BY over the period's rows, so the cost grows
with the number of groups (channels, departments, days, topics), not with the number of cases. docs/insights.md
defines every number; keep the two in step.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from django.db.models import Case as DbCase
from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, QuerySet, Value, When, Window
from django.db.models.functions import Coalesce, RowNumber
from django.utils import timezone
from django.utils.translation import gettext as _

from fankui.accounts import permissions
from fankui.accounts.models import Department, User
from fankui.actions import rates
from fankui.analysis.models import CaseAnalysis
from fankui.cases.models import Case, Category, Reply
from fankui.cases.queries import visible_cases
from fankui.cases.workflow import State
from fankui.core.errors import PermissionDenied
from fankui.core.replica import replica_reads
from fankui.core.vocab import Channel, Kind
from fankui.surveys.models import Level, Rating
from fankui.topics.models import Topic

from . import integrations
from .goodbad import GoodBad
from .goodbad import figures as goodbad_figures
from .periods import Period

TOP_TOPICS = 10
EXAMPLES_PER_TOPIC = 2
EXAMPLE_CHARS = 160
BAD_RATING_ROWS = 50


# --- Scope ------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Scope:
    """The cases a report covers. ``restricted`` is False for the whole organisation, where related tables
    (ratings, analyses) need no filter on their case at all."""

    cases: QuerySet[Case]
    label: str
    restricted: bool
    department: Department | None = None
    # A department's scope as departments (its own, a head's or the organisation's chosen subtree): the 好差评 rates
    # read their daily counts by the department a rating counts for (``goodbad``); None: the cases alone say.
    departments: QuerySet[Department] | None = None
    # Grouped counts shared by several figures of one report (see _received_groups, _closed_groups).
    cache: dict[tuple[str, str], Any] = field(default_factory=dict, compare=False, repr=False)

    def related(self, qs: QuerySet[Any], case_field: str = "case") -> QuerySet[Any]:
        if not self.restricted:
            return qs
        return qs.filter(**{f"{case_field}__in": self.cases.values("pk")})


def whole_organisation() -> Scope:
    return Scope(Case.objects.all(), _("Whole organisation"), restricted=False)


def departments_for(user: User) -> QuerySet[Department]:
    """The departments ``user`` may narrow the dashboard to."""
    departments = Department.objects.filter(permissions.visible_departments(user))
    return departments.filter(active=True) if permissions.is_organisation_wide(user) else departments


def scope_for(user: User, department: Department | None = None) -> Scope:
    """What ``user`` may see (cases.queries.visible_cases), optionally narrowed to one department's subtree
    (cases it leads)."""
    cases = visible_cases(user)
    wide = permissions.is_organisation_wide(user)
    if department is None:
        if wide:
            return Scope(cases, _("Whole organisation"), restricted=False)
        if user.department is None:
            return Scope(cases, _("Your cases"), restricted=True)
        # A department's figures are those of the cases it leads, as its on-time rate and its row elsewhere: the
        # cases it only assists are visible to it but not its to answer for.
        department = user.department
    elif not departments_for(user).filter(pk=department.pk).exists():
        raise PermissionDenied(_("That department is outside what you may see."))
    narrowed = cases.filter(lead_department__path__startswith=department.path)
    departments = Department.objects.filter(permissions.visible_departments(user), path__startswith=department.path)
    return Scope(narrowed, department.name, restricted=True, department=department, departments=departments)


# --- Figures ----------------------------------------------------------------------------------------------------
@dataclass
class Row:
    """One group of a breakdown: its name, this period's figure and the previous period's."""

    key: Any
    label: str
    count: int
    previous: int = 0

    @property
    def change(self) -> int:
        return self.count - self.previous


@dataclass
class Rate:
    key: str
    label: str
    numerator: int
    denominator: int
    previous_numerator: int = 0
    previous_denominator: int = 0
    available: bool = True

    @staticmethod
    def percent(numerator: int, denominator: int) -> float | None:
        return rates.Figure(numerator, denominator).percent

    @classmethod
    def of(cls, key: str, label: str, now: rates.Figure, before: rates.Figure) -> Rate:
        return cls(key, label, now.numerator, now.denominator, before.numerator, before.denominator)

    @property
    def value(self) -> float | None:
        return self.percent(self.numerator, self.denominator) if self.available else None

    @property
    def previous_value(self) -> float | None:
        return self.percent(self.previous_numerator, self.previous_denominator) if self.available else None

    @property
    def change(self) -> float | None:
        if self.value is None or self.previous_value is None:
            return None
        return round(self.value - self.previous_value, 1)


@dataclass
class Volume:
    total: int
    previous: int
    by_channel: list[Row]
    by_kind: list[Row]
    by_category: list[Row]
    by_department: list[Row]
    trend: list[tuple[date, int]]


@dataclass
class Example:
    number: str
    text: str


@dataclass
class HotTopic:
    label: str
    keywords: list[str]
    heat: float
    growth: float
    size: int
    count: int
    previous: int
    examples: list[Example] = field(default_factory=list)


@dataclass
class DepartmentRow:
    label: str
    received: int
    previous: int
    closed: int
    ratings: int
    satisfied: int
    bad: int

    @property
    def satisfaction(self) -> float | None:
        return Rate.percent(self.satisfied, self.ratings)


@dataclass
class BadRating:
    number: str
    department: str
    level: int
    level_label: str
    rated_at: datetime
    replied_again: bool
    rated_again: bool
    satisfied_after: bool
    state: str


@dataclass
class BadRatings:
    total: int
    previous: int
    by_level: list[Row]
    replied_again: int
    rated_again: int
    satisfied_after: int
    closed_now: int
    rows: list[BadRating]


@dataclass
class Report:
    period: Period
    previous_period: Period
    scope_label: str
    generated_at: datetime
    volume: Volume
    rates: list[Rate]
    ratings_by_level: list[Row]
    departments: list[DepartmentRow]
    on_time: integrations.Section
    topics: list[HotTopic]
    analysed_share: Rate
    overdue: integrations.Section
    bad_ratings: BadRatings
    actions: integrations.Section
    # Cases received in the period and marked as spam or abuse: in none of the figures (``rates.excluded``).
    excluded: int = 0
    # Answered at first contact (直接答复办结) by the centre's operators: count and share of the cases received.
    first_contact: Rate | None = None
    # 好差评: the five rates per department, category and month, and the ratings an appeal took out (``goodbad``).
    goodbad: GoodBad | None = None


def _case_scope(scope: Scope) -> QuerySet[Case] | None:
    """The cases a rate is narrowed to: None for the whole organisation (no filter on the case at all)."""
    return scope.cases if scope.restricted else None


def _received(scope: Scope, period: Period) -> QuerySet[Case]:
    return rates.received(scope.cases, period.start, period.end)


def _grouped(qs: QuerySet[Any], expression: Any) -> dict[Any, int]:
    return dict(qs.annotate(group=expression).values_list("group").annotate(n=Count("pk")).order_by())


def _rows(current: dict[Any, int], previous: dict[Any, int], labels: dict[Any, str]) -> list[Row]:
    keys = set(current) | set(previous)
    rows = [Row(k, labels.get(k, str(k)), current.get(k, 0), previous.get(k, 0)) for k in keys]
    return sorted(rows, key=lambda r: (-r.count, -r.previous, r.label))


TOP_CATEGORY = Coalesce(F("category__parent__parent"), F("category__parent"), F("category"))


def _received_groups(scope: Scope, period: Period) -> list[tuple[Any, Any, Any, Any, int]]:
    """(channel, kind, first-level category, lead department, count) of the cases received in ``period``: one
    GROUP BY that every volume breakdown and the departments table sum up (a few thousand groups at most)."""
    key = ("received", period.key)
    if key not in scope.cache:
        scope.cache[key] = list(
            _received(scope, period)
            .annotate(g_channel=F("submission__channel"), g_category=TOP_CATEGORY)
            .values_list("g_channel", "kind", "g_category", "lead_department")
            .annotate(n=Count("pk"))
            .order_by()
        )
    return scope.cache[key]


def _sum_by(groups: list[tuple[Any, ...]], column: int) -> dict[Any, int]:
    totals: dict[Any, int] = {}
    for group in groups:
        totals[group[column]] = totals.get(group[column], 0) + group[-1]
    return totals


def _closed_groups(scope: Scope, period: Period) -> dict[Any, rates.Figure]:
    """Lead department -> resolved of closed cases in the period (``rates.resolution_by_department``), shared by
    the resolution rate and the departments table."""
    key = ("closed", period.key)
    if key not in scope.cache:
        scope.cache[key] = rates.resolution_by_department(_case_scope(scope), period.start, period.end)
    return scope.cache[key]


def _per_day(scope: Scope, period: Period) -> dict[date, int]:
    """Cases received per local day: one COUNT ... FILTER per day over the period's index range. (TruncDate in
    the organisation's time zone would call a Python function per row on SQLite.)"""
    days = period.days
    bounds = [timezone.make_aware(datetime.combine(day, time.min)) for day in days] + [period.end]
    counts = _received(scope, period).aggregate(
        **{
            f"d{i}": Count("pk", filter=Q(created_at__gte=bounds[i], created_at__lt=bounds[i + 1]))
            for i in range(len(days))
        }
    )
    return {day: counts[f"d{i}"] for i, day in enumerate(days)}


def volume(scope: Scope, period: Period) -> Volume:
    now, before = _received_groups(scope, period), _received_groups(scope, period.previous())
    columns: dict[str, int] = {"channel": 0, "kind": 1, "category": 2, "department": 3}
    current = {name: _sum_by(now, i) for name, i in columns.items()}
    previous = {name: _sum_by(before, i) for name, i in columns.items()}
    category_ids = {k for k in (*current["category"], *previous["category"]) if k is not None}
    category_labels: dict[Any, str] = {None: _("Not categorised")}
    category_labels.update(Category.objects.filter(pk__in=category_ids).values_list("pk", "name"))
    department_ids = {k for k in (*current["department"], *previous["department"]) if k is not None}
    department_labels: dict[Any, str] = {None: _("Not dispatched")}
    department_labels.update(Department.objects.filter(pk__in=department_ids).values_list("pk", "name"))
    per_day = _per_day(scope, period)
    return Volume(
        total=sum(current["department"].values()),
        previous=sum(previous["department"].values()),
        by_channel=_rows(current["channel"], previous["channel"], {c.value: str(c.label) for c in Channel}),
        by_kind=_rows(current["kind"], previous["kind"], {k.value: str(k.label) for k in Kind}),
        by_category=_rows(current["category"], previous["category"], category_labels),
        by_department=_rows(current["department"], previous["department"], department_labels),
        trend=[(day, per_day.get(day, 0)) for day in period.days],
    )


def _ratings(scope: Scope, period: Period) -> QuerySet[Rating]:
    return rates.ratings(_case_scope(scope), period.start, period.end)


def _on_time(scope: Scope, period: Period) -> rates.Figure | None:
    """按时办结率 over the scope's lead department (SLA figures are kept per lead department); None when the scope
    has no department."""
    ok, department = integrations.sla_department(scope)
    if not ok:
        return None
    return rates.on_time(period.start, period.end, department)


def three_rates(scope: Scope, period: Period) -> list[Rate]:
    """响应率, 解决率, 满意率 (fankui.actions.rates defines them), this period and the previous one."""
    before = period.previous()
    cases = _case_scope(scope)
    return [
        Rate.of(
            "response",
            _("Response rate"),
            rates.response(cases, period.start, period.end),
            rates.response(cases, before.start, before.end),
        ),
        Rate.of(
            "resolution",
            _("Resolution rate"),
            sum(_closed_groups(scope, period).values(), rates.NOTHING),
            sum(_closed_groups(scope, before).values(), rates.NOTHING),
        ),
        Rate.of(
            "satisfaction",
            _("Satisfaction rate"),
            rates.satisfaction(cases, period.start, period.end),
            rates.satisfaction(cases, before.start, before.end),
        ),
    ]


def headline_rates(scope: Scope, period: Period) -> list[Rate]:
    """The three rates and the on-time closing rate: the figures the dashboard, the report, the API and (for the
    whole organisation and the current month) the public board all show."""
    label = _("On-time closing rate")
    current, before = _on_time(scope, period), _on_time(scope, period.previous())
    if current is None or before is None:
        on_time = Rate("on_time", label, 0, 0, available=False)
    else:
        on_time = Rate.of("on_time", label, current, before)
    return [*three_rates(scope, period), on_time]


def first_contact(scope: Scope, period: Period) -> Rate:
    """Answered at first contact (直接答复办结): the share of the cases received that the centre answered during the
    call (``fankui.actions.rates.first_contact``)."""
    cases = _case_scope(scope)
    return Rate.of(
        "first_contact",
        _("Answered at first contact"),
        rates.first_contact(cases, period.start, period.end),
        rates.first_contact(cases, period.previous().start, period.previous().end),
    )


def excluded(scope: Scope, period: Period) -> int:
    """Cases of the period left out of every figure as spam or abuse (``fankui.actions.rates.excluded``)."""
    return rates.excluded(_case_scope(scope), period.start, period.end)


def ratings_by_level(scope: Scope, period: Period) -> list[Row]:
    now = _grouped(_ratings(scope, period), F("level"))
    before = _grouped(_ratings(scope, period.previous()), F("level"))
    return [Row(level.value, str(level.label), now.get(level.value, 0), before.get(level.value, 0)) for level in Level]


def departments(scope: Scope, period: Period) -> list[DepartmentRow]:
    """Per lead department: received, closed and the ratings given in the period."""
    received = _sum_by(_received_groups(scope, period), 3)
    previous = _sum_by(_received_groups(scope, period.previous()), 3)
    closed = {department: figure.denominator for department, figure in _closed_groups(scope, period).items()}
    ratings = rates.satisfaction_by_department(_case_scope(scope), period.start, period.end)
    ids = {k for k in (*received, *previous, *closed, *ratings) if k is not None}
    names: dict[Any, str] = {None: _("Not dispatched")}
    names.update(Department.objects.filter(pk__in=ids).values_list("pk", "name"))
    rows = []
    for key in set(received) | set(previous) | set(closed) | set(ratings):
        r = ratings.get(key, rates.NOTHING)
        rows.append(
            DepartmentRow(
                names.get(key, str(key)),
                received.get(key, 0),
                previous.get(key, 0),
                closed.get(key, 0),
                r.denominator,
                r.numerator,
                r.denominator - r.numerator,
            )
        )
    return sorted(rows, key=lambda d: (-d.received, d.label))


def _example_text(analysis: dict[str, Any]) -> str:
    text = (analysis["masked_title"] + "：" if analysis["masked_title"] else "") + analysis["masked_body"]
    text = " ".join(text.split())
    return text if len(text) <= EXAMPLE_CHARS else text[: EXAMPLE_CHARS - 1] + "…"


def hot_topics(scope: Scope, period: Period) -> tuple[list[HotTopic], Rate]:
    """The topics with most cases received in the period; examples only from finished analyses' masked text."""
    analyses = scope.related(CaseAnalysis.objects.all())
    in_period = analyses.filter(case__created_at__gte=period.start, case__created_at__lt=period.end)
    before = period.previous()
    # (topic, status, count): the topic ranking and the analysed share from one GROUP BY.
    groups = list(in_period.values_list("topic", "status").annotate(n=Count("pk")).order_by())
    per_topic = _sum_by([g for g in groups if g[0] is not None], 0)
    ranked = sorted(per_topic.items(), key=lambda item: (-item[1], item[0]))[:TOP_TOPICS]
    top_ids = [topic_id for topic_id, _n in ranked]
    previous = dict(
        analyses.filter(case__created_at__gte=before.start, case__created_at__lt=before.end, topic__in=top_ids)
        .values_list("topic")
        .annotate(n=Count("pk"))
        .order_by()
    )
    # The newest examples of every listed topic in one query (a window function), not one query per topic.
    newest = Window(
        RowNumber(), partition_by=[F("topic")], order_by=[F("case__created_at").desc(), F("case_id").desc()]
    )
    examples: dict[int, list[Example]] = {}
    for e in (
        in_period.filter(topic__in=top_ids, status=CaseAnalysis.Status.DONE)
        .exclude(masked_body="")
        .annotate(rank=newest)
        .filter(rank__lte=EXAMPLES_PER_TOPIC)
        .order_by("topic", "rank")
        .values("topic", "case__number", "masked_title", "masked_body")
    ):
        examples.setdefault(e["topic"], []).append(Example(e["case__number"], _example_text(e)))
    topics = Topic.objects.in_bulk(top_ids)
    result = [
        HotTopic(
            label=topics[topic_id].label,
            keywords=[str(k) for k in (topics[topic_id].keywords or [])][:8],
            heat=round(topics[topic_id].heat, 1),
            growth=round(topics[topic_id].growth, 2),
            size=topics[topic_id].size,
            count=n,
            previous=previous.get(topic_id, 0),
            examples=examples.get(topic_id, []),
        )
        for topic_id, n in ranked
    ]
    done = sum(n for _topic, status, n in groups if status == CaseAnalysis.Status.DONE)
    analysed = Rate("analysed", _("Cases analysed"), done, sum(n for *_key, n in groups))
    return result, analysed


def bad_ratings(scope: Scope, period: Period) -> BadRatings:
    """Ratings 不满意/非常不满意 given in the period, and what happened to their cases after the rating."""
    bad = _ratings(scope, period).filter(level__lt=Level.FAIRLY_SATISFIED)
    later_reply = Reply.objects.filter(case=OuterRef("case"), created_at__gt=OuterRef("created_at"))
    later_rating = Rating.objects.filter(case=OuterRef("case"), created_at__gt=OuterRef("created_at"))
    followed = bad.annotate(
        replied_again=Exists(later_reply),
        rated_again=Exists(later_rating),
        satisfied_after=Exists(later_rating.filter(level__gte=Level.FAIRLY_SATISFIED)),
        closed_now=DbCase(When(case__state=State.CLOSED, then=Value(1)), default=Value(0), output_field=IntegerField()),
    )
    # Every count from one GROUP BY over what followed (at most 2 x 2 x 2 x 2 x 2 groups).
    groups = list(
        followed.values_list("level", "replied_again", "rated_again", "satisfied_after", "closed_now")
        .annotate(n=Count("pk"))
        .order_by()
    )

    def count(column: int) -> int:
        return sum(g[-1] for g in groups if g[column])

    by_level = _sum_by(groups, 0)
    previous = _ratings(scope, period.previous()).filter(level__lt=Level.FAIRLY_SATISFIED).count()
    rows = [
        BadRating(
            number=r.case.number,
            department=r.case.lead_department.name if r.case.lead_department else _("Not dispatched"),
            level=r.level,
            level_label=str(Level(r.level).label),
            rated_at=timezone.localtime(r.created_at),
            replied_again=r.replied_again,
            rated_again=r.rated_again,
            satisfied_after=r.satisfied_after,
            state=str(State(r.case.state).label),
        )
        for r in followed.select_related("case__lead_department").order_by("-created_at", "-id")[:BAD_RATING_ROWS]
        if r.case is not None  # always: ratings of replies only (``rates.ratings``); window ratings have no case
    ]
    return BadRatings(
        total=sum(by_level.values()),
        previous=previous,
        by_level=[
            Row(level.value, str(level.label), by_level.get(level.value, 0))
            for level in (Level.UNSATISFIED, Level.VERY_UNSATISFIED)
        ],
        replied_again=count(1),
        rated_again=count(2),
        satisfied_after=count(3),
        closed_now=count(4),
        rows=rows,
    )


def build(scope: Scope, period: Period) -> Report:
    """Every figure of the dashboard and the reports, read from the streaming replica when there is one
    (core.replica): they are the heaviest reads and may be a few seconds behind."""
    with replica_reads():
        return _build(scope, period)


def _build(scope: Scope, period: Period) -> Report:
    topics, analysed = hot_topics(scope, period)
    return Report(
        period=period,
        previous_period=period.previous(),
        scope_label=scope.label,
        generated_at=timezone.localtime(),
        volume=volume(scope, period),
        rates=headline_rates(scope, period),
        ratings_by_level=ratings_by_level(scope, period),
        departments=departments(scope, period),
        on_time=integrations.on_time(scope, period),
        topics=topics,
        analysed_share=analysed,
        overdue=integrations.overdue(scope, period),
        bad_ratings=bad_ratings(scope, period),
        actions=integrations.actions(scope, period),
        excluded=excluded(scope, period),
        first_contact=first_contact(scope, period),
        goodbad=goodbad_figures(scope, period),
    )
