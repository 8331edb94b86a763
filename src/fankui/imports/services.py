"""Bulk import (docs/imports.md): each chunk of rows goes through the one intake door's bulk form,
``cases.services.receiving.receive_many`` (``receive`` is a batch of one of it), with the histories that bring its
past cases to their recorded end; a dry run asks only the checks it applies, ``receiving.check``.

A job is worked in chunks of rows. A worker claims a chunk (``SKIP LOCKED``: several workers or processes share one
file), works it in one transaction and marks it done in that transaction, so a crash loses only the chunk in hand,
which is done again from its first row: the import resumes after the last committed row. Every row carries an
idempotency key (its identifier in the source, else a digest of the row), so the same file imported twice creates
nothing twice.
"""

from __future__ import annotations

import csv
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from fankui.accounts.models import Department, Role
from fankui.audit.services import record_entry, record_export
from fankui.cases.services.history import Step
from fankui.cases.services.receiving import check, receive_many
from fankui.cases.workflow import Action, Actor
from fankui.core.errors import Conflict, ValidationFailed
from fankui.core.rows import insert_objects
from fankui.intake.models import Submission
from fankui.nlp.csvio import write_table

from . import files, mapping, reading
from .models import Chunk, ImportJob, Outcome, Row, Status
from .translate import RowError, Translated, translate

log = logging.getLogger("fankui.imports")

FORMATS = {".csv": "csv", ".txt": "csv", ".xlsx": "xlsx"}
# A scan that has not finished after this long was cut short (its worker died): another worker starts it again.
SCAN_LEASE = timedelta(minutes=15)


def file_format(name: str) -> str:
    fmt = FORMATS.get(Path(name).suffix.lower())
    if fmt is None:
        raise reading.BadFile(_("Only .csv and .xlsx files can be imported; this one is “%(name)s”.") % {"name": name})
    return fmt


# --- Creating and starting a job ------------------------------------------------------------------------------------
def create_job(
    path: Path,
    original_name: str,
    *,
    user: Any = None,
    given: dict[str, str] | None = None,
    source: str = "import",
    history: bool = True,
    chunk_size: int | None = None,
    keep: bool = False,
) -> ImportJob:
    """A job over a file of this machine (``path``): its header read, the mapping completed from it. ``keep``: a copy
    of the file is put in the store (``files``) for a worker on any machine; else it is read where it is (a file
    named on the command line and imported by that command)."""
    fmt = file_format(original_name)
    header = peek_header(path, fmt)
    size = path.stat().st_size
    name = files.keep(path, files.new_name("", fmt), move=False) if keep else str(path)
    return ImportJob.objects.create(
        original_name=original_name[:255],
        path=name,
        size=size,
        format=fmt,
        header=header,
        mapping=mapping.complete(header, given or {}),
        source=(source or "import")[:50],
        history=history,
        chunk_size=chunk_size or settings.FANKUI_IMPORT_CHUNK_ROWS,
        created_by=user if getattr(user, "is_authenticated", False) else None,
        created_at=timezone.now(),
    )


