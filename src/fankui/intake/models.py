"""What arrived, as it arrived. A submission is never changed after intake; the case carries the workflow."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from fankui.core.vocab import Channel, Kind


class Submission(models.Model):
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices, default=Channel.WEB)
    title = models.CharField(_("title"), max_length=200, blank=True)
    body = models.TextField(_("text"))
    # The kind the submitter chose; blank when they did not (the case then takes the analysed kind, see
    # ``cases.models.Case.kind_source``).
    kind = models.CharField(_("kind chosen"), max_length=20, choices=Kind.choices, blank=True, default="")
    anonymous = models.BooleanField(_("anonymous"), default=False)
    contact_name = models.CharField(_("name"), max_length=100, blank=True)
    contact_phone = models.CharField(_("phone"), max_length=30, blank=True)
    contact_email = models.EmailField(_("e-mail"), blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
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
    received_at = models.DateTimeField(_("received at"))

    class Meta:
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")

    def __str__(self) -> str:
        return self.title or self.body[:30]

    @property
    def has_contact(self) -> bool:
        return not self.anonymous and bool(self.contact_phone or self.contact_email)


def attachment_path(instance: Attachment, filename: str) -> str:
    # The stored name is ours, never the uploader's: the original name is kept in a column.
    return f"attachments/{instance.submission.received_at:%Y/%m}/{instance.submission_id}/{instance.token}"


class Attachment(models.Model):
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, max_length=255)
    token = models.CharField(max_length=40, unique=True)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")
