"""Policies and the clocks they set: which policy matches a case, clocks started and stopped as the case
moves (through ``cases.signals``, in the transaction of the move, so a rolled-back move leaves no clock behind),
and deadlines recomputed when a policy, a calendar or a case's urgency changes."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fankui.cases.models import Case
from fankui.cases.workflow import State
from fankui.core.errors import ValidationFailed
from fankui.core.rows import insert_objects, update_rows

from .. import calendar
from ..models import Clock, Extension, InfoRequest, Policy, PolicyTarget, Stage, Unit
from .lookups import cached_lookups, lookups, work_calendar

MAX_AMOUNT = {Unit.WORKING_HOURS: 2000, Unit.WORKING_DAYS: 365, Unit.HOURS: 8760}


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
        cache = lookups()
        if "sla.policies" not in cache:
            cache["sla.policies"] = list(
                Policy.objects.filter(active=True).select_related("calendar").prefetch_related("targets")
            )
        policies = cache["sla.policies"]  # type: ignore[assignment]
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


def schedule(
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


def policy_numbers(policy: Policy | None) -> tuple[float, int]:
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
    schedule(clock, ctx.cal, now, *policy_numbers(ctx.policy))
    # A case that waits on the citizen keeps new clocks paused too.
    if InfoRequest.objects.filter(case=case, resumed_at__isnull=True).exists():
        pause(clock, now)
    clock.save()
    return clock


def pause(clock: Clock, now: dt.datetime) -> None:
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
            schedule(clock, cal, now, *policy_numbers(clock.policy))
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
    State.SPAM: ALL_STAGES,
}
STARTS: dict[str, tuple[str, ...]] = {
    # Only an undone spam mark leads back to ``received``: the case starts over, as on intake.
    State.RECEIVED: (Stage.ACCEPT, Stage.REPLY, Stage.CLOSE),
    State.ACCEPTED: (Stage.DISPATCH,),
    State.RETURNED: (Stage.DISPATCH,),
    State.DISPATCHED: (Stage.FIRST_RESPONSE,),
    State.REOPENED: (Stage.RECTIFY,),
}


def on_cases_created(cases: Sequence[Case], moves: Mapping[int, Sequence[Move]] | None = None) -> None:
    """Start the clocks of newly opened cases (``cases_created``: one from a form, a chunk from an import), asking the
    database as little as it can: the cases were opened in this very transaction, so they have no clock and no open
    information request yet (``start_clock``'s questions have known answers), the calendar is read only when the
    matching policy sets a target for one of these stages, and the clocks of the whole batch go in with one INSERT.
    Nothing has analysed the cases yet, so their urgency is not known: a policy for urgent cases applies when the
    analysis finds one urgent (``reapply``).

    An imported past case comes with its replayed ``moves`` (by case id): its clocks are the ones its recorded moves
    would have run, stopped where it ended (``plan``), so no warning fires for a case answered in 2019."""
    urgency = ""
    clocks: list[Clock] = []
    with cached_lookups():
        for case in cases:
            policy = policy_for(case, urgency=urgency)
            past = moves.get(case.pk) if moves is not None else None
            if past is not None:
                cal = work_calendar(policy.calendar if policy else None)
                clocks += plan(case, past, _Context(policy, cal, urgency))
                continue
            targets = ((stage, _target(policy, stage)) for stage in (Stage.ACCEPT, Stage.REPLY, Stage.CLOSE))
            stages = [(stage, target) for stage, target in targets if target is not None]
            if not stages:
                continue
            assert policy is not None
            cal = work_calendar(policy.calendar)
            now = case.created_at
            for stage, target in stages:
                clock = Clock(
                    case_id=case.pk,
                    stage=stage,
                    round=1,
                    policy_id=policy.pk,
                    unit=target.unit,
                    amount=target.amount,
                    started_at=now,
                    department_id=case.lead_department_id,
                    urgency=urgency,
                )
                schedule(clock, cal, now, *policy_numbers(policy))
                clocks.append(clock)
    insert_objects(clocks)


Move = tuple[str, str, dt.datetime]


def plan(case: Case, moves: Sequence[Move], ctx: _Context) -> list[Clock]:
    """The clocks ``case`` would have if the SLA app had watched its ``moves`` (source, target, at) live."""
    clocks: list[Clock] = []
    running: dict[str, Clock] = {}
    rounds: dict[str, int] = defaultdict(int)
    warn_share, escalate_hours = policy_numbers(ctx.policy)

    def start(stage: str, at: dt.datetime) -> None:
        target = _target(ctx.policy, stage)
        if target is None or stage in running:
            return
        rounds[stage] += 1
        clock = Clock(
            case=case,
            stage=stage,
            round=rounds[stage],
            policy=ctx.policy,
            unit=target.unit,
            amount=target.amount,
            started_at=at,
            department_id=case.lead_department_id,
            urgency=ctx.urgency,
        )
        schedule(clock, ctx.cal, at, warn_share, escalate_hours)
        running[stage] = clock
        clocks.append(clock)

    def stop(stage: str, at: dt.datetime) -> None:
        clock = running.pop(stage, None)
        if clock is None:
            return
        clock.stopped_at = at
        clock.working_seconds = ctx.cal.working_seconds_between(clock.started_at, at)
        clock.warn_at = clock.due_at = clock.escalate_at = None

    for stage in (Stage.ACCEPT, Stage.REPLY, Stage.CLOSE):
        start(stage, case.created_at)
    for source, target, at in moves:
        stops: set[str] = set(STOPS.get(target, ()))
        if source == State.RECEIVED:
            stops.add(Stage.ACCEPT)
        for name in stops:
            stop(name, at)
        for name in STARTS.get(target, ()):
            start(name, at)
    return clocks


def on_case_moved(
    case: Case, source: str, target: str, now: dt.datetime | None = None, ctx: _Context | None = None
) -> None:
    now = now or timezone.now()
    stops = STOPS.get(target, ())
    starts = STARTS.get(target, ())
    ctx = ctx or _context(case)
    if source == State.RECEIVED:
        stops = tuple({*stops, Stage.ACCEPT})
    if source == State.SPAM:
        _void_cut_short(case)
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


def _void_cut_short(case: Case) -> None:
    """A spam mark taken back: the clocks the mark stopped lose their deadline, so that the round it cut short is
    not counted in the figures beside the new round its undo starts (stopped early, it would pass as on time)."""
    marked = case.events.filter(action="mark_spam").order_by("-id").values_list("created_at", flat=True).first()
    if marked is not None:  # the mark's event is written just before its move stops the clocks
        Clock.objects.filter(case=case, stopped_at__gte=marked).update(deadline=None, yellow_at=None)


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
                        schedule(clock, ctx.cal, now, *policy_numbers(ctx.policy))
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
    cache = lookups()
    if "sla.urgencies" not in cache:
        active = Policy.objects.filter(active=True).exclude(urgency="")
        cache["sla.urgencies"] = frozenset(active.values_list("urgency", flat=True))
    return bool({before, after} & cache["sla.urgencies"])  # type: ignore[operator]


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
