"""The reminder to rate a reply: ``FANKUI_RATING_REMINDER_DAYS`` after the reply, once, while the rating window is
still open (``cases.services.moves.close_unrated`` closes the case when it passes)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from fankui.audit.services import record_event
from fankui.cases.models import Case
from fankui.cases.workflow import Actor, State

from .. import notices
from ..models import RatingReminder


def send_rating_reminders(now: datetime | None = None, batch: int = 200) -> int:
    """Remind the submitters of replied cases not rated for ``FANKUI_RATING_REMINDER_DAYS`` (run by the worker).
    Each reply once: ``RatingReminder``'s unique reply, checked with the case locked. Returns how many were due."""
    days = settings.FANKUI_RATING_REMINDER_DAYS
    if days <= 0 or days >= settings.FANKUI_RATING_WINDOW_DAYS:
        return 0  # off, or the case closes before a reminder would be due
    now = now or timezone.now()
    reminded = RatingReminder.objects.filter(case=OuterRef("pk"), sent_at__gte=OuterRef("replied_at"))
    ids = list(
        Case.objects.filter(
            state=State.REPLIED,
            replied_at__lte=now - timedelta(days=days),
            replied_at__gt=now - timedelta(days=settings.FANKUI_RATING_WINDOW_DAYS),
        )
        .filter(~Exists(reminded))
        .values_list("pk", flat=True)[:batch]
    )
    done = 0
    for pk in ids:
        with transaction.atomic():
            locked = Case.objects.select_for_update(skip_locked=_skip_locked()).filter(pk=pk, state=State.REPLIED)
            case = locked.select_related("submission").first()
            if case is None:  # rated, reopened or taken by another worker meanwhile
                continue
            reply = case.replies.order_by("-created_at", "-id").first()
            if reply is None or RatingReminder.objects.filter(reply=reply).exists():
                continue
            queued = notices.remind_to_rate(case, reply.pk)
            RatingReminder.objects.create(case=case, reply=reply, queued=queued, sent_at=now)
            record_event(case, "rating_reminder", actor_kind=Actor.SYSTEM, data={"reply": reply.pk, "queued": queued})
            done += 1
    return done


def _skip_locked() -> bool:
    """Another worker's locked case is skipped where the database can (PostgreSQL); SQLite locks the whole file."""
    return bool(connection.features.has_select_for_update_skip_locked)
