"""Settings of the scheduled report. A Django setting of the same name wins over the environment variable."""

from __future__ import annotations

from django.conf import settings

from fankui.settings import env_bool, env_int, env_list


def weekly() -> bool:
    """FANKUI_REPORT_WEEKLY: also send last week's report early each week."""
    value = getattr(settings, "FANKUI_REPORT_WEEKLY", None)
    return bool(value) if value is not None else env_bool("REPORT_WEEKLY", False)


def recipients_override() -> list[str] | None:
    """FANKUI_REPORT_RECIPIENTS: comma-separated addresses instead of the supervisors' and administrators'."""
    value = getattr(settings, "FANKUI_REPORT_RECIPIENTS", None)
    if value is not None:
        return [value] if isinstance(value, str) else list(value)
    configured = env_list("REPORT_RECIPIENTS", "")
    return configured or None


def send_within_days() -> int:
    """The monthly report goes out on the first days of a month only, so that a worker started mid-month does not
    send last month's report late; the weekly one within as many days of a week's start (at most 7)."""
    return getattr(settings, "FANKUI_REPORT_SEND_WITHIN_DAYS", None) or env_int("REPORT_SEND_WITHIN_DAYS", 3)


def dashboard_cache_seconds() -> int:
    """FANKUI_DASHBOARD_CACHE_SECONDS: how long the dashboard keeps the figures of a scope and period (default 300;
    0 computes them on every request)."""
    value = getattr(settings, "FANKUI_DASHBOARD_CACHE_SECONDS", None)
    return int(value) if value is not None else env_int("DASHBOARD_CACHE_SECONDS", 300)
