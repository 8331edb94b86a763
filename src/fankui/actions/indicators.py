"""The indicator of an action: is the problem shrinking? Compared over equal windows before the action was approved
and after it was done.

- topic_weekly: cases that joined the hot topic, per week (lower is better);
- department_satisfaction: the satisfaction rate (``rates.department_satisfaction``: satisfied ratings, 基本满意 and
  better, of the department's cases) in percent (higher is better).

The effect is not known before the whole window after completion has passed: until ``result_due`` the "after"
figure and the verdict are pending (a window of a few hours holds no case, which once read as "0.0, target
reached" on the day an action was marked done).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.utils import timezone

from fankui.cases.models import Case

from . import rates
from .models import Action, Indicator


@dataclass(frozen=True)
class Window:
    start: datetime
    end: datetime

    @property
    def weeks(self) -> float:
        return max((self.end - self.start).total_seconds() / (7 * 86400), 1 / 7)


def measure(action: Action, window: Window) -> float | None:
    """The indicator's value over ``window``; None when there is nothing to measure (no ratings, say)."""
    if window.end <= window.start:
        return None
    if action.indicator == Indicator.TOPIC_WEEKLY and action.topic_id is not None:
        n = Case.objects.filter(
            analysis__topic_id=action.topic_id, created_at__gte=window.start, created_at__lt=window.end
        ).count()
        return round(n / window.weeks, 2)
    if action.indicator == Indicator.DEPARTMENT_SATISFACTION:
        return rates.department_satisfaction(action.department, window.start, window.end).percent
    return None


def lower_is_better(action: Action) -> bool:
    return action.indicator == Indicator.TOPIC_WEEKLY


def result_due(action: Action) -> datetime | None:
    """When the effect is known and the action can be verified: once the whole window after completion
    (``indicator_weeks``) and the verification delay (``verify_after_days``) have both passed. None until done."""
    if action.done_at is None:
        return None
    return action.done_at + max(timedelta(weeks=action.indicator_weeks), timedelta(days=action.verify_after_days))


def windows(action: Action) -> tuple[Window, Window | None]:
    """Before: the chosen weeks up to approval (or creation). After: as many weeks from "done"."""
    span = timedelta(weeks=action.indicator_weeks)
    start = action.approved_at or action.created_at
    before = Window(start - span, start)
    if action.done_at is None:
        return before, None
    return before, Window(action.done_at, action.done_at + span)


def met(action: Action, before: float | None, after: float | None) -> bool | None:
    if after is None:
        return None
    if action.indicator_target is not None:
        return after <= action.indicator_target if lower_is_better(action) else after >= action.indicator_target
    if before is None:
        return None
    return after < before if lower_is_better(action) else after > before


def evaluate(action: Action, now: datetime | None = None) -> dict[str, Any]:
    """Before and after figures, and whether the target (or, without one, an improvement) was reached. Before
    ``result_due`` the after figure and the verdict are None and ``pending`` is true."""
    now = now or timezone.now()
    if action.indicator == Indicator.NONE:
        return {"indicator": Indicator.NONE, "checked_at": now.isoformat()}
    before_window, after_window = windows(action)
    due = result_due(action)
    pending = due is None or now < due
    before = measure(action, before_window)
    after = None if pending or after_window is None else measure(action, after_window)
    return {
        "indicator": action.indicator,
        "before": before,
        "after": after,
        "target": action.indicator_target,
        "met": None if pending else met(action, before, after),
        "pending": pending,
        "result_due": due.isoformat() if due else None,
        "before_window": [before_window.start.isoformat(), before_window.end.isoformat()],
        "after_window": [after_window.start.isoformat(), after_window.end.isoformat()] if after_window else None,
        "checked_at": now.isoformat(),
    }


def figures(action: Action, now: datetime | None = None) -> dict[str, Any]:
    """What the pages show: the recorded verification, or the figures as they stand now; with ``known_on``, the
    local day the effect is (or was) known, for "pending until ..."."""
    recorded = action.indicator_result or {}
    shown = dict(recorded) if recorded.get("indicator") not in (None, Indicator.NONE) else evaluate(action, now)
    due = result_due(action)
    shown["known_on"] = timezone.localtime(due).date() if due else None
    return shown


def weekly_series(action: Action, weeks: int = 12, today: date | None = None) -> list[dict[str, Any]]:
    """The indicator week by week (Monday to Sunday) for the chart, oldest first, with each bar's share of the
    largest."""
    if action.indicator == Indicator.NONE:
        return []
    today = today or timezone.localdate()
    monday = today - timedelta(days=today.weekday())
    tz = timezone.get_current_timezone()
    rows: list[dict[str, Any]] = []
    for back in range(weeks - 1, -1, -1):
        start_day = monday - timedelta(weeks=back)
        start = datetime.combine(start_day, datetime.min.time(), tz)
        value = measure(action, Window(start, start + timedelta(weeks=1)))
        if action.indicator == Indicator.TOPIC_WEEKLY and value is not None:
            value = round(value)  # a whole week: the count itself
        rows.append({"week": start_day, "value": value})
    top = max((float(r["value"] or 0) for r in rows), default=0.0) or 1.0
    for row in rows:
        row["share"] = round(100 * (row["value"] or 0) / top)
    return rows
