"""Deadlines of past cases: the clocks of the demo's cases and of imported history (and the demo's default policies).

The demo and imports write their histories with ``cases.services.history.replay`` (no signals), so the clocks are
rebuilt here from each case's recorded moves, at the times they happened, with the same start/stop rules as live moves
(``STOPS`` and ``STARTS``), in memory, and written with one insert per batch. Closed cases get finished clocks (so the
on-time figures have a past), open ones running clocks.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Sequence

from django.db import transaction

from fankui.audit.models import Event
from fankui.cases.models import Case
from fankui.cases.workflow import State

from . import calendar
from .defaults import ensure_defaults
from .models import Clock, Policy, Stage
from .services import lookups
from .services.clocks import STARTS, STOPS, _Context, _context, _target, policy_numbers, schedule


def clocks_of(case: Case, moves: Sequence[tuple[str, str, dt.datetime]]) -> list[Clock]:
    """The clocks, unsaved, of one past ``case`` whose ``moves`` (source, target, at) were replayed: its policy and
    calendar as a live case of its kind and urgency would have."""
    return plan(case, moves, _context(case))


def plan(case: Case, moves: Sequence[tuple[str, str, dt.datetime]], ctx: _Context) -> list[Clock]:
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


def install(out: Callable[[str], None], batch: int = 500) -> int:
    """Create the default policies and the clocks of every case that has none. Returns the clocks written."""
    ensure_defaults(reapply=False)
    written = 0
    ids = list(Case.objects.exclude(sla_clocks__isnull=False).values_list("pk", flat=True))
    with lookups.cached_lookups():
        for first in range(0, len(ids), batch):
            chunk = ids[first : first + batch]
            moves: dict[int, list[tuple[str, str, dt.datetime]]] = defaultdict(list)
            events = Event.objects.filter(case_id__in=chunk).exclude(to_state="").exclude(from_state="")
            for case_id, source, target, at in events.order_by("created_at", "id").values_list(
                "case_id", "from_state", "to_state", "created_at"
            ):
                moves[case_id].append((source, target, at))
            clocks: list[Clock] = []
            cases = Case.objects.filter(pk__in=chunk).select_related(
                "submission", "category__parent__parent", "lead_department", "analysis"
            )
            for case in cases:
                clocks += clocks_of(case, moves[case.pk])
            with transaction.atomic():
                Clock.objects.bulk_create(clocks)
            written += len(clocks)
    out(f"Deadlines: {Policy.objects.count()} policies, {written} clocks for {len(ids)} cases.")
    return written


__all__ = ["calendar", "install", "plan"]
