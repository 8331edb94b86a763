"""What the public board (你说我改) shows: public actions and headline figures, from aggregates only.

No citizen's words appear here: actions are written by staff, figures are counts and rates, topics are shown by
their label (built from place and issue words by the analysis, after masking).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.cache import cache
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from fankui.cases.models import Case
from fankui.notify.conf import setting
from fankui.sla.queries import on_time_rates
from fankui.surveys.models import Level, Rating

from . import indicators
from .models import Action, State

ONGOING = (State.APPROVED, State.IN_PROGRESS)
COMPLETED = (State.DONE, State.VERIFIED)
CACHE_SECONDS = 300


def enabled() -> bool:
    return setting("PUBLIC_BOARD", "1").strip().lower() in {"1", "true", "yes", "on"}


def public_actions() -> QuerySet[Action]:
    return Action.objects.filter(public=True, state__in=ONGOING + COMPLETED).select_related("department", "topic")


@dataclass(frozen=True)
class Headline:
    month_start: datetime
    received: int
    on_time_rate: float | None
    satisfaction_rate: float | None
    ratings: int
    top_topics: list[dict[str, Any]]
    actions_done: int
    actions_ongoing: int


def _month_start(now: datetime) -> datetime:
    local = timezone.localtime(now)
    return local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def _on_time(start: datetime, end: datetime) -> float | None:
    """按时办结率: the "close" stage of the SLA clocks due in the period."""
    close = next((row for row in on_time_rates(start, end) if row.stage == "close"), None)
    return round(100 * close.rate, 1) if close is not None and close.rate is not None else None


def headline(now: datetime | None = None) -> Headline:
    now = now or timezone.now()
    key = f"fankui:board:headline:{timezone.localtime(now):%Y%m%d%H}{timezone.localtime(now).minute // 5}"
    cached = cache.get(key)
    if isinstance(cached, Headline):
        return cached
    start = _month_start(now)
    received = Case.objects.filter(created_at__gte=start, created_at__lte=now).count()
    rated = Rating.objects.filter(created_at__gte=start, created_at__lte=now).aggregate(
        total=Count("id"), good=Count("id", filter=Q(level__gte=Level.FAIRLY_SATISFIED))
    )
    satisfaction = round(100 * rated["good"] / rated["total"], 1) if rated["total"] else None
    topics = list(
        Case.objects.filter(created_at__gte=start, created_at__lte=now, analysis__topic__isnull=False)
        .values("analysis__topic_id", "analysis__topic__label")
        .annotate(n=Count("id"))
        .order_by("-n", "analysis__topic_id")[:5]
    )
    on_time = _on_time(start, now)
    states = dict(public_actions().values_list("state").annotate(n=Count("id")).order_by())
    result = Headline(
        month_start=start,
        received=received,
        on_time_rate=on_time,
        satisfaction_rate=satisfaction,
        ratings=rated["total"],
        top_topics=[{"label": t["analysis__topic__label"], "cases": t["n"]} for t in topics],
        actions_done=sum(states.get(s, 0) for s in COMPLETED),
        actions_ongoing=sum(states.get(s, 0) for s in ONGOING),
    )
    cache.set(key, result, CACHE_SECONDS)
    return result


@dataclass(frozen=True)
class BoardItem:
    action: Action
    figures: dict[str, Any]

    @property
    def ongoing(self) -> bool:
        return self.action.state in ONGOING


def items(limit: int = 50) -> tuple[list[BoardItem], list[BoardItem]]:
    """Ongoing (soonest deadline first) and completed (latest first) public actions with their figures."""
    ongoing = [
        BoardItem(a, indicators.figures(a))
        for a in public_actions().filter(state__in=ONGOING).order_by("deadline")[:limit]
    ]
    completed = [
        BoardItem(a, indicators.figures(a))
        for a in public_actions().filter(state__in=COMPLETED).order_by("-done_at", "-id")[:limit]
    ]
    return ongoing, completed
