"""The worker's sweeps: warn before and at a deadline or milestone, once, and verify an action when its effect
is known."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fankui.core.errors import Conflict, PermissionDenied

from ..models import Action, ActionEvent, Milestone, State
from ..workflow import Step
from . import local_today, record
from .moves import transition

WARN_DAYS = 3


def _warn(action: Action, once_key: str, kind: str, subject: str, body: str, data: dict[str, Any]) -> bool:
    from fankui.notify.services import notify_staff

    if ActionEvent.objects.filter(once_key=once_key).exists():
        return False  # the common case on every later round: no failed insert each time
    with transaction.atomic():
        if record(action, kind, once_key=once_key, message=subject, data=data) is None:
            return False
        people = {action.owner_id: action.owner, action.created_by_id: action.created_by}
        notify_staff([p for p in people.values() if p is not None], subject, body, key=once_key)
    return True


def warn_due() -> int:
    """Warn the owner and the creator once when a milestone or the deadline is near (3 days) and once when missed."""
    today = local_today()
    near = today + timedelta(days=WARN_DAYS)
    sent = 0
    running = Action.objects.filter(state__in=State.running()).select_related("owner", "created_by")
    for action in running.filter(deadline__lte=near):
        missed = action.deadline < today
        stage = "missed" if missed else "near"
        subject = (
            _("Improvement action “%(title)s” missed its deadline (%(date)s)")
            if missed
            else _("Improvement action “%(title)s” is due on %(date)s")
        ) % {"title": action.title, "date": action.deadline.isoformat()}
        sent += _warn(
            action,
            f"action:{action.pk}:deadline:{stage}:{action.deadline.isoformat()}",
            f"deadline_{stage}",
            subject,
            subject,
            {"deadline": action.deadline.isoformat()},
        )
    milestones = Milestone.objects.filter(
        action__state__in=State.running(), done_at__isnull=True, due__lte=near
    ).select_related("action__owner", "action__created_by")
    for milestone in milestones:
        missed = milestone.due < today
        stage = "missed" if missed else "near"
        subject = (
            _("Milestone “%(title)s” of “%(action)s” was due on %(date)s")
            if missed
            else _("Milestone “%(title)s” of “%(action)s” is due on %(date)s")
        ) % {"title": milestone.title, "action": milestone.action.title, "date": milestone.due.isoformat()}
        sent += _warn(
            milestone.action,
            f"action:{milestone.action_id}:milestone:{milestone.pk}:{stage}:{milestone.due.isoformat()}",
            f"milestone_{stage}",
            subject,
            subject,
            {"milestone": milestone.pk, "due": milestone.due.isoformat()},
        )
    return sent


def verify_due() -> int:
    """Verify, with the indicator, every action whose effect is known (``indicators.result_due`` has passed)."""
    from ..indicators import result_due

    done = 0
    now = timezone.now()
    for action in Action.objects.filter(state=State.DONE, done_at__isnull=False):
        due = result_due(action)
        if due is not None and due <= now:
            try:
                transition(action, None, Step.VERIFY)
            except (Conflict, PermissionDenied):
                continue  # another worker verified it just now
            done += 1
    return done
