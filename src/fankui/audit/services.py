from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db.models import Model
from django.utils import timezone

from .models import Access, Event

logger = logging.getLogger("fankui.audit")

if TYPE_CHECKING:
    from fankui.accounts.models import User


def record_event(
    case: Model,
    action: str,
    *,
    actor: User | None = None,
    actor_kind: str = "staff",
    from_state: str = "",
    to_state: str = "",
    public: bool = False,
    message: str = "",
    data: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> Event:
    """Write one event; ``at`` is for events that happened before now (imports keep their original times)."""
    event = Event(
        case_id=case.pk,
        actor=actor,
        actor_kind=actor_kind,
        action=action,
        from_state=from_state,
        to_state=to_state,
        public=public,
        message=message,
        data=data or {},
        created_at=at or timezone.now(),
    )
    return record_events([event])[0]


# Rows per INSERT statement: the SLA sweep may write a hundred thousand events at once.
BATCH = 1000


def record_events(events: Iterable[Event]) -> list[Event]:
    """Write many unsaved events at once (the SLA sweep, the analysis's batch, a case's steps): the one door to the
    case timeline, which ``record_event`` goes through too. An event with an ``actor`` is a member of staff's; one
    without ``created_at`` happens now."""
    rows = list(events)
    now = timezone.now()
    for event in rows:
        if event.actor_id is not None:
            event.actor_kind = "staff"
        if event.created_at is None:
            event.created_at = now
    return Event.objects.bulk_create(rows, batch_size=BATCH)


def record_access(user: User, case: Model, what: str) -> None:
    Access.objects.create(user=user, case_id=case.pk, what=what)


def record_file_access(user: User, stored_file: int, what: str, *, case_id: int | None = None) -> None:
    """A look at a stored file (``intake.StoredFile``): an attachment of the case ``case_id``, an action's evidence."""
    Access.objects.create(user=user, case_id=case_id, what=what, stored_file=stored_file)


def record_accesses(user: User, cases: Iterable[Model], what: str) -> None:
    """One look at the personal data of several cases (a list found by a phone number), in one statement."""
    Access.objects.bulk_create([Access(user=user, case_id=case.pk, what=what) for case in cases])


def record_login(user_or_username: Any, success: bool, address: str = "") -> None:
    """A sign-in, or a refused one: ``user_or_username`` is the user who signed in, or the name that was typed.

    Stand-in with the signature of the audit trail's own (its ``Entry`` rows come with the tamper-evident chain):
    until then a line in the log, so that the sign-in signals (``audit.logins``) are wired once, here."""
    name = user_or_username if isinstance(user_or_username, str) else user_or_username.get_username()
    logger.info("login %s user=%r address=%s", "ok" if success else "failed", name, address or "-")
