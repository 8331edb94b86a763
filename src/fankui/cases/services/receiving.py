"""Receiving: the one door of every channel, which stores submissions and opens their cases with their numbers.

``receive`` takes one submission (the web form, the API, e-mail, the operator's desk), ``receive_many`` a batch (a
chunk of an import); ``receive`` is ``receive_many`` of one, so a channel that brings one request and one that brings
a thousand run the same checks and write the same rows (docs/decisions/0011)."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import IntegrityError, ProgrammingError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fankui.audit.models import Event
from fankui.audit.services import record_events
from fankui.core import codes, logs, rows
from fankui.core.errors import Conflict, ValidationFailed
from fankui.core.lookups import cached_lookups, lookups
from fankui.core.text import as_id
from fankui.core.vocab import Kind
from fankui.intake import services as intake

from .. import signals
from ..models import Case, Category, Source, YearCounter
from ..workflow import Actor, State
from . import history

log = logging.getLogger("fankui.intake")


def _next_numbers(year: int, count: int) -> list[str]:
    """Hand out the next ``count`` numbers of ``year`` (2026-000123) with one statement."""
    if connection.vendor == "postgresql":
        return [f"{year}-{value:06d}" for value in _sequence_values(year, count)]
    # SQLite runs one writer at a time anyway (its transactions begin IMMEDIATE), so a counter row costs nothing
    # extra there.
    last = rows.increment(YearCounter, "last", count, year=year)
    if last is None:
        YearCounter.objects.create(year=year, last=count)
        last = count
    return [f"{year}-{value:06d}" for value in range(last - count + 1, last + 1)]


def _sequence_values(year: int, count: int) -> list[int]:
    """On PostgreSQL each year has a sequence: unlike a counter row, ``nextval`` holds no lock until commit, so
    concurrent intakes do not queue behind each other (a rolled-back intake leaves a gap in the numbers). A batch
    takes its ``count`` values in one round trip (not necessarily consecutive when intakes run beside it)."""
    name = f"cases_number_{int(year)}"
    # One round trip in the usual case; no row only when the year's sequence does not exist yet.
    one = "SELECT nextval(r) FROM (SELECT to_regclass(%s) AS r) AS s WHERE r IS NOT NULL"
    many = (
        "SELECT nextval(r) AS v FROM (SELECT to_regclass(%s) AS r) AS s, generate_series(1, %s) "
        "WHERE r IS NOT NULL ORDER BY v"
    )
    with connection.cursor() as cursor:
        params: list[Any] = [name] if count == 1 else [name, count]
        cursor.execute(one if count == 1 else many, params)
        values = [int(row[0]) for row in cursor.fetchall()]
        if not values:
            try:
                with transaction.atomic():
                    cursor.execute(f"CREATE SEQUENCE IF NOT EXISTS {name}")
            except (IntegrityError, ProgrammingError):
                pass  # another intake created it at the same moment
            cursor.execute("SELECT nextval(%s) AS v FROM generate_series(1, %s) ORDER BY v", [name, count])
            values = [int(row[0]) for row in cursor.fetchall()]
    return values


@dataclass
class Received:
    """What became of one submission of a batch: its case (``created`` False: the idempotency key was seen before,
    the earlier case), or intake's problems field by field (nothing stored), or ``conflict`` (the key was used
    before for a different text)."""

    case: Case | None = None
    created: bool = False
    errors: dict[str, list[str]] = field(default_factory=dict)
    conflict: bool = False


def receive(data: intake.SubmissionInput, *, then: Callable[[Case], object] | None = None) -> tuple[Case, bool]:
    """The one door of every channel (the web form, ``POST /api/v1/submissions``, e-mail, the operator's desk): check
    everything at once (intake's rules for what arrived, the category here), store the submission and open its case,
    in one transaction. Returns ``(case, created)``; ``created`` is False when the idempotency key was seen before,
    and the earlier case is returned. ``receive_many`` of one: a batch takes exactly this path.

    ``then`` writes a channel's own row about a new case (the Open311 request, the partner's reference) in the same
    transaction: both are stored or neither, without a savepoint of a transaction around this one."""
    result = receive_many([data], then=then)[0]
    if result.errors:
        raise ValidationFailed(result.errors)
    if result.conflict:
        raise Conflict(
            _("This Idempotency-Key was already used for a different submission; use a new key for each one.")
        )
    assert result.case is not None
    return result.case, result.created


def receive_many(
    items: Sequence[intake.SubmissionInput],
    *,
    histories: Sequence[Sequence[history.Step]] | None = None,
    then: Callable[[Case], object] | None = None,
) -> list[Received]:
    """The bulk door (imports): ``receive`` for a batch, one ``Received`` per item in order. Each item is checked
    alone (a bad one is reported alone, with intake's own messages); the good ones are stored together, in one
    transaction, with one INSERT of submissions, one call of the year's sequence, one INSERT of cases and one of
    events, and one ``cases_created`` signal for the batch.

    ``histories`` (history imports): the recorded steps of each item's past case, replayed in the same transaction
    (``history.replay_many``) before the signal, which then carries each case's moves so the SLA lays out the clocks
    of its past rather than starting new ones.

    The keys are not looked up first: the unique constraint on them decides, which saves a query on every new
    submission (the common case) and also settles two retries racing each other. When it refuses the batch, the
    earlier cases of the keys it holds are read in one query and the rest of the batch is stored again. A key reused
    for a different text is a ``conflict``, so a guessed key never hands out somebody else's tracking code.
    ``then`` is called with each new case inside the transaction (``receive``)."""
    with cached_lookups():
        return _receive_many(items, histories, then)


def _receive_many(
    items: Sequence[intake.SubmissionInput],
    histories: Sequence[Sequence[history.Step]] | None,
    then: Callable[[Case], object] | None,
) -> list[Received]:
    results = [Received() for _item in items]
    todo: list[tuple[int, dict[str, Any], list[Any], Category | None]] = []
    for index, data in enumerate(items):
        clean, files, category, errors = check(data)
        if errors:
            results[index].errors = errors
        else:
            todo.append((index, clean, files, category))
    while todo:
        # The attachments written to disk, removed again when the transaction does not commit (a retried key, the
        # database gone, a full disk): nothing of a refused submission is kept, in the database or beside it.
        written: list[str] = []
        try:
            with transaction.atomic():
                cases = _open(
                    [(clean, files, category, items[index].received_at) for index, clean, files, category in todo],
                    [histories[index] for index, *_rest in todo] if histories is not None else None,
                    written,
                )
                if then is not None:
                    for case in cases:
                        then(case)
        except BaseException as exc:
            intake.remove_files(written)
            if not isinstance(exc, IntegrityError):
                raise
            earlier = _earlier_cases([clean["idempotency_key"] for _i, clean, _f, _c in todo])
            if not earlier:
                raise
            remaining = []
            for index, clean, files, category in todo:
                existing = earlier.get(clean["idempotency_key"])
                if existing is None:
                    remaining.append((index, clean, files, category))
                elif (existing.submission.body, existing.submission.title) != (clean["body"], clean["title"]):
                    results[index].conflict = True
                else:
                    results[index].case = existing
            todo = remaining
            continue
        for (index, *_rest), case in zip(todo, cases, strict=True):
            results[index].case, results[index].created = case, True
            submission = case.submission
            with logs.context(request_id=submission.request_id, case_id=case.pk):
                log.info(
                    "case %s received (%s)",
                    case.pk,
                    submission.channel,
                    extra={"channel": submission.channel, "kind": case.kind},
                )
        break
    return results


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
    pk = as_id(text)
    values = by_id.get(pk) if pk is not None else by_name.get(text)
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


def _earlier_cases(keys: Sequence[str | None]) -> dict[str, Case]:
    """The cases of the given idempotency keys, by key (one query)."""
    wanted = {key for key in keys if key}
    if not wanted:
        return {}
    found = Case.objects.select_related("submission").filter(submission__idempotency_key__in=wanted).order_by()
    return {case.submission.idempotency_key: case for case in found if case.submission.idempotency_key}


Opening = tuple[dict[str, Any], list[Any], Category | None, datetime | None]


def _open(
    batch: Sequence[Opening], histories: Sequence[Sequence[history.Step]] | None, written: list[str]
) -> list[Case]:
    """Store checked submissions (``check``'s values and good files) and open their cases, in the caller's
    transaction: the submissions, their numbers, the cases and their ``receive`` events each in one statement."""
    submissions = intake.store_many([(clean, files, received_at) for clean, files, _c, received_at in batch], written)
    years: dict[int, list[int]] = defaultdict(list)
    for position, submission in enumerate(submissions):
        years[timezone.localtime(submission.received_at).year].append(position)
    numbers: list[str] = [""] * len(submissions)
    for year, positions in years.items():
        for position, number in zip(positions, _next_numbers(year, len(positions)), strict=True):
            numbers[position] = number
    cases = [
        Case(
            submission=submission,
            tracking_code=codes.new_code(),
            number=number,
            kind=clean["kind"] or Kind.COMPLAINT,
            category=category,
            # What the submitter chose is theirs (the analysis leaves it alone); the rest waits for the analysis.
            kind_source=Source.CITIZEN if submission.kind else "",
            category_source=Source.CITIZEN if category else "",
            created_at=submission.received_at,
            state_changed_at=submission.received_at,
        )
        for submission, number, (clean, _f, category, _r) in zip(submissions, numbers, batch, strict=True)
    ]
    rows.insert_objects(cases)
    record_events(
        Event(
            case_id=case.pk,
            actor_kind=Actor.CITIZEN,
            action="receive",
            to_state=State.RECEIVED,
            public=True,
            data={"channel": case.submission.channel, "kind": case.kind, "attachments": len(files)},
            # An imported submission was received in the past; its timeline starts then, not at the import.
            created_at=case.created_at,
        )
        for case, (_clean, files, _c, _r) in zip(cases, batch, strict=True)
    )
    moves = history.replay_many(list(zip(cases, histories, strict=True))) if histories is not None else None
    signals.cases_created.send(sender=Case, cases=cases, moves=moves)
    return cases
