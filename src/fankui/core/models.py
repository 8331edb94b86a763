"""The core app's tables: the background workers' heartbeats, and the stamp of the lookups each process keeps
(``core.lookups``; its migrations also keep the history of the settings stamp it once had)."""

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


class LookupStamp(models.Model):
    """One row whose random token the database itself renews whenever a table whose rows processes keep changes
    (the SLA's policies and calendars, the categories, the Open311 clients), by any means: the admin, a queryset
    update, a bulk operation, another program (triggers, ``core.lookups.renewed_by``). Each process keeps what it
    read under the token it read it with (``core.lookups``); one single-row read per operation tells it whether
    that is still current. Random, not a counter: a rolled-back change can never make a copy look current again."""

    token = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return str(self.token)
