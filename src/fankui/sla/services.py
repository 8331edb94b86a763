"""Every write of the SLA app: policies' rules, clocks, pauses, extensions, supervision.

Clocks follow the case through ``cases.signals`` (see ``receivers``): they are started and stopped in the
transaction of the move, so a rolled-back move leaves no clock behind.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fankui.accounts import permissions
from fankui.accounts.models import Role, User
from fankui.audit.services import record_event
from fankui.cases.models import Case
from fankui.cases.workflow import State
from fankui.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from fankui.core.rows import update_rows

from . import calendar, signals
from .models import (
    CalendarDay,
    CalendarYear,
    Clock,
    Extension,
    InfoRequest,
    Policy,
    PolicyTarget,
    Stage,
    Supervision,
    Unit,
    WorkingCalendar,
)

MAX_AMOUNT = {Unit.WORKING_HOURS: 2000, Unit.WORKING_DAYS: 365, Unit.HOURS: 8760}
MAX_TEXT = 10_000
MAX_EXTENSION_DAYS = 60
SUPERVISORS = frozenset({Role.SUPERVISOR, Role.ADMIN})


# --- Calendar -------------------------------------------------------------------------------------------------
# Policies and calendars are read from the database for each operation (an intake, a move, a loop over many
# cases), once: nothing is kept between requests, so a change is seen by the next one in every process.
_cache: ContextVar[dict[object, object] | None] = ContextVar("sla_cache", default=None)


@contextmanager
def cached_lookups() -> Iterator[None]:
    """Within the block, the policies and calendars are read once and reused: for a move, which looks them up
    several times, and for loops over many cases. Blocks nest (the outermost one's reads are used)."""
    if _cache.get() is not None:
        yield
        return
    token = _cache.set({})
    try:
        yield
    finally:
        _cache.reset(token)


def _lookups() -> dict[object, object]:
    """The current block's reads; outside a block, a fresh dict (so each lookup reads the database)."""
    cache = _cache.get()
    return cache if cache is not None else {}


def work_calendar(working: WorkingCalendar | None = None) -> calendar.WorkCalendar:
    """The working calendar to count with: ``working``'s hours (default: the default calendar's) and overrides."""
    cache = _lookups()
    key = ("calendar", working.pk if working else None)
    if key not in cache:
        cache[key] = _load_calendar(working)
    return cache[key]  # type: ignore[return-value]


def _load_calendar(working: WorkingCalendar | None) -> calendar.WorkCalendar:
    if working is None:
        working = WorkingCalendar.objects.filter(is_default=True).first()
    periods = calendar.parse_periods(working.periods) if working else calendar.DEFAULT_PERIODS
    overrides = dict(CalendarDay.objects.values_list("day", "is_workday"))
    return calendar.WorkCalendar(periods=periods, overrides=overrides)


def check_calendar_day(day: dt.date | None) -> None:
    first, last = calendar.known_year_range()
    if day is None:
        raise ValidationFailed({"day": [_("Give a day.")]})
    if not first <= day.year <= last:
        raise ValidationFailed(
            {
                "day": [
                    _("%(day)s is outside the years the calendar knows (%(first)d to %(last)d).")
                    % {"day": day.isoformat(), "first": first, "last": last}
                ]
            }
        )


def check_periods(text: str) -> None:
    try:
        calendar.parse_periods(text)
    except ValueError as error:
        raise ValidationFailed({"periods": [str(error)]}) from None


def entered_years() -> frozenset[int]:
    """The years an administrator entered completely (``CalendarYear``), kept with the policies and calendars."""
    cache = _lookups()
    if "entered_years" not in cache:
        cache["entered_years"] = frozenset(CalendarYear.objects.values_list("year", flat=True))
    return cache["entered_years"]  # type: ignore[return-value]


@dataclass(frozen=True)
class Coverage:
    """How far the working calendar is known, and whether administrators should be told to enter the next year."""

    known_until: dt.date
    days_left: int  # from today; negative once the known days have run out
    warn: bool

    @property
    def next_year(self) -> int:
        return self.known_until.year + 1

    @property
    def ran_out(self) -> bool:
        return self.days_left < 0

    @property
    def message(self) -> str:
        facts = {"date": self.known_until.isoformat(), "year": self.next_year}
        if self.ran_out:
            text = _(
                "The working calendar knows public holidays only until %(date)s: deadlines after it count Monday to "
                "Friday as working days. Enter %(year)d's public holidays and make-up working days."
            )
        else:
            text = _(
                "The working calendar knows public holidays only until %(date)s. Enter %(year)d's public holidays and "
                "make-up working days when the State Council publishes them; until then deadlines in %(year)d count "
                "Monday to Friday as working days."
            )
        return text % facts + " " + _("Use the calendar overrides in the admin or “fankui calendar import FILE”.")


def calendar_warn_days() -> int:
    """Days before the known calendar runs out from which administrators are warned (a quarter by default)."""
    return settings.FANKUI_CALENDAR_WARN_DAYS


def calendar_coverage(today: dt.date | None = None) -> Coverage:
    today = today or timezone.localdate()
    until = calendar.known_until(entered_years())
    left = (until - today).days
    return Coverage(until, left, left < calendar_warn_days())


def check_calendar_year(year: int | None) -> None:
    """A year may be marked entered once its public holidays are there: some weekday off among the overrides."""
    last = calendar.known_year_range()[1]
    if year is None:
        raise ValidationFailed({"year": [_("Give a year.")]})
    if year <= calendar.PACKAGE_LAST_YEAR:
        raise ValidationFailed({"year": [_("The national calendar already knows %(year)d.") % {"year": year}]})
    if year > last:
        raise ValidationFailed(
            {"year": [_("%(year)d is too far ahead (at most %(last)d).") % {"year": year, "last": last}]}
        )
    days_off = CalendarDay.objects.filter(day__year=year, is_workday=False).values_list("day", flat=True)
    if calendar.implausible_year(days_off, year):
        raise ValidationFailed(
            {
                "year": [
                    _(
                        "Enter %(year)d's public holidays as calendar overrides first: a year's published list has "
                        "at least %(n)d days off, the Spring Festival among them."
                    )
                    % {"year": year, "n": calendar.MIN_DAYS_OFF}
                ]
            }
        )


@dataclass
class CalendarImport:
    """What an import did (or, in a dry run, would do), line by line."""

    year: int
    lines: list[tuple[int, str]]
    added: int = 0
    changed: int = 0
    unchanged: int = 0
    year_entered: bool = False  # the year was newly marked as entered completely
    recounted: int = 0  # running clocks counted again


def import_calendar(
    text: str,
    *,
    year: int | None = None,
    user: User | None = None,
    note: str = "",
    dry_run: bool = False,
    partial: bool = False,
) -> CalendarImport:
    """Store a published list of public holidays and make-up working days (``calendar.parse_day_list``'s format)
    as calendar overrides and mark ``year`` (default: the latest year in the list) as entered completely. Nothing
    is stored unless every line is valid; importing the same list again changes nothing. Open cases' deadlines
    are counted again when a day changed. A list that cannot be a whole year's (``calendar.implausible_year``) is
    refused unless ``partial``: its days are then stored without marking the year."""
    # Like calendar.parse_day_list's, these messages are for the command line, in English.
    listed, problems = calendar.parse_day_list(text)
    errors = [f"line {n}: {p}" for n, p in problems]
    if not listed and not problems:
        errors.append("The file lists no day.")
    if listed and not errors:
        year = year or max(item.day.year for item in listed)
        if not any(item.day.year == year and not item.is_workday and item.day.weekday() < 5 for item in listed):
            errors.append(f"The file marks no weekday of {year} as a holiday; is it that year's list?")
        elif not partial and year > calendar.PACKAGE_LAST_YEAR:
            listed_days = {item.day: item.is_workday for item in listed}
            stored = CalendarDay.objects.filter(day__year=year, is_workday=False).values_list("day", flat=True)
            days_off = {d for d in stored if listed_days.get(d) is not True}
            days_off |= {day for day, is_workday in listed_days.items() if not is_workday}
            problem = calendar.implausible_year(days_off, year)
            if problem:
                errors.append(f"{problem} Import it with --partial to store these days without marking {year} known.")
    if errors:
        raise ValidationFailed({"file": errors})
    assert year is not None
    report = CalendarImport(year=year, lines=[])
    with transaction.atomic():
        days = [item.day for item in listed]
        existing = {row.day: row for row in CalendarDay.objects.select_for_update().filter(day__in=days)}
        for item in listed:
            row: CalendarDay | None = existing.get(item.day)
            if row is None:
                status = "added"
                report.added += 1
                row = CalendarDay(day=item.day, is_workday=item.is_workday, note=item.note)
            elif row.is_workday != item.is_workday or (item.note and row.note != item.note):
                if row.is_workday == item.is_workday:
                    status = "note changed"
                else:
                    status = "changed (was: workday)" if row.is_workday else "changed (was: holiday)"
                report.changed += 1
                row.is_workday, row.note = item.is_workday, item.note or row.note
            else:
                status = "unchanged"
                report.unchanged += 1
                row = None
            kind = "workday" if item.is_workday else "holiday"
            report.lines.append((item.line, f"{item.day.isoformat()} {kind} {item.note}".rstrip() + ": " + status))
            if row is not None and not dry_run:
                row.save()
        # A year the package knows needs no mark; a year already marked keeps who entered it first.
        if not partial and year > calendar.PACKAGE_LAST_YEAR and not CalendarYear.objects.filter(year=year).exists():
            report.year_entered = True
            if not dry_run:
                CalendarYear.objects.create(year=year, note=note.strip()[:200], entered_by=user)
    if not dry_run and (report.added or report.changed):
        report.recounted = reapply_open_cases(force=True)
    return report


# --- Policies -------------------------------------------------------------------------------------------------
def specificity(policy: Policy) -> tuple[int, int]:
    """Higher wins. Weights: urgency, department, category (deeper beats shallower), kind, channel."""
    mask = (
        (16 if policy.urgency else 0)
        + (8 if policy.department_id else 0)
        + (4 if policy.category_id else 0)
        + (2 if policy.kind else 0)
        + (1 if policy.channel else 0)
    )
    return mask, policy.category.level if policy.category_id and policy.category else 0


def _match_key(policy: Policy) -> tuple[str, int | None, str, str, int | None]:
    return (policy.kind, policy.category_id, policy.urgency, policy.channel, policy.department_id)


def check_policy(policy: Policy) -> None:
    """Refuse a policy that matches exactly the same cases as another active one with the same specificity."""
    if not 0 < policy.warn_share < 1:
        raise ValidationFailed({"warn_share": [_("Give a share between 0 and 1, e.g. 0.75.")]})
    if policy.escalate_after_hours > 24 * 30:
        raise ValidationFailed({"escalate_after_hours": [_("At most 720 hours.")]})
    if not policy.active:
        return
    others = Policy.objects.filter(active=True).exclude(pk=policy.pk)
    for other in others:
        if _match_key(other) == _match_key(policy):
            raise ValidationFailed(
                {
                    "__all__": [
                        _("This policy matches the same cases as “%(other)s” with the same specificity; change one.")
                        % {"other": other.name}
                    ]
                }
            )


def check_targets(targets: Sequence[tuple[str, int | None, str]]) -> None:
    """``targets`` are (stage, amount, unit) as typed; refuse none, negative, zero hours, absurd, duplicates."""
    if not targets:
        raise ValidationFailed({"targets": [_("A policy needs at least one target.")]})
    seen: set[str] = set()
    for stage, amount, unit in targets:
        label = Stage(stage).label if stage in Stage.values else stage
        if stage in seen:
            raise ValidationFailed({"targets": [_("%(stage)s has two targets.") % {"stage": label}]})
        seen.add(stage)
        if unit not in Unit.values:
            raise ValidationFailed({"targets": [_("Unknown unit for %(stage)s.") % {"stage": label}]})
        if amount is None or amount < 0:
            raise ValidationFailed({"targets": [_("%(stage)s: a duration cannot be negative.") % {"stage": label}]})
        if amount == 0 and unit != Unit.WORKING_DAYS:
            raise ValidationFailed(
                {"targets": [_("%(stage)s: zero is only allowed as 0 working days (the same day).") % {"stage": label}]}
            )
        limit = MAX_AMOUNT[Unit(unit)]
        if amount > limit:
            raise ValidationFailed(
                {
                    "targets": [
                        _("%(stage)s: %(amount)d %(unit)s is not a realistic target (at most %(limit)d).")
                        % {"stage": label, "amount": amount, "unit": Unit(unit).label, "limit": limit}
                    ]
                }
            )


@transaction.atomic
def save_policy(policy: Policy, targets: Sequence[tuple[str, int | None, str]], *, reapply: bool = True) -> Policy:
    """Create or change a policy with its targets (the demo, imports and tests; the admin validates the same way)."""
    check_targets(targets)
    check_policy(policy)
    policy.save()
    policy.targets.all().delete()
    PolicyTarget.objects.bulk_create(PolicyTarget(policy=policy, stage=s, amount=a or 0, unit=u) for s, a, u in targets)
    if reapply:
        reapply_open_cases()
    return policy


def _urgency(case: Case) -> str:
    try:
        return case.analysis.urgency or ""
    except Exception:  # no analysis row (imports, tests): no urgency known yet
        return ""


def _category_ids(case: Case) -> set[int]:
    ids: set[int] = set()
    category = case.category
    while category is not None and category.pk not in ids:
        ids.add(category.pk)
        category = category.parent
    return ids


def policy_for(case: Case, policies: Iterable[Policy] | None = None, *, urgency: str | None = None) -> Policy | None:
    """The most specific active policy matching ``case`` (None when none does)."""
    if policies is None:
        cache = _lookups()
        if "policies" not in cache:
            cache["policies"] = list(
                Policy.objects.filter(active=True).select_related("category", "calendar").prefetch_related("targets")
            )
        policies = cache["policies"]  # type: ignore[assignment]
    assert policies is not None
    urgency = _urgency(case) if urgency is None else urgency
    categories = _category_ids(case)
    channel = case.submission.channel if case.submission_id else ""
    best: Policy | None = None
    for policy in policies:
        if policy.kind and policy.kind != case.kind:
            continue
        if policy.urgency and policy.urgency != urgency:
            continue
        if policy.channel and policy.channel != channel:
            continue
        if policy.department_id and policy.department_id != case.lead_department_id:
            continue
        if policy.category_id and policy.category_id not in categories:
            continue
        if best is None or specificity(policy) > specificity(best):
            best = policy
    return best


def _target(policy: Policy | None, stage: str) -> PolicyTarget | None:
    if policy is None:
        return None
    for target in policy.targets.all():
        if target.stage == stage:
            return target
    return None


# --- Clocks ---------------------------------------------------------------------------------------------------
@dataclass
class _Context:
    """What one move needs to compute deadlines, loaded once."""

    policy: Policy | None
    cal: calendar.WorkCalendar
    urgency: str = ""


def _context(case: Case) -> _Context:
    urgency = _urgency(case)
    with cached_lookups():
        policy = policy_for(case, urgency=urgency)
        return _Context(policy, work_calendar(policy.calendar if policy else None), urgency)


def _schedule(
    clock: Clock, cal: calendar.WorkCalendar, now: dt.datetime, warn_share: float, escalate_hours: int
) -> None:
    """Set the deadline and the sweep's instants of a running, unpaused clock."""
    base = calendar.deadline(cal, clock.started_at, clock.amount, clock.unit)
    if clock.paused_seconds:
        base = calendar.advance(cal, base, clock.paused_seconds, clock.unit)
    if clock.extended_days:
        base = cal.add_working_days(base, clock.extended_days)
    clock.deadline = base
    allowed = calendar.elapsed(cal, clock.started_at, base, clock.unit)
    clock.yellow_at = calendar.advance(cal, clock.started_at, allowed * warn_share, clock.unit)
    clock.warn_at = clock.yellow_at
    clock.due_at = base
    if clock.unit == Unit.HOURS:
        clock.escalate_at = base + dt.timedelta(hours=escalate_hours)
    else:
        clock.escalate_at = cal.add_working_hours(base, escalate_hours)


def _policy_numbers(policy: Policy | None) -> tuple[float, int]:
    return (policy.warn_share, policy.escalate_after_hours) if policy else (0.75, 4)


def start_clock(case: Case, stage: str, ctx: _Context, now: dt.datetime | None = None) -> Clock | None:
    """Start ``stage``'s clock unless one is already running; no target for the stage means no clock."""
    now = now or timezone.now()
    target = _target(ctx.policy, stage)
    if target is None:
        return None
    if Clock.objects.filter(case=case, stage=stage, stopped_at__isnull=True).exists():
        return None
    last = Clock.objects.filter(case=case, stage=stage).order_by("-round").values_list("round", flat=True).first()
    clock = Clock(
        case=case,
        stage=stage,
        round=(last or 0) + 1,
        policy=ctx.policy,
        unit=target.unit,
        amount=target.amount,
        started_at=now,
        department_id=case.lead_department_id,
        urgency=ctx.urgency,
    )
    _schedule(clock, ctx.cal, now, *_policy_numbers(ctx.policy))
    # A case that waits on the citizen keeps new clocks paused too.
    if InfoRequest.objects.filter(case=case, resumed_at__isnull=True).exists():
        _pause(clock, now)
    clock.save()
    return clock


def _pause(clock: Clock, now: dt.datetime) -> None:
    clock.paused_at = now
    clock.deadline = clock.warn_at = clock.due_at = clock.escalate_at = None


def stop_clocks(case: Case, stages: Iterable[str], ctx: _Context | None = None, now: dt.datetime | None = None) -> int:
    now = now or timezone.now()
    clocks = list(Clock.objects.filter(case=case, stage__in=list(stages), stopped_at__isnull=True))
    if not clocks:
        return 0
    cal = ctx.cal if ctx else work_calendar()
    for clock in clocks:
        if clock.paused_at is not None:
            clock.paused_seconds += calendar.elapsed(cal, clock.paused_at, now, clock.unit)
            clock.paused_at = None
            _schedule(clock, cal, now, *_policy_numbers(clock.policy))
        clock.stopped_at = now
        # Always working time, for the figures; the pause is only known in working time for working units.
        paused = clock.paused_seconds if clock.unit != Unit.HOURS else 0.0
        clock.working_seconds = max(0.0, cal.working_seconds_between(clock.started_at, now) - paused)
        clock.department_id = case.lead_department_id
        clock.warn_at = clock.due_at = clock.escalate_at = None
    Clock.objects.bulk_update(
        clocks,
        [
            *("stopped_at", "working_seconds", "department", "warn_at", "due_at", "escalate_at", "paused_at"),
            *("paused_seconds", "deadline", "yellow_at"),
        ],
    )
    return len(clocks)


ALL_STAGES = tuple(Stage.values)
# Which stages a move into a state stops, and which it starts.
STOPS: dict[str, tuple[str, ...]] = {
    State.ACCEPTED: (Stage.ACCEPT,),
    State.DISPATCHED: (Stage.ACCEPT, Stage.DISPATCH),
    State.RETURNED: (Stage.FIRST_RESPONSE,),
    State.IN_PROGRESS: (Stage.FIRST_RESPONSE,),
    State.REPLIED: (Stage.FIRST_RESPONSE, Stage.REPLY, Stage.RECTIFY),
    State.CLOSED: ALL_STAGES,
    State.REJECTED: ALL_STAGES,
    State.MERGED: ALL_STAGES,
}
STARTS: dict[str, tuple[str, ...]] = {
    State.ACCEPTED: (Stage.DISPATCH,),
    State.RETURNED: (Stage.DISPATCH,),
    State.DISPATCHED: (Stage.FIRST_RESPONSE,),
    State.REOPENED: (Stage.RECTIFY,),
}


def on_case_created(case: Case) -> None:
    """Start the new case's clocks, on every intake, so it asks the database as little as it can: the case was
    opened in this very transaction, so it has no clock and no open information request yet (``start_clock``'s
    questions have known answers), the calendar is read only when the matching policy sets a target for one of
    these stages, and the clocks go in with one INSERT. Nothing has analysed the case yet, so its urgency is
    not known: a policy for urgent cases applies when the analysis finds it urgent (``reapply``)."""
    urgency = ""
    with cached_lookups():
        policy = policy_for(case, urgency=urgency)
        targets = ((stage, _target(policy, stage)) for stage in (Stage.ACCEPT, Stage.REPLY, Stage.CLOSE))
        stages = [(stage, target) for stage, target in targets if target is not None]
        if not stages:
            return
        cal = work_calendar(policy.calendar if policy else None)
    now = case.created_at
    clocks = []
    for stage, target in stages:
        clock = Clock(
            case=case,
            stage=stage,
            round=1,
            policy=policy,
            unit=target.unit,
            amount=target.amount,
            started_at=now,
            department_id=case.lead_department_id,
            urgency=urgency,
        )
        _schedule(clock, cal, now, *_policy_numbers(policy))
        clocks.append(clock)
    Clock.objects.bulk_create(clocks)


def on_case_moved(
    case: Case, source: str, target: str, now: dt.datetime | None = None, ctx: _Context | None = None
) -> None:
    now = now or timezone.now()
    stops = STOPS.get(target, ())
    starts = STARTS.get(target, ())
    ctx = ctx or _context(case)
    if source == State.RECEIVED:
        stops = tuple({*stops, Stage.ACCEPT})
    stop_clocks(case, stops, ctx, now)
    for stage in starts:
        start_clock(case, stage, ctx, now)
    Clock.objects.filter(case=case, stopped_at__isnull=True).update(department_id=case.lead_department_id)
    if target in State.terminal() or target == State.REPLIED:
        # A reply answers the case with what was known: a question still open is closed with it (no "we go on
        # without your answer" days later, no answer restarting the stopped clocks).
        InfoRequest.objects.filter(case=case, resumed_at__isnull=True).update(resumed_at=now)
    if target in State.terminal():
        Extension.objects.filter(case=case, status=Extension.Status.PENDING).update(
            status=Extension.Status.REFUSED, decided_at=now, note="case ended"
        )


def reapply(case: Case, *, force: bool = False) -> int:
    """Recompute the running clocks of ``case`` from the policy that matches it now (after the analysis set its
    urgency, or a policy changed; ``force`` after the calendar changed). Returns how many clocks changed."""
    return reapply_many([case], force=force)


# What recomputing a clock may change: its policy's target, its urgency and what ``_schedule`` sets.
RECOMPUTED = ["policy", "unit", "amount", "urgency", "deadline", "yellow_at", "warn_at", "due_at", "escalate_at"]


def reapply_many(cases: Sequence[Case], *, force: bool = False) -> int:
    """``reapply`` for many cases at once (a batch of the analysis): their running clocks are read in one query and
    the changed ones written in one statement. Returns how many clocks changed."""
    now = timezone.now()
    running: dict[int, list[Clock]] = {case.pk: [] for case in cases}
    for clock in Clock.objects.filter(case__in=list(running), stopped_at__isnull=True):
        running[clock.case_id].append(clock)
    save: list[Clock] = []
    changed = 0
    with cached_lookups():
        for case in cases:
            ctx = _context(case)
            for clock in running[case.pk]:
                target = _target(ctx.policy, clock.stage)
                same = target is None or (clock.policy_id, clock.unit, clock.amount) == (
                    ctx.policy.pk if ctx.policy else None,
                    target.unit,
                    target.amount,
                )
                # The urgency is remembered so that the urgency sweep does not look at this clock again.
                dirty, clock.urgency = clock.urgency != ctx.urgency, ctx.urgency
                if target is not None and (force or not same):
                    clock.policy, clock.unit, clock.amount = ctx.policy, target.unit, target.amount
                    if clock.paused_at is None:
                        _schedule(clock, ctx.cal, now, *_policy_numbers(ctx.policy))
                    dirty = True
                    changed += 1
                if dirty:
                    save.append(clock)
            # A stage that had no target before may have one now (none has, without a matching policy).
            if ctx.policy is None or case.state in State.terminal():
                continue
            have = {clock.stage for clock in running[case.pk]}
            for stage in _stages_for_state(case.state):
                if stage in have or _target(ctx.policy, stage) is None:
                    continue
                if Clock.objects.filter(case=case, stage=stage).exists():
                    continue
                since = case.created_at if stage in (Stage.ACCEPT, Stage.REPLY, Stage.CLOSE) else now
                if start_clock(case, stage, ctx, since):
                    changed += 1
    update_rows(save, RECOMPUTED)
    return changed


def on_cases_reclassified(changes: Sequence[tuple[Case, Mapping[str, Any]]]) -> int:
    """Kinds, categories or the urgencies the analysis found changed (``cases.signals.cases_reclassified``): the
    running clocks follow the policies that match now, at once (the ``sla_follow_urgency`` sweep stays as the
    safety net). A new urgency that no active policy names changes nothing and costs no query (the policies are
    cached)."""
    with cached_lookups():
        cases = [
            case
            for case, changed in changes
            if set(changed) != {"urgency"} or _urgency_matters(changed["urgency"]["from"], changed["urgency"]["to"])
        ]
        return reapply_many(cases) if cases else 0


def _urgency_matters(before: str, after: str) -> bool:
    cache = _lookups()
    if "urgencies" not in cache:
        active = Policy.objects.filter(active=True).exclude(urgency="")
        cache["urgencies"] = frozenset(active.values_list("urgency", flat=True))
    return bool({before, after} & cache["urgencies"])  # type: ignore[operator]


def _stages_for_state(state: str) -> tuple[str, ...]:
    """The stages whose clocks run while a case is in ``state``."""
    stages: dict[str, tuple[str, ...]] = {
        State.RECEIVED: (Stage.ACCEPT, Stage.REPLY, Stage.CLOSE),
        State.ACCEPTED: (Stage.DISPATCH, Stage.REPLY, Stage.CLOSE),
        State.RETURNED: (Stage.DISPATCH, Stage.REPLY, Stage.CLOSE),
        State.DISPATCHED: (Stage.FIRST_RESPONSE, Stage.REPLY, Stage.CLOSE),
        State.IN_PROGRESS: (Stage.REPLY, Stage.CLOSE),
        State.REPLIED: (Stage.CLOSE,),
        State.REOPENED: (Stage.RECTIFY, Stage.CLOSE),
    }
    return stages.get(state, ())


def reapply_open_cases(batch: int = 500, *, force: bool = False) -> int:
    """``reapply`` for every case with a running clock (after a policy changed). Returns clocks changed."""
    changed = 0
    ids = list(Clock.objects.filter(stopped_at__isnull=True).values_list("case_id", flat=True).distinct())
    with cached_lookups():
        for start in range(0, len(ids), batch):
            chunk = Case.objects.filter(pk__in=ids[start : start + batch]).select_related(
                "submission", "category__parent__parent", "lead_department"
            )
            for case in chunk:
                with transaction.atomic():
                    changed += reapply(case, force=force)
    return changed


# --- Waiting on the citizen -------------------------------------------------------------------------------------
def _text(value: str, field: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationFailed({field: [_("This field is required.")]})
    if len(value) > MAX_TEXT:
        raise ValidationFailed({field: [_("At most %(n)d characters.") % {"n": MAX_TEXT}]})
    return value


# --- Who may (accounts.permissions) ------------------------------------------------------------------------------
def may_pause(user: User, case: Case) -> bool:
    """Ask the submitter for information (pausing the clocks) and resume: the lead department, dispatchers and
    supervisors."""
    return (
        permissions.in_department(user, case.lead_department)
        or permissions.is_supervisor(user)
        or permissions.role(user) == Role.DISPATCHER
    )


def may_extend(user: User, case: Case) -> bool:
    """Ask for more time: the lead department (a head's subtree)."""
    return permissions.in_department(user, case.lead_department)


def may_supervise(user: User) -> bool:
    """Decide on extensions and put cases under supervision (督办)."""
    return permissions.is_supervisor(user)


def _locked(case: Case) -> Case:
    return Case.objects.select_for_update(of=("self",)).select_related("lead_department").get(pk=case.pk)


@transaction.atomic
def request_information(case: Case, user: User, question: str) -> InfoRequest:
    """The handler needs more from the citizen: every running clock of the case pauses until ``resume``."""
    case = _locked(case)
    if not may_pause(user, case):
        raise PermissionDenied(_("You may not ask for more information on this case."))
    if case.state in State.terminal() or case.state == State.REPLIED:
        raise Conflict(_("This case is no longer waiting for work; nothing to pause."))
    question = _text(question, "question")
    if InfoRequest.objects.filter(case=case, resumed_at__isnull=True).exists():
        raise Conflict(_("More information was already requested; the clocks are paused."))
    now = timezone.now()
    info = InfoRequest.objects.create(case=case, question=question, asked_by=user, asked_at=now)
    clocks = list(Clock.objects.filter(case=case, stopped_at__isnull=True, paused_at__isnull=True))
    for clock in clocks:
        _pause(clock, now)
    Clock.objects.bulk_update(clocks, ["paused_at", "deadline", "warn_at", "due_at", "escalate_at"])
    record_event(case, "sla_info_requested", actor=user, public=True, message=question, data={"request": info.pk})
    signals.info_requested.send(sender=InfoRequest, case=case, request=info)
    return info


@transaction.atomic
def resume(case: Case, user: User | None = None, answer: str = "") -> InfoRequest:
    """The citizen answered (``user`` None) or staff resume: paused clocks run again with the time they had left."""
    case = _locked(case)
    info = InfoRequest.objects.filter(case=case, resumed_at__isnull=True).first()
    if info is None:
        raise Conflict(_("No information request is open on this case."))
    if user is not None and not may_pause(user, case):
        raise PermissionDenied(_("You may not resume this case's deadlines."))
    if user is None:
        answer = _text(answer, "answer")
    now = timezone.now()
    info.answer = (answer or "").strip()[:MAX_TEXT]
    info.resumed_at = now
    info.resumed_by = user
    info.save()
    _resume_clocks(case, now)
    # Public, so the citizen sees handling resume; a staff member's note stays internal (in ``data``).
    record_event(
        case,
        "sla_resumed",
        actor=user,
        actor_kind="citizen" if user is None else "staff",
        public=True,
        message=info.answer if user is None else "",
        data={"request": info.pk, **({"note": info.answer} if user is not None and info.answer else {})},
    )
    how = "answered" if user is None else "staff"
    signals.info_closed.send(sender=InfoRequest, case=case, request=info, how=how)
    return info


def info_wait_days() -> int:
    """Working days the clocks wait for a submitter's answer before they run again on their own."""
    return settings.FANKUI_INFO_WAIT_WORKING_DAYS


def resume_unanswered(now: dt.datetime | None = None, batch: int = 200) -> int:
    """Resume the clocks of cases whose submitter did not answer an information request within
    ``info_wait_days()`` working days (run by the worker). The case says so on its public timeline. Each request
    is re-read under a row lock, so several workers never resume one twice. Returns how many were resumed."""
    now = now or timezone.now()
    days = info_wait_days()
    cal = work_calendar()
    # N working days take at least N - 1 calendar days; the open requests are few, the exact check is per request.
    candidates = (
        InfoRequest.objects.filter(resumed_at__isnull=True, asked_at__lte=now - dt.timedelta(days=days - 1))
        .order_by("asked_at")
        .values_list("pk", "asked_at")
    )
    due = [pk for pk, asked_at in candidates if cal.add_working_days(asked_at, days) <= now][:batch]
    resumed = 0
    for pk in due:
        with transaction.atomic():
            info = InfoRequest.objects.select_for_update().filter(pk=pk, resumed_at__isnull=True).first()
            if info is None:  # answered or resumed meanwhile
                continue
            case = _locked(info.case)
            info.resumed_at = now
            info.save(update_fields=["resumed_at"])
            _resume_clocks(case, now)
            record_event(
                case,
                "sla_resumed",
                actor_kind="system",
                public=True,
                data={"request": info.pk, "reason": "no_answer", "days": days},
            )
            signals.info_closed.send(sender=InfoRequest, case=case, request=info, how="timeout")
            resumed += 1
    return resumed


def _resume_clocks(case: Case, now: dt.datetime) -> None:
    cal = None
    clocks = list(
        Clock.objects.filter(case=case, stopped_at__isnull=True, paused_at__isnull=False).select_related("policy")
    )
    for clock in clocks:
        if cal is None:
            cal = work_calendar(clock.policy.calendar if clock.policy else None)
        assert clock.paused_at is not None
        clock.paused_seconds += calendar.elapsed(cal, clock.paused_at, now, clock.unit)
        clock.paused_at = None
        _schedule(clock, cal, now, *_policy_numbers(clock.policy))
    Clock.objects.bulk_update(
        clocks, ["paused_at", "paused_seconds", "deadline", "yellow_at", "warn_at", "due_at", "escalate_at"]
    )


# --- Extensions (延期) -------------------------------------------------------------------------------------------
def reply_clock(case: Case) -> Clock | None:
    """The clock a citizen cares about: rectification when reopened, else the reply, else the close."""
    running = {c.stage: c for c in Clock.objects.filter(case=case, stopped_at__isnull=True)}
    for stage in (Stage.RECTIFY, Stage.REPLY, Stage.CLOSE):
        if stage in running:
            return running[stage]
    return None


@transaction.atomic
def request_extension(case: Case, user: User, days: int | None, reason: str) -> Extension:
    case = _locked(case)
    if not may_extend(user, case):
        raise PermissionDenied(_("Only the lead department may ask for more time."))
    errors: dict[str, list[str]] = {}
    if days is None or days < 1 or days > MAX_EXTENSION_DAYS:
        errors["days"] = [_("Give between 1 and %(n)d working days.") % {"n": MAX_EXTENSION_DAYS}]
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = [_("Please give a reason.")]
    elif len(reason) > MAX_TEXT:
        errors["reason"] = [_("At most %(n)d characters.") % {"n": MAX_TEXT}]
    if errors:
        raise ValidationFailed(errors)
    clock = reply_clock(case)
    if clock is None:
        raise Conflict(_("This case has no running deadline to extend."))
    now = timezone.now()
    if clock.deadline is not None and clock.deadline <= now:
        raise Conflict(_("The deadline has passed; an extension must be asked for before it."))
    if Extension.objects.filter(case=case, status=Extension.Status.PENDING).exists():
        raise Conflict(_("An extension request is already waiting for a decision."))
    assert days is not None
    extension = Extension.objects.create(case=case, days=days, reason=reason, requested_by=user, requested_at=now)
    record_event(case, "sla_extension_requested", actor=user, message=reason, data={"days": days})
    _tell_supervisors_of(extension, case, user)
    return extension


def _tell_supervisors_of(extension: Extension, case: Case, user: User) -> None:
    """The supervisors decide on extensions: each is told, in the application and by e-mail."""
    from django.utils.translation import ngettext

    from fankui.cases import notices

    department = case.lead_department.name if case.lead_department else "—"

    def compose() -> tuple[str, str]:
        facts = {"number": case.number, "days": extension.days, "department": department}
        subject = (
            ngettext(
                "Case %(number)s: %(department)s asks for %(days)d more working day",
                "Case %(number)s: %(department)s asks for %(days)d more working days",
                extension.days,
            )
            % facts
        )
        body = (
            _("Reason: %(reason)s") % {"reason": extension.reason}
            + "\n"
            + _("Please approve or refuse the extension on the case page.")
        )
        return subject, body

    supervisors = User.objects.filter(is_active=True, role=Role.SUPERVISOR).order_by("pk")
    notices.tell(supervisors, compose, case=case, key=f"sla:extension:{extension.pk}:requested", actor=user)


@transaction.atomic
def decide_extension(extension_id: int, user: User, approve: bool, note: str = "") -> Extension:
    extension = Extension.objects.select_for_update().filter(pk=extension_id).first()
    if extension is None:
        raise NotFound(_("No such extension request."))
    if not may_supervise(user):
        raise PermissionDenied(_("Only supervisors decide on extensions."))
    if extension.status != Extension.Status.PENDING:
        raise Conflict(_("This request was already decided."))
    case = _locked(extension.case)
    now = timezone.now()
    note = (note or "").strip()[:MAX_TEXT]
    extension.decided_by, extension.decided_at, extension.note = user, now, note
    if not approve:
        extension.status = Extension.Status.REFUSED
        extension.save()
        record_event(case, "sla_extension_refused", actor=user, message=note, data={"days": extension.days})
        return extension
    extension.status = Extension.Status.APPROVED
    clocks = list(
        Clock.objects.filter(
            case=case, stopped_at__isnull=True, stage__in=(Stage.REPLY, Stage.RECTIFY, Stage.CLOSE)
        ).select_related("policy")
    )
    cal = work_calendar(clocks[0].policy.calendar if clocks and clocks[0].policy else None)
    for clock in clocks:
        clock.extended_days += extension.days
        if clock.paused_at is None:
            _schedule(clock, cal, now, *_policy_numbers(clock.policy))
    Clock.objects.bulk_update(clocks, ["extended_days", "deadline", "yellow_at", "warn_at", "due_at", "escalate_at"])
    main = reply_clock(case)
    extension.new_deadline = main.deadline if main else None
    extension.save()
    new_date = timezone.localtime(extension.new_deadline).strftime("%Y-%m-%d %H:%M") if extension.new_deadline else ""
    record_event(
        case,
        "sla_extension_approved",
        actor=user,
        public=True,
        # The citizen reads the new date; the supervisor's note is for staff only.
        message=new_date,
        data={"days": extension.days, "new_deadline": new_date, "note": note},
    )
    signals.extension_approved.send(sender=Extension, case=case, extension=extension)
    return extension


# --- Supervision (督办) ------------------------------------------------------------------------------------------
def _check_supervisor(user: User) -> None:
    if not may_supervise(user):
        raise PermissionDenied(_("Only supervisors supervise cases."))


@transaction.atomic
def supervise(case: Case, user: User, instruction: str) -> Supervision:
    _check_supervisor(user)
    case = _locked(case)
    instruction = _text(instruction, "instruction")
    now = timezone.now()
    supervision, created = Supervision.objects.get_or_create(
        case=case, defaults={"flagged_by": user, "flagged_at": now, "instruction": instruction}
    )
    if not created:
        supervision.active = True
        supervision.instruction = instruction
        supervision.save()
    event = record_event(case, "sla_supervised", actor=user, message=instruction)
    _tell_lead_department_of_supervision(case, instruction, event.pk, user)
    return supervision


def _tell_lead_department_of_supervision(case: Case, instruction: str, event_id: int, user: User) -> None:
    """督办 is addressed to the lead department: its handlers and heads are told, with the instruction."""
    from fankui.cases import notices

    def compose() -> tuple[str, str]:
        subject = _("Case %(number)s is under supervision") % {"number": case.number}
        body = _("A supervisor put case %(number)s under supervision. Instruction: %(instruction)s") % {
            "number": case.number,
            "instruction": instruction,
        }
        return subject, body

    recipients = notices.department_staff([case.lead_department])
    notices.tell(recipients, compose, case=case, key=f"sla:supervised:{event_id}", actor=user)


@transaction.atomic
def add_instruction(case: Case, user: User, instruction: str) -> Supervision:
    _check_supervisor(user)
    instruction = _text(instruction, "instruction")
    supervision = Supervision.objects.select_for_update().filter(case=case, active=True).first()
    if supervision is None:
        raise Conflict(_("This case is not under supervision."))
    supervision.instruction = instruction
    supervision.save()
    record_event(case, "sla_instruction", actor=user, message=instruction)
    return supervision


@transaction.atomic
def unsupervise(case: Case, user: User, note: str = "") -> None:
    _check_supervisor(user)
    updated = Supervision.objects.filter(case=case, active=True).update(active=False)
    if not updated:
        raise Conflict(_("This case is not under supervision."))
    record_event(case, "sla_unsupervised", actor=user, message=(note or "").strip()[:MAX_TEXT])
