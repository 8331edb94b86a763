"""The core app's writes: a worker's heartbeat."""

from __future__ import annotations

import os
import socket
from datetime import datetime, timedelta

from django.db.models import F
from django.utils import timezone

from .models import WorkerHeartbeat

# Rows of workers gone this long are removed when a worker starts; the latest beat is all anyone reads.
FORGET_AFTER = timedelta(days=7)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:200]


def beat(name: str, started_at: datetime) -> None:
    """Stamp worker ``name``'s heartbeat now (one UPDATE; the INSERT only on its first round)."""
    now = timezone.now()
    updated = WorkerHeartbeat.objects.filter(name=name).update(beat_at=now, rounds=F("rounds") + 1)
    if not updated:
        WorkerHeartbeat.objects.filter(beat_at__lt=now - FORGET_AFTER).delete()
        WorkerHeartbeat.objects.update_or_create(
            name=name,
            defaults={"pid": os.getpid(), "started_at": started_at, "beat_at": now, "rounds": 1},
        )
