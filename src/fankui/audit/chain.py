"""The tamper-evident seal of the audit trail, built the way transparency logs are: rows are written freely (intake
never reads a previous hash, so it is never serialised), and the worker's ``audit_seal`` sweep later seals the
committed rows into hash-linked blocks (``Seal``). ``verify`` recomputes everything and names the first row that was
changed, removed or inserted.

A block of one table (a *stream*) covers every id in ``(first_id - 1, last_id]``: it lists each row present there,
in id order, with the digest of its canonical form. So a changed row no longer matches its digest, a removed row is
listed but missing, and a row that appears inside a sealed range (an id gap filled, or a row with an id below the
seal) is present but not listed. Every block's hash covers its contents and the hash of the block before it, so a
block cannot be altered, dropped or reordered without breaking the chain after it.

Sealing only what is committed: rows get their ids when inserted but become visible when committed, and not in the
same order on PostgreSQL. The sweep therefore first takes the *horizon*: on PostgreSQL it briefly locks the audit
tables in SHARE mode (waiting for the transactions writing them to finish, holding new writers for that moment; it
gives up after ``LOCK_TIMEOUT`` and tries next round) and reads the largest ids; every id up to them is then
committed or gone for good. On SQLite writers are serialised, so the largest visible id is the horizon.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import Max, Model
from django.utils import timezone

from .models import ERASED, TEXT_ID, TEXT_SHA256, Access, Entry, Event, EventText, Seal

# Each stream: its model and the fields of its canonical form, in order (the id first).
STREAMS: dict[str, tuple[type[Model], tuple[str, ...]]] = {
    "event": (
        Event,
        (
            "id",
            "case_id",
            "actor_id",
            "actor_kind",
            "action",
            "from_state",
            "to_state",
            "public",
            "message",
            "data",
            "created_at",
        ),
    ),
    "access": (Access, ("id", "user_id", "case_id", "what", "stored_file", "created_at")),
    "entry": (Entry, ("id", "kind", "actor_id", "actor_name", "address", "target", "data", "created_at")),
}
DATA = STREAMS["event"][1].index("data")
# Rows per block: a block's leaves are 24 bytes a row.
BLOCK = 1000
LOCK_TIMEOUT = "200ms"
# Blocks written by one pass at most: a backlog is sealed over several rounds.
PASS_LIMIT = 200
GENESIS = "0" * 64
READ_CHUNK = 5000


# One encoder for every row: json.dumps builds a new one per call when given options.
_ENCODER = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def digest(stream: str, row: tuple[Any, ...]) -> bytes:
    """The first 16 bytes of the SHA-256 of a row's canonical form: JSON of the stream and the field values, the
    last of which (every stream's ``created_at``, its one time) in UTC with microseconds."""
    at = row[-1]
    moment = at.astimezone(UTC).isoformat(timespec="microseconds") if isinstance(at, datetime) else at
    canonical = _ENCODER.encode([stream, *row[:-1], moment])
    return hashlib.sha256(canonical.encode()).digest()[:16]


def leaf(row_id: int, row_digest: bytes) -> bytes:
    return row_id.to_bytes(8, "big") + row_digest


def block_hash(previous: str, number: int, stream: str, first_id: int, last_id: int, leaves: bytes) -> str:
    head = f"{previous}:{number}:{stream}:{first_id}:{last_id}:".encode()
    return hashlib.sha256(head + hashlib.sha256(leaves).digest()).hexdigest()


def rows(stream: str, after: int | None, upto: int | None = None) -> Iterator[tuple[Any, ...]]:
    """The rows of ``stream`` with ``after < id <= upto`` (None: no bound), in id order, as tuples of the canonical
    fields."""
    model, fields = STREAMS[stream]
    query = model.objects.all()  # type: ignore[attr-defined]
    if after is not None:
        query = query.filter(id__gt=after)
    if upto is not None:
        query = query.filter(id__lte=upto)
    return query.order_by("id").values_list(*fields).iterator(chunk_size=READ_CHUNK)


# --- Sealing -----------------------------------------------------------------------------------------------------
def horizon() -> dict[str, int] | None:
    """The largest id of each stream below which every row is committed (or will never exist); None when the
    tables could not be locked in time (PostgreSQL: a long transaction is writing them; next round)."""
    models = {stream: model for stream, (model, _) in STREAMS.items()}
    try:
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
                    tables = ", ".join(m._meta.db_table for m in models.values())
                    cursor.execute(f"LOCK TABLE {tables} IN SHARE MODE")
            return {
                stream: model.objects.aggregate(top=Max("id"))["top"] or 0  # type: ignore[attr-defined]
                for stream, model in models.items()
            }
    except DatabaseError:
        return None


def _last_sealed() -> tuple[Seal | None, dict[str, int]]:
    last = Seal.objects.order_by("-number").first()
    ends = {stream: Seal.objects.filter(stream=stream).aggregate(top=Max("last_id"))["top"] or 0 for stream in STREAMS}
    return last, ends


def seal(limit: int = PASS_LIMIT) -> int:
    """Seal committed rows not sealed yet, in blocks of up to ``BLOCK`` rows, at most ``limit`` blocks. Returns the
    number of rows sealed. Safe on many workers: block numbers and ranges are unique, and a worker that loses the
    race stops until the next round."""
    top = horizon()
    if top is None:
        return 0
    sealed = 0
    blocks = 0
    last, ends = _last_sealed()
    for stream in STREAMS:
        pending: list[bytes] = []
        first_id = ends[stream] + 1
        for row in rows(stream, ends[stream], top[stream]):
            pending.append(leaf(row[0], digest(stream, row)))
            if len(pending) == BLOCK:
                last = _write_block(last, stream, first_id, row[0], pending)
                if last is None:
                    return sealed
                sealed, blocks, first_id, pending = sealed + BLOCK, blocks + 1, row[0] + 1, []
                if blocks >= limit:
                    return sealed
        if pending:
            # The last block reaches the horizon: the gaps below it are rolled-back rows, gone for good.
            last = _write_block(last, stream, first_id, top[stream], pending)
            if last is None:
                return sealed
            sealed, blocks = sealed + len(pending), blocks + 1
            if blocks >= limit:
                return sealed
    return sealed


def _write_block(last: Seal | None, stream: str, first_id: int, last_id: int, leaves: list[bytes]) -> Seal | None:
    number = last.number + 1 if last else 1
    previous = last.hash if last else GENESIS
    data = b"".join(leaves)
    block = Seal(
        number=number,
        stream=stream,
        first_id=first_id,
        last_id=last_id,
        count=len(leaves),
        leaves=data,
        previous=previous,
        hash=block_hash(previous, number, stream, first_id, last_id, data),
        sealed_at=timezone.now(),
    )
    try:
        with transaction.atomic():
            block.save()
    except IntegrityError:  # another worker sealed this range or took this number first
        return None
    return block


# --- Verifying ---------------------------------------------------------------------------------------------------
@dataclass
class Report:
    ok: bool
    problem: str = ""
    blocks: int = 0
    sealed: int = 0
    unsealed: int = 0
    head: str = GENESIS


def _split(leaves: bytes) -> list[tuple[int, bytes]]:
    return [(int.from_bytes(leaves[i : i + 8], "big"), leaves[i + 8 : i + 24]) for i in range(0, len(leaves), 24)]


def first_difference(stream: str, stored: bytes, found: bytes) -> str:
    """Name the first row where a block's stored leaves and the leaves recomputed from the table differ."""
    expected, actual = _split(stored), _split(found)
    for i in range(max(len(expected), len(actual))):
        want = expected[i] if i < len(expected) else None
        got = actual[i] if i < len(actual) else None
        if want == got:
            continue
        if want is None or (got is not None and got[0] < want[0]):
            return f"{stream} {got[0]} inserted"  # type: ignore[index]
        if got is None or got[0] > want[0]:
            return f"{stream} {want[0]} removed"
        return f"{stream} {want[0]} changed"
    return f"{stream}: block differs"


def verify(expect_head: str = "") -> Report:
    """Recompute every block from the tables and check the chain. The first problem, in the order the blocks were
    sealed, is named: "event 1234 changed", "access 77 removed", "entry 5 inserted", "seal 12 ...". ``expect_head``
    is a block hash written down earlier (``fankui audit verify`` prints the head): it must still be in the chain."""
    report = Report(ok=True)
    previous = GENESIS
    readers = {stream: rows(stream, None) for stream in STREAMS}
    pushed: dict[str, tuple[Any, ...] | None] = {}
    seen_head = not expect_head
    ends = dict.fromkeys(STREAMS, 0)
    texts: dict[Any, tuple[int, Any]] = {}
    for block in Seal.objects.order_by("number").iterator(chunk_size=100):
        report.blocks += 1
        number = report.blocks
        leaves = bytes(block.leaves)
        if block.number != number or block.previous != previous:
            return _fail(report, f"seal {number} missing or out of order (found {block.number})")
        if block.count * 24 != len(leaves) or block.hash != block_hash(
            previous, number, block.stream, block.first_id, block.last_id, leaves
        ):
            return _fail(report, f"seal {number} changed")
        if block.first_id != ends[block.stream] + 1:
            return _fail(report, f"seal {number} does not follow the previous {block.stream} seal")
        found = []
        reader = readers[block.stream]
        row = pushed.pop(block.stream, None) or next(reader, None)
        while row is not None and row[0] <= block.last_id:
            if row[0] < block.first_id:  # below every seal of its table, or in a range already checked
                return _fail(report, f"{block.stream} {row[0]} inserted")
            found.append(leaf(row[0], digest(block.stream, row)))
            if block.stream == "event" and isinstance(row[DATA], dict) and TEXT_ID in row[DATA]:
                texts[row[DATA][TEXT_ID]] = (row[0], row[DATA].get(TEXT_SHA256))
            row = next(reader, None)
        pushed[block.stream] = row
        data = b"".join(found)
        if data != leaves:
            return _fail(report, first_difference(block.stream, leaves, data))
        if texts:  # the words of this block's events, a query per block at most
            problem = check_texts(texts)
            if problem:
                return _fail(report, problem)
            texts = {}
        ends[block.stream] = block.last_id
        report.sealed += block.count
        previous = block.hash
        seen_head = seen_head or block.hash == expect_head
    report.head = previous
    report.unsealed = sum((1 if pushed.get(stream) else 0) + sum(1 for _ in readers[stream]) for stream in STREAMS)
    if not seen_head:
        return _fail(report, f"head {expect_head} is not in the chain: seals were removed or rewritten")
    return report


def check_texts(texts: dict[Any, tuple[int, Any]]) -> str:
    """The words of sealed events (``EventText``, outside the append-only tables so that erasure can mask them),
    against the commitments the events hold (``texts``: text id -> (event id, commitment), one block's). A text
    must exist and match its commitment, or have been masked by an erasure that the case's sealed timeline records.
    The first problem in the order of the events is named."""
    ids = [pk for pk in texts if isinstance(pk, int)]
    rows = {
        pk: (case_id, text, salt, erased_at)
        for pk, case_id, text, salt, erased_at in EventText.objects.filter(pk__in=ids).values_list(
            "pk", "case_id", "text", "salt", "erased_at"
        )
    }
    masked_cases = {row[0] for row in rows.values() if row[3] is not None}
    erased = set(
        Event.objects.filter(action=ERASED, case_id__in=masked_cases).values_list("case_id", flat=True)
        if masked_cases
        else ()
    )
    for pk, (event_id, commitment) in sorted(texts.items(), key=lambda item: item[1][0]):
        if pk not in rows:
            return f"event {event_id} text {pk} removed"
        case_id, text, salt, erased_at = rows[pk]
        if erased_at is not None:
            if case_id not in erased:
                return f"event {event_id} text {pk} masked without an erasure of its case"
        elif not salt or EventText.commitment(salt, text) != commitment:
            return f"event {event_id} text {pk} changed"
    return ""


def _fail(report: Report, problem: str) -> Report:
    report.ok = False
    report.problem = problem
    return report
