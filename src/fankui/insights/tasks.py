"""Background work of the insights app: the monthly (and optionally weekly) analysis report by e-mail."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings

from . import periods, services
from .models import ReportRun


def _due(period: periods.Period) -> bool:
    # The cheap check first, so a sweep every few seconds costs one indexed read once the period is sent.
    return not ReportRun.objects.filter(period=period.key, sent_at__isnull=False).exists()


def send_monthly_report() -> int:
    """On the first days of a month, e-mail last month's report (once)."""
    if periods.today().day > settings.FANKUI_REPORT_SEND_WITHIN_DAYS:
        return 0
    period = periods.last_month()
    return int(_due(period) and services.send_period_report(period))


def send_weekly_report() -> int:
    """With FANKUI_REPORT_WEEKLY on, early in each week e-mail last week's report (once)."""
    within = min(7, settings.FANKUI_REPORT_SEND_WITHIN_DAYS)
    if not settings.FANKUI_REPORT_WEEKLY or periods.today().weekday() >= within:
        return 0
    period = periods.last_week()
    return int(_due(period) and services.send_period_report(period))


# Collected by `fankui worker` (core/management/commands/worker.py).
SWEEPS: list[tuple[str, Callable[[], int]]] = [
    ("send_monthly_report", send_monthly_report),
    ("send_weekly_report", send_weekly_report),
]
