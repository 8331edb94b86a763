"""The one door to the audit trail: case events, looks at personal data, and the general entries (sign-ins, changes
of someone's role or rights, exports, searches of the trail). Nothing else writes audit rows."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db.models import Model
from django.utils import timezone

from fankui.core.rows import insert_objects

from .models import TEXT_ID, TEXT_SHA256, Access, Entry, Event, EventText

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


def record_events(events: Iterable[Event]) -> list[Event]:
    """Write many unsaved events at once (the SLA sweep, the analysis's batch, a case's steps): the one door to the
    case timeline, which ``record_event`` goes through too. An event with an ``actor`` is a member of staff's; one
    without ``created_at`` happens now."""
    # ``insert_objects``: the SLA sweep may write a hundred thousand events at once, an import a chunk's timelines.
    rows = list(events)
    now = timezone.now()
    for event in rows:
        if event.actor_id is not None:
            event.actor_kind = "staff"
        if event.created_at is None:
            event.created_at = now
    worded = [event for event in rows if event.message]
    if not worded:  # intake and the sweeps: no words, no extra statement
        insert_objects(rows)
        return rows
    # The words go to their own (erasable) row; the event keeps a reference and a commitment, which the chain seals.
    texts = [EventText(case_id=event.case_id, text=event.message, salt=secrets.token_hex(16)) for event in worded]
    insert_objects(texts)
    for event, text in zip(worded, texts, strict=True):
        event.data = {
            **(event.data or {}),
            TEXT_ID: text.pk,
            TEXT_SHA256: EventText.commitment(text.salt, text.text),
        }
        event.message = ""
    insert_objects(rows)
    saved = rows
    for event, text in zip(worded, texts, strict=True):
        event.message = text.text  # in memory, for whoever reads the event just written
    return saved


def mask_texts(case: Model, mask: Callable[[str], str]) -> None:
    """Pass the staff-written words of ``case``'s events through ``mask``: the submitter's personal data was erased
    (privacy.services, which then records the erasure as an event). A text the mask changes loses its salt, so its
    commitment in the sealed event can no longer be tested against a guess; ``audit verify`` accepts it because the
    case has an erasure event."""
    now = timezone.now()
    for text in EventText.objects.filter(case_id=case.pk, erased_at__isnull=True):
        masked = mask(text.text)
        if masked != text.text:
            text.text, text.salt, text.erased_at = masked, "", now
            text.save(update_fields=["text", "salt", "erased_at"])


def record_access(user: User, case: Model, what: str) -> None:
    Access.objects.create(user=user, case_id=case.pk, what=what)


def record_file_access(user: User, stored_file: int, what: str, *, case_id: int | None = None) -> None:
    """A look at a stored file (``intake.StoredFile``): an attachment of the case ``case_id``, an action's evidence."""
    Access.objects.create(user=user, case_id=case_id, what=what, stored_file=stored_file)


def record_accesses(user: User, cases: Iterable[Model], what: str) -> None:
    """One look at the personal data of several cases (a list found by a phone number), in one statement."""
    Access.objects.bulk_create([Access(user=user, case_id=case.pk, what=what) for case in cases])


def record_entry(
    kind: str,
    *,
    actor: Any = None,
    actor_name: str = "",
    address: str = "",
    target: str = "",
    data: dict[str, Any] | None = None,
) -> Entry:
    """One general audit entry. ``actor`` is a user (or None: a command, the system); ``data`` says what happened
    in figures and codes, never a citizen's personal data."""
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    return Entry.objects.create(
        kind=kind,
        actor=actor,
        actor_name=actor_name or (actor.get_username() if actor is not None else ""),
        address=(address or "")[:45],
        target=target[:200],
        data=data or {},
        created_at=timezone.now(),
    )


def record_login(user_or_username: Any, success: bool, address: str = "") -> Entry:
    """A sign-in, or a refused one: ``user_or_username`` is the user who signed in, or the name that was typed."""
    if isinstance(user_or_username, str):
        return record_entry("login" if success else "login_failed", actor_name=user_or_username[:150], address=address)
    return record_entry("login" if success else "login_failed", actor=user_or_username, address=address)


def record_export(user: Any, what: str, **details: Any) -> Entry:
    """Someone took data away: a report downloaded (``what`` "report", details its period, format and scope), a
    CSV export. Recorded before the file is sent; ``user`` None is a command line (`fankui report`)."""
    target = ":".join([what, *(str(details[k]) for k in sorted(details) if k in ("period", "format"))])
    return record_entry(
        "export",
        actor=user,
        actor_name="" if user is not None else "command",
        target=target,
        data={"what": what, **details},
    )


def record_rights_change(actor: Any, subject: Any, changes: dict[str, list[Any]], *, kind: str = "rights") -> Entry:
    """A change of someone's role, department, superuser or active flag, groups or permissions (``changes``: field
    -> [before, after]); ``actor`` is who changed it (None: a command line or the system)."""
    return record_entry(
        kind,
        actor=actor,
        actor_name="" if actor is not None else "system",
        target=f"user:{subject.pk} {subject.get_username()}"[:200],
        data={"user": subject.pk, "changes": changes},
    )


def record_audit_search(user: Any, filters: dict[str, Any], *, page: int | None = None) -> Entry:
    """A search of the audit trail is itself a look at the trail: who searched, for what."""
    return record_entry("audit_search", actor=user, data={**filters, "page": page})
