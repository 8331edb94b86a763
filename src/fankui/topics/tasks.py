"""The hot-topic sweep: heat and growth move with time even when no case arrives, so a topic nothing counted for an
hour is recounted, relabelled from its latest cases, and retired when nothing new came for ``candidates.TOPIC_DAYS``
days. Placement counts the topics it starts or joins as it goes (``services.apply_figures`` stamps ``refreshed_at``):
the sweep used to recount every topic just started as well, a third of the worker's time under steady intake."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from .candidates import TOPIC_DAYS
from .models import Topic
from .placement import load_staff_words
from .services import refresh_topic

# How stale heat may get: growth is counted in 7-day windows, so an hour is plenty.
REFRESH_EVERY = timedelta(hours=1)
BATCH = 200


def refresh_topics(now: datetime | None = None) -> int:
    """Recount stale active topics and retire quiet ones; returns how many topics it changed."""
    now = now or timezone.now()
    retired = Topic.objects.filter(active=True, last_seen_at__lt=now - timedelta(days=TOPIC_DAYS)).update(
        active=False, refreshed_at=now
    )
    stale = Q(refreshed_at__isnull=True) | Q(refreshed_at__lt=now - REFRESH_EVERY)
    ids = list(
        Topic.objects.filter(stale, active=True).order_by("refreshed_at", "id").values_list("id", flat=True)[:BATCH]
    )
    if ids:
        load_staff_words()
    handled = 0
    for topic_id in ids:
        with transaction.atomic():
            rows = Topic.objects.filter(stale, id=topic_id, active=True)
            if connection.features.has_select_for_update_skip_locked:
                # Another worker refreshing the same topic: leave it to that one.
                rows = rows.select_for_update(skip_locked=True)
            topic = rows.first()
            if topic is None:
                continue
            refresh_topic(topic, now=now, relabel=True)  # stamps ``refreshed_at``
            handled += 1
    return retired + handled


SWEEPS: list[tuple[str, Callable[[], int]]] = [("topics.refresh_topics", refresh_topics)]
