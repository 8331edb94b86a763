"""System checks of the SLA app, printed by ``fankui check`` (and every command that runs the checks)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig
from django.core import checks
from django.db import DatabaseError
from django.utils import timezone

CALENDAR_RUNS_OUT = "sla.W001"


def calendar_coverage(app_configs: Sequence[AppConfig] | None = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Warn a quarter (``FANKUI_CALENDAR_WARN_DAYS``) before the working calendar's known holidays run out.

    It reads the database for the years entered by hand; a database that is not there or not migrated yet still
    gets the answer for the package's years alone."""
    from . import calendar
    from .services import calendars

    try:
        coverage = calendars.calendar_coverage()
    except DatabaseError:
        until = calendar.known_until(())
        left = (until - timezone.localdate()).days
        coverage = calendars.Coverage(until, left, left < calendars.calendar_warn_days())
    if not coverage.warn:
        return []
    return [
        checks.Warning(
            coverage.message,
            hint="See docs/sla.md, “Next year's holidays”.",
            id=CALENDAR_RUNS_OUT,
        )
    ]


def register() -> None:
    checks.register(calendar_coverage, "sla")
