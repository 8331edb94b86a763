"""The append-only record: every workflow event on a case, every look at personal data, every sign-in, change of
someone's rights and export (``Entry``), and the seals (``Seal``) that make the record tamper-evident.

Append-only twice over: the models and their querysets refuse to change or delete a row in Python, and triggers
(migration 0003, ``triggers.py``) refuse UPDATE and DELETE in the database itself."""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

# The keys of an event's ``data`` that refer to its words (an ``EventText``) and commit to them.
TEXT_ID = "text_id"
TEXT_SHA256 = "text_sha256"
# The event that says a case's personal data was erased (written by privacy.services).
ERASED = "privacy_erased"


class AppendOnlyError(Exception):
    pass


class AppendOnlyQuerySet(models.QuerySet):
    """``update()`` and ``delete()`` on many rows at once are refused like ``save()`` and ``delete()`` on one."""

    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError(f"{self.model.__name__} rows are never changed: the audit trail is append-only")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError(f"{self.model.__name__} rows are never deleted: the audit trail is append-only")

    def bulk_update(self, objs: Any, fields: Any, batch_size: int | None = None) -> int:
        raise AppendOnlyError(f"{self.model.__name__} rows are never changed: the audit trail is append-only")

    def _raw_delete(self, using: Any) -> int:
        raise AppendOnlyError(f"{self.model.__name__} rows are never deleted: the audit trail is append-only")


class AppendOnlyModel(models.Model):
    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise AppendOnlyError(f"{type(self).__name__} rows are never changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise AppendOnlyError(f"{type(self).__name__} rows are never deleted")


class Event(AppendOnlyModel):
    """One step in a case's life. The citizen's timeline shows the public ones, staff see all."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    # Who acted when there is no user: "citizen" or "system".
    actor_kind = models.CharField(max_length=20, default="staff")
    action = models.CharField(max_length=40)
    from_state = models.CharField(max_length=20, blank=True)
    to_state = models.CharField(max_length=20, blank=True)
    public = models.BooleanField(default=False)
    # Text shown on the timeline (a rejection or return reason, a note; public events show it to the citizen) of
    # events recorded before ``EventText``: new events keep it empty and refer to their text in ``data``.
    message = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["case", "created_at"])]
        verbose_name = _("event")
        verbose_name_plural = _("events")

    def __str__(self) -> str:
        return f"{self.action} {self.from_state}→{self.to_state}"


class EventText(models.Model):
    """The words a member of staff wrote with a step (a dispatch note, a reason, an instruction), kept outside the
    append-only ``Event`` so that erasure can mask a citizen's name or number quoted in them.

    The event refers to this row and holds a commitment to the words as written (``data["text_sha256"]``: SHA-256 of
    ``salt`` and the text), which the chain seals; ``fankui audit verify`` recomputes it, so a change of the words is
    seen like a change of the event. Erasure masks ``text``, sets ``erased_at`` and clears ``salt``: without the
    salt nobody can test a guess of the original words against the commitment (decision 0012)."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    salt = models.CharField(max_length=32, blank=True)
    erased_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("event text")
        verbose_name_plural = _("event texts")

    def __str__(self) -> str:
        return f"{self.case_id} {self.text[:40]}"

    @staticmethod
    def commitment(salt: str, text: str) -> str:
        return hashlib.sha256(bytes.fromhex(salt) + text.encode()).hexdigest()


class Access(AppendOnlyModel):
    """A member of staff looked at personal data: contact details or attachments of a case, or a stored file that
    belongs to no case (an improvement action's evidence)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="accesses")
    what = models.CharField(max_length=40)
    # The intake.StoredFile opened, by its id: a number, not a foreign key, so that removing a file never changes
    # the record of who looked at it.
    stored_file = models.PositiveBigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("personal data access")
        verbose_name_plural = _("personal data accesses")

    def __str__(self) -> str:
        return f"{self.user_id} {self.what} {self.case_id}"


class Entry(AppendOnlyModel):
    """Something that happened outside a case's timeline: a sign-in (or a refused one), a change of someone's role
    or rights, an export, a search of the audit trail. ``data`` says what (a role before and after, a report's
    period and format, the filters of a search), never personal data of citizens."""

    kind = models.CharField(max_length=40, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The name as typed for a refused sign-in (no user may match it), or "command" for a command line's change.
    actor_name = models.CharField(max_length=150, blank=True)
    address = models.CharField(max_length=45, blank=True)
    # What it was about, in a few words: "user:12 zhang", "report:2026-11.xlsx".
    target = models.CharField(max_length=200, blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")

    def __str__(self) -> str:
        return f"{self.kind} {self.target}"


class Seal(AppendOnlyModel):
    """A block of sealed audit rows of one table (``stream``): every id in (first_id - 1, last_id] that exists, with
    a digest of each row's canonical form (``leaves``), chained to the block before it (``previous``) by ``hash``.
    Written by the ``audit_seal`` sweep after the rows committed; checked by ``fankui audit verify``
    (``audit.chain``)."""

    number = models.PositiveBigIntegerField(unique=True)
    stream = models.CharField(max_length=20)
    first_id = models.BigIntegerField()
    last_id = models.BigIntegerField()
    count = models.PositiveIntegerField()
    # Per sealed row, in id order: its id (8 bytes, big-endian) and the first 16 bytes of its SHA-256.
    leaves = models.BinaryField()
    previous = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)
    sealed_at = models.DateTimeField()

    class Meta:
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["stream", "first_id"], name="audit_seal_one_block_per_range")]
        verbose_name = _("audit seal")
        verbose_name_plural = _("audit seals")

    def __str__(self) -> str:
        return f"#{self.number} {self.stream} {self.first_id}-{self.last_id}"
