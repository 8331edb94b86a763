"""Receiving: the one door of every channel, which stores a submission and opens its case with its number."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, ProgrammingError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fankui.audit.services import record_event
from fankui.core import codes, logs, rows
from fankui.core.errors import Conflict, ValidationFailed
from fankui.core.lookups import cached_lookups, lookups
from fankui.core.vocab import Kind
from fankui.intake import services as intake
from fankui.intake.models import Submission

from .. import signals
from ..models import Case, Category, Source, YearCounter
from ..workflow import Actor, State

log = logging.getLogger("fankui.intake")


def _next_number(year: int) -> str:
    """Hand out the next number of ``year`` (2026-000123)."""
    if connection.vendor == "postgresql":
        return f"{year}-{_sequence_value(year):06d}"
    # SQLite runs one writer at a time anyway (its transactions begin IMMEDIATE), so a counter row costs nothing
    # extra there.
    last = rows.increment(YearCounter, "last", year=year)
    if last is None:
        YearCounter.objects.create(year=year, last=1)
        last = 1
    return f"{year}-{last:06d}"


def _sequence_value(year: int) -> int:
    """On PostgreSQL each year has a sequence: unlike a counter row, ``nextval`` holds no lock until commit, so
    concurrent intakes do not queue behind each other (a rolled-back intake leaves a gap in the numbers)."""
    name = f"cases_number_{int(year)}"
    with connection.cursor() as cursor:
        # One round trip in the usual case; no row only when the year's sequence does not exist yet.
        cursor.execute("SELECT nextval(r) FROM (SELECT to_regclass(%s) AS r) AS s WHERE r IS NOT NULL", [name])
        row = cursor.fetchone()
        value = row[0] if row else None
        if value is None:
            try:
                with transaction.atomic():
                    cursor.execute(f"CREATE SEQUENCE IF NOT EXISTS {name}")
            except (IntegrityError, ProgrammingError):
                pass  # another intake created it at the same moment
            cursor.execute("SELECT nextval(%s)", [name])
            value = cursor.fetchone()[0]
    return int(value)


def receive(data: intake.SubmissionInput, *, then: Callable[[Case], object] | None = None) -> tuple[Case, bool]:
    """The one door of every channel (the web form, ``POST /api/v1/submissions``, imports): check everything at once
    (intake's rules for what arrived, the category here), store the submission and open its case, in one
    transaction. Returns ``(case, created)``; ``created`` is False when the idempotency key was seen before, and the
    earlier case is returned.

    The key is not looked up first: the unique constraint on it decides, which saves a query on every new
    submission (the common case) and is also what settles two retries racing each other. A key reused for a
    different text is refused, so a guessed key never hands out somebody else's tracking code.

    ``then`` writes a channel's own row about a new case (the Open311 request, the partner's reference) in the same
    transaction: both are stored or neither, without a savepoint of a transaction around this one."""
    with cached_lookups():
        return _receive(data, then)


def _receive(data: intake.SubmissionInput, then: Callable[[Case], object] | None) -> tuple[Case, bool]:
    clean, files, category, errors = check(data)
    if errors:
        raise ValidationFailed(errors)
    kind = clean["kind"] or Kind.COMPLAINT
    # The attachments written to disk, removed again when the transaction does not commit (a retried key, the
    # database gone, a full disk): nothing of a refused submission is kept, in the database or beside it.
    written: list[str] = []
    try:
        with transaction.atomic():
            submission = intake.store(clean, files, data.received_at, written)
            case = create_case(
                submission, kind=kind, category=category, public_data={"kind": kind, "attachments": len(files)}
            )
            if then is not None:
                then(case)
    except BaseException as exc:
        intake.remove_files(written)
        if not isinstance(exc, IntegrityError):
            raise
        existing = find_by_idempotency_key(clean["idempotency_key"])
        if existing is None:
            raise
        if (existing.submission.body, existing.submission.title) != (clean["body"], clean["title"]):
            raise Conflict(
                _("This Idempotency-Key was already used for a different submission; use a new key for each one.")
            ) from None
        return existing, False
    with logs.context(request_id=submission.request_id, case_id=case.pk):
        log.info(
            "case %s received (%s)", case.pk, submission.channel, extra={"channel": submission.channel, "kind": kind}
        )
    return case, True


def check(data: intake.SubmissionInput) -> tuple[dict[str, Any], list[Any], Category | None, dict[str, list[str]]]:
    """Every rule ``receive`` applies before it writes anything: intake's checks and the chosen category. A dry run
    (``fankui import --dry-run``) asks this and stores nothing."""
    clean, files, errors = intake.check(data)
    with cached_lookups():
        category = _chosen_category(data.category, errors)
    return clean, files, category, errors


def _chosen_category(raw: object, errors: dict[str, list[str]]) -> Category | None:
    """The active category a submitter chose, by id or exact name; an unknown one is added to ``errors``."""
    text = str(raw if raw is not None else "").replace("\x00", "").strip()
    if not text:
        return None
    by_id, by_name = active_categories()
    # Out-of-range ids would overflow the database integer: they simply match nothing.
    values = by_id.get(int(text)) if text.isdigit() and int(text) < 2**63 else by_name.get(text)
    if values is None:
        errors["category"] = [_("Unknown category “%(value)s”.") % {"value": text}]
        return None
    # A fresh instance per intake: the kept rows are shared by the process's threads, instances are not.
    return Category.from_db(None, _CATEGORY_FIELDS, values)


_CATEGORY_FIELDS = [field.attname for field in Category._meta.concrete_fields]


def active_categories() -> tuple[dict[int, tuple[Any, ...]], dict[str, tuple[Any, ...]]]:
    """The active categories' rows by id and by name (the first in the tree's order for a name used twice), kept by
    the process while the categories stay unchanged (``core.lookups``; cases migration 0006 renews the stamp)."""
    cache = lookups()
    if "cases.categories" not in cache:
        rows = list(Category.objects.filter(active=True).values_list(*_CATEGORY_FIELDS))
        pk = _CATEGORY_FIELDS.index("id")
        name = _CATEGORY_FIELDS.index("name")
        by_name: dict[str, tuple[Any, ...]] = {}
        for row in rows:
            by_name.setdefault(row[name], row)
        cache["cases.categories"] = ({row[pk]: row for row in rows}, by_name)
    return cache["cases.categories"]  # type: ignore[return-value]


def find_by_idempotency_key(key: str) -> Case | None:
    if not key:
        return None
    return Case.objects.select_related("submission").filter(submission__idempotency_key=key).order_by().first()


def create_case(
    submission: Submission,
    *,
    kind: str,
    category: Category | None,
    public_data: dict[str, Any] | None = None,
) -> Case:
    """Open the case of a new submission. Called by intake inside its transaction."""
    now = submission.received_at
    case = Case.objects.create(
        submission=submission,
        tracking_code=codes.new_code(),
        number=_next_number(timezone.localtime(now).year),
        kind=kind,
        category=category,
        # What the submitter chose is theirs (the analysis leaves it alone); the rest waits for the analysis.
        kind_source=Source.CITIZEN if submission.kind else "",
        category_source=Source.CITIZEN if category else "",
        created_at=now,
        state_changed_at=now,
    )
    record_event(
        case,
        "receive",
        actor_kind=Actor.CITIZEN,
        to_state=State.RECEIVED,
        public=True,
        data={"channel": submission.channel, **(public_data or {})},
        # An imported submission was received in the past; its timeline starts then, not at the import.
        at=now,
    )
    signals.case_created.send(sender=Case, case=case)
    return case