def save_upload(upload: UploadedFile, user: Any, **options: Any) -> ImportJob:
    """Keep an uploaded file in the store (``files``) with a name of our own, and make its job."""
    name = upload.name or "import.csv"
    fmt = file_format(name)
    if upload.size is not None and upload.size > settings.FANKUI_IMPORT_MAX_BYTES:
        raise reading.BadFile(
            _("The file is larger than %(mb)d MB.") % {"mb": settings.FANKUI_IMPORT_MAX_BYTES // (1024 * 1024)}
        )
    path = files.scratch(fmt)
    with path.open("wb") as out:
        for block in upload.chunks():
            out.write(block)
    try:
        return create_job(path, name, user=user, keep=True, **options)
    finally:
        path.unlink(missing_ok=True)


def peek_header(path: Path, fmt: str) -> list[str]:
    """The first row of a file, read without going through the rest (the admin page's column choices); the whole
    file is checked when the job is scanned. ``BadFile`` when it has none."""
    if path.stat().st_size == 0:
        raise reading.BadFile(_("The file is empty."))
    if fmt == "xlsx":
        header = reading.xlsx_header(path)
    else:
        with path.open("rb") as handle:
            head = handle.read(256 * 1024)
        if head.startswith(b"PK\x03\x04"):
            raise reading.BadFile(reading.zipped())
        if b"\x00" in head:
            raise reading.BadFile(reading.binary())
        line = head.split(b"\n", 1)[0]
        for encoding in reading.ENCODINGS:
            try:
                text = line.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise reading.BadFile(reading.unknown_encoding())
        header = [name.strip() for name in next(csv.reader([text]), [])]
    if not any(header):
        raise reading.BadFile(_("The file has no header row (the first row must name the columns)."))
    return header


def start(job: ImportJob, user: Any, *, dry_run: bool, given: dict[str, str] | None = None) -> ImportJob:
    """Queue a job for the worker (or for ``run``): a dry run or the real import, with the mapping chosen. A dry
    run's job can be started again for real; its rows' results are replaced."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job.pk)
        if job.status not in (Status.UPLOADED, Status.DONE) or (job.status == Status.DONE and not job.dry_run):
            raise Conflict(_("This import has already been started."))
        chosen = mapping.complete(job.header, given) if given is not None else job.mapping
        problem = mapping.check(job.header, chosen)
        if problem:
            raise ValidationFailed({"mapping": [problem]})
        job.results.all().delete()
        job.chunks.all().delete()
        job.mapping, job.dry_run, job.status, job.error = chosen, dry_run, Status.QUEUED, ""
        job.language = translation.get_language() or settings.LANGUAGE_CODE
        job.started_at = job.finished_at = None
        job.total_rows, job.report = None, ""
        job.save()
        # Who ran which file, and how: the audit trail's general entries (docs/security.md).
        record_entry(
            "import_dry_run" if dry_run else "import",
            actor=user,
            actor_name="" if getattr(user, "is_authenticated", False) else "command",
            target=f"import:{job.pk} {job.original_name}"[:200],
            data={"job": job.pk, "file": job.original_name, "size": job.size, "history": job.history},
        )
    return job


# --- Scanning -------------------------------------------------------------------------------------------------------
def scan(job: ImportJob) -> bool:
    """Find the file's encoding, rows and chunks, once (the worker that claims the job). False when another worker
    has it or the file cannot be used (the job then fails with the reason)."""
    now = timezone.now()
    claimed = ImportJob.objects.filter(pk=job.pk).filter(
        Q(status=Status.QUEUED) | Q(status=Status.SCANNING, started_at__lt=now - SCAN_LEASE)
    )
    if not claimed.update(status=Status.SCANNING, started_at=now):
        return False
    job.refresh_from_db()
    rows_out = files.scratch("jsonl")
    try:
        with translation.override(job.language or settings.LANGUAGE_CODE):
            if not files.exists(job.path):
                raise reading.BadFile(_("The file %(name)s is not there any more.") % {"name": job.original_name})
            found = reading.scan(files.local(job.path), job.format, job.chunk_size, rows_out)
            problem = mapping.check(found.header, job.mapping)
            if problem:
                raise reading.BadFile(problem)
            if found.total == 0:
                raise reading.BadFile(_("The file has a header but no rows."))
        if rows_out.exists():  # an xlsx's rows, for the workers that read its chunks
            files.keep(rows_out, files.rows_name(job.pk), move=True)
    except reading.BadFile as exc:
        _fail(job, str(exc))
        return False
    finally:
        rows_out.unlink(missing_ok=True)
    with transaction.atomic():
        Chunk.objects.bulk_create(
            [
                Chunk(job=job, index=number, first_row=first, rows=rows, offset=offset)
                for number, (first, rows, offset) in enumerate(found.chunks)
            ],
            batch_size=1000,
            ignore_conflicts=True,
        )
        ImportJob.objects.filter(pk=job.pk).update(
            status=Status.RUNNING, encoding=found.encoding, header=found.header, total_rows=found.total
        )
    job.refresh_from_db()
    return True


def _fail(job: ImportJob, reason: str) -> None:
    ImportJob.objects.filter(pk=job.pk).update(status=Status.FAILED, error=reason, finished_at=timezone.now())
    job.refresh_from_db()


# --- Working the rows -----------------------------------------------------------------------------------------------
@dataclass
class Context:
    """What every row of a chunk shares: the column positions, the departments by name and code, the clock."""

    job: ImportJob
    columns: dict[str, int]
    width: int
    departments: dict[str, int]
    names: dict[int, str]
    now: datetime
    window: timedelta


def _context(job: ImportJob) -> Context:
    departments: dict[str, int] = {}
    names: dict[int, str] = {}
    for pk, name, code in Department.objects.values_list("pk", "name", "code"):
        departments.setdefault(name, pk)
        departments.setdefault(code, pk)
        names[pk] = name
    return Context(
        job=job,
        columns=mapping.indexes(job.header, job.mapping),
        width=len(job.header),
        departments=departments,
        names=names,
        now=timezone.now(),
        window=timedelta(days=settings.FANKUI_RATING_WINDOW_DAYS),
    )


def work_chunk(job: ImportJob, ctx: Context | None = None) -> int:
    """Claim one chunk of ``job`` that is not done, work it and mark it done, in one transaction. Returns how many
    rows it handled (0: none left to claim).

    The chunk's rows go through ``receive_many`` together: it checks each before it writes, and keeps its own
    savepoint for repeated keys. Should anything else fail in a row (a database error in its history), the chunk is
    rolled back and worked again ``careful``ly, a savepoint per row, so that row alone is reported and the chunk
    does not fail forever."""
    ctx = ctx or _context(job)
    try:
        return _claim_and_work(ctx, careful=False)
    except Exception:
        log.exception("import %s: a chunk failed; working it again row by row", job.pk)
        return _claim_and_work(ctx, careful=True)


def _claim_and_work(ctx: Context, *, careful: bool) -> int:
    job = ctx.job
    with transaction.atomic():
        chunk = Chunk.objects.select_for_update(skip_locked=True).filter(job=job, done=False).order_by("index").first()
        if chunk is None:
            return 0
        with translation.override(job.language or settings.LANGUAGE_CODE):
            results = list(_work(ctx, chunk, careful))
        insert_objects(results)
        chunk.done = True
        chunk.imported = sum(1 for r in results if r.outcome in (Outcome.IMPORTED, Outcome.VALID))
        chunk.skipped = sum(1 for r in results if r.outcome == Outcome.SKIPPED)
        chunk.failed = sum(1 for r in results if r.outcome == Outcome.FAILED)
        chunk.save(update_fields=["done", "imported", "skipped", "failed"])
    return chunk.rows


def _work(ctx: Context, chunk: Chunk, careful: bool) -> list[Row]:
    job = ctx.job
    # This machine's copy of the file, or of the rows made from an xlsx (the workbook itself is not read again).
    if job.format == "xlsx":
        source, rows = Path(job.path), files.local(files.rows_name(job.pk))
    else:
        source, rows = files.local(job.path), Path()
    cells_of = reading.read_chunk(source, job.format, job.encoding, chunk.offset, chunk.rows, rows)
    translated: list[tuple[int, Translated | None, str]] = []
    for number, cells in enumerate(cells_of, start=chunk.first_row):
        try:
            translated.append(
                (number, translate(cells, ctx.width, ctx.columns, source=job.source, history=job.history), "")
            )
        except RowError as exc:
            translated.append((number, None, str(exc)))
    keys = [t.key for _n, t, _e in translated if t is not None]
    seen = _earlier_rows(job, keys)
    # A dry run writes nothing, so rows imported before are found by their keys (one query for the chunk).
    before = _imported_before(keys) if job.dry_run else {}
    results: list[Row] = []
    pending: list[Pending] = []
    for number, item, error in translated:
        if item is None:
            results.append(Row(job=job, row=number, outcome=Outcome.FAILED, key="", reason=error))
            continue
        row = Row(job=job, row=number, key=item.key, source_id=item.source_id, reason=item.note)
        results.append(row)
        if item.key in seen:
            row.outcome = Outcome.SKIPPED
            row.reason = _("Same as row %(row)d of this file.") % {"row": seen[item.key]}
        elif job.dry_run:
            _dry(ctx, item, row, before)
            if row.outcome != Outcome.FAILED:
                seen.setdefault(item.key, number)
        else:
            department = _department(ctx, item, row)
            if row.outcome != Outcome.FAILED:
                pending.append((row, item, department))
    _import(ctx, pending, careful)
    return results


# A row to import: its result (filled in here), what it says, its lead department.
Pending = tuple[Row, Translated, int | None]


def _earlier_rows(job: ImportJob, keys: list[str]) -> dict[str, int]:
    """The rows of this job, in chunks already done, that have one of ``keys``: a duplicate row is named by the row it
    repeats. One query per chunk (the rows' key index)."""
    if not keys:
        return {}
    earlier = Row.objects.filter(job=job, key__in=set(keys)).exclude(outcome=Outcome.FAILED)
    return dict(earlier.order_by("-row").values_list("key", "row"))


def _reason(errors: dict[str, list[str]]) -> str:
    return " ".join(f"{field}: {' '.join(str(m) for m in messages)}" for field, messages in errors.items())


def _department(ctx: Context, item: Translated, row: Row) -> int | None:
    """The lead department a row names (by name or code), or None; an unknown one fails the row."""
    if not item.department:
        return None
    department = ctx.departments.get(item.department)
    if department is None:
        row.outcome, row.reason = Outcome.FAILED, _("Unknown department “%(value)s”.") % {"value": item.department}
    return department


def _imported_before(keys: list[str]) -> dict[str, str]:
    found = Submission.objects.filter(idempotency_key__in=set(keys))
    return {key: number for key, number in found.values_list("idempotency_key", "case__number") if key}


def _dry(ctx: Context, item: Translated, row: Row, before: dict[str, str]) -> None:
    """Everything ``receive`` would check, and whether the row was imported before; nothing is written."""
    _clean, _files, _category, errors = check(item.data)
    if errors:
        row.outcome, row.reason = Outcome.FAILED, _reason(errors)
        return
    _department(ctx, item, row)
    if row.outcome == Outcome.FAILED:
        return
    existing = before.get(item.key)
    if existing is not None:
        row.outcome = Outcome.SKIPPED
        row.reason = _("Imported before as case %(number)s.") % {"number": existing}
    else:
        row.outcome = Outcome.VALID


def _import(ctx: Context, pending: list[Pending], careful: bool) -> None:
    """Import the chunk's rows through the bulk door, ``receive_many``, all at once. A row that repeats an earlier
    row of the chunk (its key) waits for it: skipped as the same when the earlier one went in, tried in the next
    round when it failed (its text may be the one intake takes)."""
    while pending:
        batch: list[Pending] = []
        later: list[Pending] = []
        keys: set[str] = set()
        for entry in pending:
            (later if entry[1].key in keys else batch).append(entry)
            keys.add(entry[1].key)
        if careful:
            for entry in batch:
                _receive(ctx, [entry], careful=True)
        else:
            _receive(ctx, batch, careful=False)
        went_in = {item.key: row.row for row, item, _d in batch if row.outcome != Outcome.FAILED}
        pending = []
        for row, item, department in later:
            if item.key in went_in:
                row.outcome = Outcome.SKIPPED
                row.reason = _("Same as row %(row)d of this file.") % {"row": went_in[item.key]}
            else:
                pending.append((row, item, department))


def _receive(ctx: Context, batch: list[Pending], *, careful: bool) -> None:
    """``receive_many`` for ``batch``, with each row's history when the job imports history. ``careful`` (one row
    at a time, after the chunk failed once): in a savepoint, so a row that fails is reported alone."""
    histories = [_steps(ctx, item, department) for _row, item, department in batch] if ctx.job.history else None
    try:
        if careful:
            with transaction.atomic():
                results = receive_many([item.data for _r, item, _d in batch], histories=histories)
        else:
            results = receive_many([item.data for _r, item, _d in batch], histories=histories)
    except Exception as exc:
        if not careful:
            raise
        row = batch[0][0]
        log.exception("import %s: row %s failed", ctx.job.pk, row.row)
        row.outcome = Outcome.FAILED
        row.reason = _("This row could not be imported (%(error)s).") % {"error": type(exc).__name__}
        return
    for (row, item, _department), result in zip(batch, results, strict=True):
        if result.errors:
            row.outcome, row.reason = Outcome.FAILED, _reason(result.errors)
        elif result.conflict:
            row.outcome = Outcome.FAILED
            row.reason = _(
                "A row with the identifier %(id)s was imported before with a different text; it was not imported again."
            ) % {"id": item.source_id or "-"}
        elif result.created:
            row.case, row.outcome = result.case, Outcome.IMPORTED
        else:
            assert result.case is not None
            row.case, row.outcome = result.case, Outcome.SKIPPED
            row.reason = _("Imported before as case %(number)s.") % {"number": result.case.number}


def _steps(ctx: Context, item: Translated, department: int | None) -> list[Step]:
    """The recorded end of a past case as workflow steps. Only the times received and replied are known: the case
    is accepted, dispatched and started when it was received, replied when it was, and closed when the file says so
    or when the rating window has passed since the reply (as the live system would have closed it)."""
    if not item.reply or item.replied_at is None or item.state == "received":
        return []
    received = item.data.received_at or item.replied_at
    # The file names no department: the timeline says so instead of an empty name.
    dispatch: dict[str, Any] = {"imported": True, "lead_department_name": _("not in the imported file")}
    if department is not None:
        dispatch = {
            "lead_department": department,
            "lead_department_name": ctx.names[department],
            "assist_departments": [],
            "assist_department_names": [],
            "imported": True,
        }
    steps = [
        Step(Action.ACCEPT, received, Actor.SYSTEM, data={"imported": True}),
        Step(Action.DISPATCH, received, Actor.SYSTEM, data=dispatch),
        Step(Action.START, received, Role.HANDLER, data={"imported": True}),
        Step(Action.REPLY, item.replied_at, Role.HANDLER, data={"imported": True}, reply=item.reply),
    ]
    if item.state == "closed":
        steps.append(Step(Action.CLOSE, item.replied_at, Actor.SYSTEM, data={"reason": "imported"}))
    elif not item.state and item.replied_at + ctx.window < ctx.now:
        steps.append(
            Step(Action.CLOSE, item.replied_at + ctx.window, Actor.SYSTEM, data={"reason": "rating_window_passed"})
        )
    return steps


# --- Finishing ------------------------------------------------------------------------------------------------------
def finish(job: ImportJob) -> bool:
    """Once every chunk is done: write the report and mark the job done (one worker does it). False when chunks are
    still open or another worker finished it."""
    with transaction.atomic():
        locked = ImportJob.objects.select_for_update(skip_locked=True).filter(pk=job.pk, status=Status.RUNNING).first()
        if locked is None or Chunk.objects.filter(job=locked, done=False).exists():
            return False
        locked.report = write_report(locked)
        locked.status = Status.DONE
        locked.finished_at = timezone.now()
        locked.save(update_fields=["report", "status", "finished_at"])
        counts = progress(locked)
        record_entry(
            "import_finished",
            actor=locked.created_by,
            actor_name="" if locked.created_by else "command",
            target=f"import:{locked.pk} {locked.original_name}"[:200],
            data={
                "job": locked.pk,
                "dry_run": locked.dry_run,
                **{k: counts[k] for k in COUNTS},
            },
        )
    job.refresh_from_db()
    if not job.dry_run:
        delete_files(job)
    return True


COUNTS = ("imported", "skipped", "failed")
REPORT_COLUMNS = ("row", "outcome", "case", "source_id", "reason")


def write_report(job: ImportJob) -> str:
    """The report file, kept in the store (``files``; its name is returned): one line per row of the file, with its
    outcome, its case and the reason, in row order. Cells go through ``nlp.cells.neutralise`` (``write_table``): a
    reason quotes the row, which may start with "="."""
    path = files.scratch("csv")
    labels = dict(Outcome.choices)

    def lines() -> Iterator[dict[str, Any]]:
        rows = job.results.order_by("row").values_list("row", "outcome", "case__number", "source_id", "reason")
        for number, outcome, case, source_id, reason in rows.iterator(chunk_size=2000):
            yield {
                "row": number,
                "outcome": str(labels.get(outcome, outcome)),
                "case": case or "",
                "source_id": source_id,
                "reason": reason,
            }

    try:
        with translation.override(job.language or settings.LANGUAGE_CODE):
            write_table(path, REPORT_COLUMNS, lines())
        return files.keep(path, files.new_name(f"report-{job.pk}-", "csv"), move=True)
    finally:
        path.unlink(missing_ok=True)


def report_download(job: ImportJob, user: Any) -> IO[bytes] | None:
    """The report to send (None when it is gone), recorded as an export before it is sent (docs/security.md)."""
    if not job.report or not files.exists(job.report):
        return None
    record_export(user, "import_report", job=job.pk, format="csv")
    return files.open_for_reading(job.report)


def cancel(job: ImportJob) -> None:
    ImportJob.objects.filter(pk=job.pk).exclude(status__in=[Status.DONE, Status.FAILED]).update(
        status=Status.CANCELLED, finished_at=timezone.now()
    )
    job.refresh_from_db()


# --- Progress and running -------------------------------------------------------------------------------------------
def progress(job: ImportJob) -> dict[str, Any]:
    """Rows done, by outcome, the share done and the last row committed (the import resumes after it)."""
    done = job.chunks.filter(done=True).aggregate(
        rows=Sum("rows"), imported=Sum("imported"), skipped=Sum("skipped"), failed=Sum("failed")
    )
    total = job.total_rows or 0
    first_open = job.chunks.filter(done=False).order_by("index").values_list("first_row", flat=True).first()
    rows_done = done["rows"] or 0
    return {
        "total": total,
        "done": rows_done,
        "imported": done["imported"] or 0,
        "skipped": done["skipped"] or 0,
        "failed": done["failed"] or 0,
        "percent": int(100 * rows_done / total) if total else (100 if job.status == Status.DONE else 0),
        "last_row": (first_open - 1) if first_open is not None else (total + 1 if total else 0),
    }


def run(job: ImportJob, *, budget: float | None = None, out: Callable[[ImportJob], None] | None = None) -> int:
    """Work ``job`` as far as it goes: scan it if nobody has, claim chunks until none is left (or ``budget`` seconds
    have passed), finish it. Safe in many processes at once. Returns the rows handled here."""
    started = time.monotonic()
    job.refresh_from_db()
    if job.status in (Status.QUEUED, Status.SCANNING):
        scan(job)
    if job.status != Status.RUNNING:
        return 0
    ctx = _context(job)
    handled = 0
    while budget is None or time.monotonic() - started < budget:
        if ImportJob.objects.filter(pk=job.pk, status=Status.RUNNING).count() == 0:
            break  # cancelled
        rows = work_chunk(job, ctx)
        if not rows:
            break
        handled += rows
        if out is not None:
            out(job)
    finish(job)
    return handled


def pending_jobs() -> list[ImportJob]:
    now = timezone.now()
    return list(
        ImportJob.objects.filter(
            Q(status__in=[Status.QUEUED, Status.RUNNING]) | Q(status=Status.SCANNING, started_at__lt=now - SCAN_LEASE)
        ).order_by("created_at")
    )


def delete_files(job: ImportJob) -> None:
    """The uploaded file and the rows made from an xlsx, once imported for real: they hold people's requests and
    contact details. Only what is in the store (an upload); a file named on the command line stays."""
    files.forget(files.rows_name(job.pk))
    files.forget(job.path)
