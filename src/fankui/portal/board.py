"""What the public board (你说我改) shows: public actions and headline figures, from aggregates only.

No citizen's words appear here unless staff approved them: actions are written by staff, figures are counts and
rates, and a hot topic's label (made from its cases' titles, so from citizens' words) is shown only once a
supervisor or an administrator approved that very label (``topics.services.is_public``). Every text on the board,
its feed and widget goes through ``nlp.public.public_text``: even approved, no person's name or phone number.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, QuerySet
from django.utils import timezone

from fankui.actions import indicators, rates
from fankui.actions.models import Action, State
from fankui.nlp.public import public_text
from fankui.topics import services as topics
from fankui.topics.models import Topic

ONGOING = (State.APPROVED, State.IN_PROGRESS)
COMPLETED = (State.DONE, State.VERIFIED)
CACHE_SECONDS = 300
# How many of the month's busiest topics are kept with the cached figures; the board shows the first approved five.
TOPIC_CANDIDATES = 200
TOP_TOPICS = 5


def enabled() -> bool:
    return settings.FANKUI_PUBLIC_BOARD


def public_actions() -> QuerySet[Action]:
    return Action.objects.filter(public=True, state__in=ONGOING + COMPLETED).select_related("department", "topic")


@dataclass(frozen=True)
class Headline:
    """The month so far for the whole organisation: the same figures, by the same definitions (``rates``), as the
    staff dashboard and the report of this month show at the same moment."""

    month_start: datetime
    as_of: datetime
    received: int
    on_time: rates.Figure
    satisfaction: rates.Figure
    # (topic id, cases this month), busiest first: which of them may be shown is read at each request (``top_topics``),
    # so an approval or its withdrawal shows at once, not after the cache.
    topic_counts: list[tuple[int, int]]
    actions_done: int
    actions_ongoing: int
    # Received this month and marked as spam or abuse: in none of the figures above, and the board says so.
    excluded: int = 0

    @property
    def on_time_rate(self) -> float | None:
        return self.on_time.percent

    @property
    def satisfaction_rate(self) -> float | None:
        return self.satisfaction.percent

    @property
    def ratings(self) -> int:
        return self.satisfaction.denominator


def month_bounds(now: datetime) -> tuple[datetime, datetime]:
    """The local calendar month around ``now``: [first local midnight, first local midnight of the next month)."""
    first = timezone.localtime(now).date().replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return (
        timezone.make_aware(datetime.combine(first, time.min)),
        timezone.make_aware(datetime.combine(following, time.min)),
    )


def headline(now: datetime | None = None) -> Headline:
    now = now or timezone.now()
    key = f"fankui:board:headline:{timezone.localtime(now):%Y%m%d%H}{timezone.localtime(now).minute // 5}"
    cached = cache.get(key)
    if isinstance(cached, Headline):
        return cached
    start, end = month_bounds(now)
    topics = list(
        rates.received(None, start, end)
        .filter(analysis__topic__isnull=False)
        .values("analysis__topic_id")
        .annotate(n=Count("id"))
        .order_by("-n", "analysis__topic_id")
        .values_list("analysis__topic_id", "n")[:TOPIC_CANDIDATES]
    )
    states = dict(public_actions().values_list("state").annotate(n=Count("id")).order_by())
    result = Headline(
        month_start=start,
        as_of=now,
        received=rates.received(None, start, end).count(),
        on_time=rates.on_time(start, end, now=now),
        satisfaction=rates.satisfaction(None, start, end),
        topic_counts=[(topic_id, n) for topic_id, n in topics],
        actions_done=sum(states.get(s, 0) for s in COMPLETED),
        actions_ongoing=sum(states.get(s, 0) for s in ONGOING),
        excluded=rates.excluded(None, start, end),
    )
    cache.set(key, result, CACHE_SECONDS)
    return result


def top_topics(figures: Headline) -> list[dict[str, Any]]:
    """The busiest topics of the month whose label staff approved for public pages, labels masked."""
    ids = [topic_id for topic_id, _ in figures.topic_counts]
    approved = dict(Topic.objects.filter(topics.public_filter(), pk__in=ids).values_list("pk", "label"))
    shown = [(approved[topic_id], n) for topic_id, n in figures.topic_counts if topic_id in approved]
    return [{"label": public_text(label), "cases": n} for label, n in shown[:TOP_TOPICS]]


@dataclass(frozen=True)
class BoardItem:
    action: Action
    figures: dict[str, Any]

    @property
    def ongoing(self) -> bool:
        return self.action.state in ONGOING

    @property
    def topic_label(self) -> str:
        """The action's topic as the public may read it: "" until staff approved the topic's current label."""
        topic = self.action.topic
        return public_text(topic.label) if topic is not None and topics.is_public(topic) else ""


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
