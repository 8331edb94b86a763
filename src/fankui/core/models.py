"""The core app's one table: the background workers' heartbeats (its migrations also keep the history of the
settings stamp it once had)."""

from __future__ import annotations

from django.db import models


class WorkerHeartbeat(models.Model):
    """One running `fankui worker`, stamped at the end of every round of sweeps (core.services.beat). A worker that
    stopped stamping is dead or stuck: /readyz fails and staff pages say so (core.health)."""

    # host:pid, unique while the process lives; a restarted worker has a new row.
    name = models.CharField(max_length=200, unique=True)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    beat_at = models.DateTimeField()
    rounds = models.PositiveBigIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["-beat_at"], name="core_heartbeat_latest")]

    def __str__(self) -> str:
        return f"{self.name} {self.beat_at:%Y-%m-%d %H:%M:%S}"
