"""What arrived, as it arrived (a submission is never changed after intake; the case carries the workflow), and
every file people upload."""

from __future__ import annotations

import re
from typing import Any

from django.contrib.contenttypes.fields import GenericForeignKey, GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from fankui.core import crypto
from fankui.core.fields import EncryptedTextField
from fankui.core.vocab import Channel, Kind


class StoredFile(models.Model):
    """A photo or PDF someone uploaded: a submission's attachments, an improvement action's evidence. Its owner is
    the row it belongs to (``owner``); intake checks every upload (``services.check_uploads``) and stores it
    (``services.store_file``); one view serves it to those the owner's app lets see it, each look recorded
    (``files``)."""

    # The stored name is ours (the owner's folder and the token), never the uploader's: that one is kept in a column.
    file = models.FileField(max_length=255)
    token = models.CharField(max_length=40, unique=True)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    owner_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    owner_id = models.PositiveBigIntegerField()
    owner = GenericForeignKey("owner_type", "owner_id")

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["owner_type", "owner_id"], name="stored_file_owner")]
        verbose_name = _("stored file")
        verbose_name_plural = _("stored files")

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


def stored_files() -> GenericRelation:
    """The reverse relation an owner declares (``Submission.attachments``, ``ProgressUpdate.evidence``): no column,
    the files are deleted with their owner, and ``prefetch_related`` works."""
    return GenericRelation(StoredFile, content_type_field="owner_type", object_id_field="owner_id")


# A landline as intake stores it: 0, the area code's other 2 or 3 digits, the local number's 7 or 8.
LANDLINE = re.compile(r"^0\d{2,3}\d{7,8}$")


def local_number(phone: str) -> str:
    """A landline's local number, which is what a caller often gives: 8 digits after a 3-digit area code (010, 02x)
    and after a 4-digit one in a 12-digit number, else 7; empty for a mobile or anything else."""
    if not LANDLINE.match(phone):
        return ""
    if len(phone) == 12 or (len(phone) == 11 and phone[1] in "12"):
        return phone[-8:]
    return phone[-7:]


def lookup_hashes(phone: str, email: str) -> tuple[str, str, str]:
    """The keyed hashes of a normalised phone number, its local number and an e-mail address (case-insensitive)."""
    return crypto.lookup_hash(phone), crypto.lookup_hash(local_number(phone)), crypto.lookup_hash(email.lower())


# The longest title a submission may have (the column's length).
MAX_TITLE_CHARS = 200


class Submission(models.Model):
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices, default=Channel.WEB)
    title = models.CharField(_("title"), max_length=MAX_TITLE_CHARS, blank=True)
    body = models.TextField(_("text"))
    # The kind the submitter chose; blank when they did not (the case then takes the analysed kind, see
    # ``cases.models.Case.kind_source``).
    kind = models.CharField(_("kind chosen"), max_length=20, choices=Kind.choices, blank=True, default="")
    anonymous = models.BooleanField(_("anonymous"), default=False)
    # Contact details are encrypted at rest (core.crypto); a caller's cases are found by the keyed hashes of their
    # number and address (``lookup_hashes``), which ``save`` keeps in step (docs/privacy.md).
    contact_name = EncryptedTextField(_("name"), max_length=100, blank=True)
    contact_phone = EncryptedTextField(_("phone"), max_length=30, blank=True)
    contact_email = EncryptedTextField(_("e-mail"), max_length=254, blank=True)
    address = EncryptedTextField(_("address"), max_length=300, blank=True)
    # Not indexed: the phone search also looks for the number in the text (a scan either way), and an index would
    # cost every intake a write (docs/privacy.md, "Cost").
    contact_phone_hash = models.CharField(max_length=64, blank=True, default="", db_default="")
    # A landline's number without its area code (staff type what the caller says).
    contact_phone_local_hash = models.CharField(max_length=64, blank=True, default="", db_default="")
    contact_email_hash = models.CharField(max_length=64, blank=True, default="", db_default="")
    lat = models.FloatField(null=True, blank=True)
    lng = models.FloatField(null=True, blank=True)
    # A retry with the same key returns the case the first request created. Web forms send a per-render token.
    idempotency_key = models.CharField(max_length=100, unique=True, null=True, blank=True)
    # The identifier in the source system, for imports (so an import can be run twice).
    external_id = models.CharField(max_length=100, blank=True, db_index=True)
    # The language the submitter used (a code of settings.LANGUAGES): every message to them is written in it.
    language = models.CharField(_("language"), max_length=10, blank=True, default="")
    # Whether the submitter is to be sent a receipt (when the analysis has looked at it: portal.notices). False for
    # imports of history, whose submitters were told long ago.
    receipt = models.BooleanField(_("send a receipt"), default=True)
    # The submitter chose to share where the photos were taken: their GPS position was kept in the stored pictures
    # (never any other metadata). Otherwise every picture was stored without it (``uploads.clean_image``).
    photo_location_shared = models.BooleanField(_("photo location shared"), default=False)
    received_at = models.DateTimeField(_("received at"))
    # The id of the request that brought it (core.logs): the worker logs it while it analyses the case and sends each
    # message about it, so one search of the logs follows the case from intake to its last message. Not personal data.
    request_id = models.CharField(max_length=64, blank=True, default="", db_default="")
    attachments = stored_files()

    class Meta:
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")

    def __str__(self) -> str:
        return self.title or self.body[:30]

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.fill_lookups()
        super().save(*args, **kwargs)

    def fill_lookups(self) -> None:
        """The keyed hashes of the contact details (``save`` calls it; a ``bulk_create`` must call it itself)."""
        hashes = lookup_hashes(self.contact_phone, self.contact_email)
        self.contact_phone_hash, self.contact_phone_local_hash, self.contact_email_hash = hashes

    @property
    def has_contact(self) -> bool:
        return not self.anonymous and bool(self.contact_phone or self.contact_email)
