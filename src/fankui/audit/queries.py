"""Reads of the audit trail: the auditor's search over case events, looks at personal data and general entries, as
one list newest first."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import CharField, F, IntegerField, QuerySet, Value
from django.utils import timezone

from .models import Access, Entry, Event

SOURCES = ("event", "access", "entry")


@dataclass
class AuditFilter:
    actor: int | None = None  # a user's id
    case: str = ""  # a case's number
    kind: str = ""  # an event's action, a look's ``what`` or an entry's kind
    since: date | None = None
    until: date | None = None
    sources: tuple[str, ...] = field(default=SOURCES)

    def as_data(self) -> dict[str, Any]:
        """The filters as the audit entry of the search records them."""
        return {
            "actor": self.actor,
            "case": self.case or None,
            "kind": self.kind,
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
        }


def _moment(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _columns(query: QuerySet[Any], source: str, actor: str, case: Any, kind: str, detail: Any) -> QuerySet[Any]:
    return query.order_by().values_list(
        Value(source, output_field=CharField()),
        "id",
        "created_at",
        F(actor) if actor else Value(None, output_field=IntegerField()),
        case,
        F(kind),
        detail,
    )


def _filtered(query: QuerySet[Any], chosen: AuditFilter, actor: str, case: str | None, kind: str) -> QuerySet[Any]:
    if chosen.actor is not None:
        query = query.filter(**{actor: chosen.actor})
    if chosen.case:
        query = query.filter(**{case: chosen.case}) if case else query.none()
    if chosen.kind:
        query = query.filter(**{kind: chosen.kind})
    if chosen.since:
        query = query.filter(created_at__gte=_moment(chosen.since))
    if chosen.until:
        query = query.filter(created_at__lt=_moment(chosen.until + timedelta(days=1)))
    return query


def search(chosen: AuditFilter) -> QuerySet[Any]:
    """Rows ``(source, id, created_at, actor_id, case_id, kind, detail)``, newest first; ``detail`` is an event's
    move ("accepted" state), a look's stored file, an entry's target. Never a citizen's words or contact."""
    parts = []
    if "event" in chosen.sources:
        events = _filtered(Event.objects.all(), chosen, "actor_id", "case__number", "action")
        parts.append(_columns(events, "event", "actor_id", F("case_id"), "action", F("to_state")))
    if "access" in chosen.sources:
        looks = _filtered(Access.objects.all(), chosen, "user_id", "case__number", "what")
        parts.append(_columns(looks, "access", "user_id", F("case_id"), "what", Value("", output_field=CharField())))
    if "entry" in chosen.sources:
        entries = _filtered(Entry.objects.all(), chosen, "actor_id", None, "kind")
        parts.append(
            _columns(entries, "entry", "actor_id", Value(None, output_field=IntegerField()), "kind", F("target"))
        )
    first, *rest = parts
    return first.union(*rest, all=True).order_by("-created_at", "-id") if rest else first.order_by("-created_at")


@dataclass
class Row:
    source: str
    id: int
    created_at: datetime
    actor: str
    case: str
    kind: str
    detail: str


def named(rows: list[tuple[Any, ...]]) -> list[Row]:
    """A page of ``search`` rows with the actor's username and the case's number, read for the page alone."""
    from fankui.accounts.models import User

    cases = Event._meta.get_field("case").related_model._default_manager  # type: ignore[union-attr]
    users = dict(User.objects.filter(pk__in={r[3] for r in rows if r[3]}).values_list("pk", "username"))
    numbers = dict(cases.filter(pk__in={r[4] for r in rows if r[4]}).values_list("pk", "number"))
    return [
        Row(source, pk, at, users.get(actor, ""), numbers.get(case, ""), kind, detail or "")
        for source, pk, at, actor, case, kind, detail in rows
    ]
