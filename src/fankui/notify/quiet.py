"""Quiet hours: what may wait until morning does (issue 15, "Out").

``FANKUI_QUIET_HOURS`` ("22:00-08:00", in the site's time zone ``TIME_ZONE``; empty: none) holds back, until the end
of the period, by ``Message.next_attempt_at``:

- staff e-mail that is not urgent (the in-app row appears at once, as always);
- SMS to citizens, except what they are waiting for at that moment: a one-time code they asked for and the receipt
  of the request they just made. A 12345 centre does not text people at 3 am that their request was accepted.

E-mail to citizens is not held back: it is read when the person chooses. Urgent for staff (``is_urgent``): a
deadline reached or overdue and escalated (``sla:<clock>:urge`` / ``escalate``), 督办 (``sla:supervised:*``), and
whatever the caller marks ``urgent`` (an emergency). A message retried during the period waits too.
"""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta

from django.conf import settings
from django.utils import timezone

from .models import Channel

_WINDOW = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")
URGENT_STAFF_KEYS = re.compile(r"^sla:(\d+:(urge|escalate)|supervised:)")
CITIZEN_AT_ONCE_KEYS = re.compile(r"^(privacy-code:|case:\d+:receipt$)")


def parse(value: str) -> tuple[time, time] | None:
    """``"22:00-08:00"`` as (start, end); None for empty. ``ValueError`` for anything else."""
    if not value.strip():
        return None
    found = _WINDOW.match(value)
    if found is None:
        raise ValueError(value)
    h1, m1, h2, m2 = (int(part) for part in found.groups())
    start, end = time(h1, m1), time(h2, m2)  # ValueError for 25:00
    if start == end:
        raise ValueError(value)
    return start, end


def window() -> tuple[time, time] | None:
    try:
        return parse(settings.FANKUI_QUIET_HOURS)
    except ValueError:
        return None  # the system check (checks.quiet_hours_are_valid) says so; a typo must not stop messages


def end_of_quiet(moment: datetime) -> datetime | None:
    """When the quiet period that ``moment`` falls in ends; None when it falls in none."""
    period = window()
    if period is None:
        return None
    start, end = period
    local = timezone.localtime(moment)
    now = local.time()
    inside = (start <= now < end) if start < end else (now >= start or now < end)
    if not inside:
        return None
    day = local.date() if now < end else local.date() + timedelta(days=1)
    return timezone.make_aware(datetime.combine(day, end), local.tzinfo)


def is_urgent(key: str) -> bool:
    return bool(URGENT_STAFF_KEYS.match(key))


def holds(channel: str, key: str, *, staff: bool, urgent: bool = False, requested: bool = False) -> bool:
    """Whether quiet hours apply to this message at all."""
    if staff:
        return channel == Channel.EMAIL and not urgent and not is_urgent(key)
    return channel == Channel.SMS and not requested and not CITIZEN_AT_ONCE_KEYS.match(key)


def not_before(
    moment: datetime, channel: str, key: str, *, staff: bool, urgent: bool = False, requested: bool = False
) -> datetime:
    """``moment``, or the end of the quiet period it falls in when the message may wait."""
    if not holds(channel, key, staff=staff, urgent=urgent, requested=requested):
        return moment
    return end_of_quiet(moment) or moment
