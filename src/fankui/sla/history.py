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

from . import calendar
from .defaults import ensure_defaults
from .models import Clock, Policy
from .services import lookups
from .services.clocks import _context, plan


def clocks_of(case: Case, moves: Sequence[tuple[str, str, dt.datetime]]) -> list[Clock]:
    """The clocks, unsaved, of one past ``case`` whose ``moves`` (source, target, at) were replayed: its policy and
    calendar as a live case of its kind and urgency would have."""
    return plan(case, moves, _context(case))


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
