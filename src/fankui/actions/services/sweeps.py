"""The worker's sweeps: warn before and at a deadline or milestone, once, and verify an action when its effect
is known."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from fankui.core.errors import Conflict, PermissionDenied
from fankui.notify.wording import Audience, Kind, register

from ..models import Action, ActionEvent, Milestone, State
from ..workflow import Step
from . import local_today, record
from .moves import transition

WARN_DAYS = 3


# The warnings' wording, editable per language in the admin (``notify.wording``; registered by ``ActionsConfig``).
TITLE = gettext_lazy("the improvement action's title")
DATE = gettext_lazy("the date due (2026-11-20)")
MILESTONE = {"title": gettext_lazy("the milestone's title"), "action": TITLE, "date": DATE}
KINDS = (
    Kind(
        "staff:actions:deadline_near",
        gettext_lazy("Improvement action due soon"),
        {"title": TITLE, "date": DATE},
        Audience.STAFF,
    ),
    Kind(
        "staff:actions:deadline_missed",
        gettext_lazy("Improvement action missed its deadline"),
        {"title": TITLE, "date": DATE},
        Audience.STAFF,
    ),
    Kind("staff:actions:milestone_near", gettext_lazy("Milestone due soon"), MILESTONE, Audience.STAFF),
    Kind("staff:actions:milestone_missed", gettext_lazy("Milestone missed"), MILESTONE, Audience.STAFF),
)
SAMPLE = {"title": "背街小巷路灯整改", "action": "背街小巷路灯整改", "date": "2026-11-20"}


def register_kinds() -> None:
    register(KINDS, SAMPLE)


def _warn(action: Action, once_key: str, kind: str, facts: dict[str, Any], subject: str, data: dict[str, Any]) -> bool:
    """Record the warning on the action once and tell its owner and creator, each in their language (``subject``
    is the gettext string the built-in wording fills with ``facts``)."""
    from fankui.notify.services import tell_staff

    if ActionEvent.objects.filter(once_key=once_key).exists():
        return False  # the common case on every later round: no failed insert each time
    with transaction.atomic():
        if record(action, kind, once_key=once_key, message=_(subject) % facts, data=data) is None:
            return False
        people = {action.owner_id: action.owner, action.created_by_id: action.created_by}

        def compose() -> tuple[str, str]:
            return _(subject) % facts, _(subject) % facts

        recipients = [p for p in people.values() if p is not None]
        tell_staff(recipients, f"staff:actions:{kind}", facts, compose, key=once_key)
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
            gettext_noop("Improvement action “%(title)s” missed its deadline (%(date)s)")
            if missed
            else gettext_noop("Improvement action “%(title)s” is due on %(date)s")
        )
        sent += _warn(
            action,
            f"action:{action.pk}:deadline:{stage}:{action.deadline.isoformat()}",
            f"deadline_{stage}",
            {"title": action.title, "date": action.deadline.isoformat()},
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
            gettext_noop("Milestone “%(title)s” of “%(action)s” was due on %(date)s")
            if missed
            else gettext_noop("Milestone “%(title)s” of “%(action)s” is due on %(date)s")
        )
        sent += _warn(
            milestone.action,
            f"action:{milestone.action_id}:milestone:{milestone.pk}:{stage}:{milestone.due.isoformat()}",
            f"milestone_{stage}",
            {"title": milestone.title, "action": milestone.action.title, "date": milestone.due.isoformat()},
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
