"""Partner systems that send cases in over a signed webhook and hear back about them (docs/partners.md).

A partner's secret signs both ways (its requests to us, our callbacks to it), so it must be readable, not hashed: it
is kept encrypted at rest like contact details (``core.fields.EncryptedTextField``, ``FANKUI_ENCRYPTION_KEYS``).
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from fankui.core.fields import EncryptedTextField


class Partner(models.Model):
    name = models.CharField(_("name"), max_length=100)
    # The partner's address (/partners/<slug>/submissions) and the first part of its cases' idempotency keys: never
    # changed once made.
    slug = models.SlugField(_("short name"), max_length=30, unique=True)
    secret = EncryptedTextField(_("secret"))
    # After a rotation the old secret still verifies requests for a while, so the partner can switch without a gap.
    previous_secret = EncryptedTextField(blank=True, default="")
    previous_secret_until = models.DateTimeField(null=True, blank=True)
    callback_url = models.URLField(
        _("callback URL"),
        max_length=500,
        blank=True,
        help_text=_("Where every public step of the partner's cases is posted, signed. Empty: no callbacks."),
    )
    rate = models.CharField(
        _("rate limit"),
        max_length=20,
        blank=True,
        help_text=_("Requests allowed, as N/unit (s, m, h, d; e.g. 600/m), or off. Empty: FANKUI_PARTNER_RATE."),
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"))
    secret_rotated_at = models.DateTimeField(_("secret rotated at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        ordering = ["slug"]
        verbose_name = _("partner system")
        verbose_name_plural = _("partner systems")

    def __str__(self) -> str:
        return f"{self.name} ({self.slug})"


class PartnerCase(models.Model):
    """A case a partner sent, with the partner's own id for it (``reference``): one case per (partner, reference)."""

    partner = models.ForeignKey(
        Partner, verbose_name=_("partner system"), on_delete=models.PROTECT, related_name="cases"
    )
    case = models.OneToOneField("cases.Case", verbose_name=_("case"), on_delete=models.PROTECT, related_name="+")
    reference = models.CharField(_("partner's reference"), max_length=60)
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["partner", "reference"], name="partners_case_reference_unique"),
        ]
        verbose_name = _("partner case")
        verbose_name_plural = _("partner cases")

    def __str__(self) -> str:
        return f"{self.partner.slug}:{self.reference}"


class SeenSignature(models.Model):
    """A signature that was acted on, kept until its timestamp leaves the replay window: the same signed request
    sent again within the window is refused (after it, its timestamp is)."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="+")
    signature = models.CharField(max_length=64)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["partner", "signature"], name="partners_seen_signature_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.signature[:12]}… until {self.expires_at:%Y-%m-%d %H:%M:%S}"


class DeliveryStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class PartnerDelivery(models.Model):
    """One callback to a partner about a step of one of its cases: written in the transaction of the step, posted
    by the worker (``delivery``), retried with growing pauses. ``key`` makes asking twice queue once."""

    partner = models.ForeignKey(
        Partner, verbose_name=_("partner system"), on_delete=models.PROTECT, related_name="deliveries"
    )
    case = models.ForeignKey("cases.Case", verbose_name=_("case"), on_delete=models.PROTECT, related_name="+")
    key = models.CharField(max_length=100)
    # The id the partner sees (the body's "id" and the X-Fankui-Delivery header): the same on every attempt, so the
    # partner can tell a retry from a new event.
    delivery_id = models.UUIDField(_("delivery id"), default=uuid.uuid4, unique=True, editable=False)
    event = models.CharField(_("event"), max_length=30)
    # What is posted; emptied once it was delivered (the partner has it; nothing personal stays here longer).
    payload = models.JSONField(default=dict, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    response_status = models.PositiveSmallIntegerField(_("last HTTP status"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), db_index=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["partner", "key"], name="partners_delivery_key_unique"),
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="partners_delivery_due")]
        verbose_name = _("callback")
        verbose_name_plural = _("callbacks")

    def __str__(self) -> str:
        return f"{self.partner.slug} {self.event} {self.status}"
