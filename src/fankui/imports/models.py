"""A bulk import of a CSV or xlsx file (docs/imports.md): the job, its chunks of rows (the unit a worker claims and
commits), and what became of every row (the report is written from these)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    UPLOADED = "uploaded", _("Uploaded: choose the columns")
    QUEUED = "queued", _("Waiting for the worker")
    SCANNING = "scanning", _("Reading the file")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


class ImportJob(models.Model):
    """One run over one file, dry or for real. The file is kept under the data directory with a name of our own
    (``path``); ``mapping`` says which column feeds which field of a submission (``mapping.FIELDS``)."""

    original_name = models.CharField(_("file name"), max_length=255)
    # Relative to FANKUI_DATA_DIR/imports; the file as uploaded or named on the command line.
    path = models.CharField(max_length=500)
    size = models.BigIntegerField(default=0)
    # "csv" or "xlsx"; an xlsx is turned into rows of JSON once (``reading.scan``) so chunks can be read by offset.
    format = models.CharField(max_length=10)
    # The encoding a CSV was found in ("utf-8-sig", "gb18030"), filled by the scan.
    encoding = models.CharField(max_length=20, blank=True)
    header = models.JSONField(default=list, blank=True)
    mapping = models.JSONField(default=dict, blank=True)
    # Where the rows came from: part of every row's idempotency key, so two systems' "id 1" stay apart.
    source = models.CharField(_("source system"), max_length=50, default="import")
    history = models.BooleanField(_("import as history"), default=True)
    dry_run = models.BooleanField(_("dry run"), default=False)
    # The language of the person who started it: the reasons and the report are written in it.
    language = models.CharField(max_length=10, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.UPLOADED, db_index=True)
    # A sentence for the person who started it when the whole file cannot be used (wrong columns, not a CSV).
    error = models.TextField(blank=True)
    total_rows = models.PositiveIntegerField(null=True, blank=True)
    chunk_size = models.PositiveIntegerField(default=200)
    report = models.CharField(max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")

    def __str__(self) -> str:
        return f"{self.pk} {self.original_name}"

    @property
    def finished(self) -> bool:
        return self.status in (Status.DONE, Status.FAILED, Status.CANCELLED)


class Chunk(models.Model):
    """A run of consecutive rows of a job, read from ``offset`` (bytes into the file or its JSON rows). A worker
    claims one, works it in one transaction and marks it done in that same transaction, so a crash loses at most the
    chunk in hand, which the next claim redoes from its first row."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="chunks")
    index = models.PositiveIntegerField()
    first_row = models.PositiveIntegerField()
    rows = models.PositiveIntegerField()
    offset = models.BigIntegerField()
    done = models.BooleanField(default=False)
    imported = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["job", "index"], name="import_chunk_once")]
        indexes = [models.Index(fields=["job", "done", "index"], name="import_chunk_todo")]

    def __str__(self) -> str:
        return f"{self.job_id}:{self.first_row}+{self.rows}"


class Outcome(models.TextChoices):
    IMPORTED = "imported", _("Imported")
    VALID = "valid", _("Valid (dry run)")
    SKIPPED = "skipped", _("Skipped")
    FAILED = "failed", _("Not imported")


class Row(models.Model):
    """What became of one row of the file (its spreadsheet row number: the header is row 1)."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="results")
    row = models.PositiveIntegerField()
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    # The row's idempotency key: finds a duplicate row of the same file in a dry run, where no case is written.
    key = models.CharField(max_length=64)
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    source_id = models.CharField(max_length=100, blank=True)
    reason = models.TextField(blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["job", "row"], name="import_row_once")]
        indexes = [models.Index(fields=["job", "key"], name="import_row_key")]

    def __str__(self) -> str:
        return f"{self.job_id}:{self.row} {self.outcome}"
