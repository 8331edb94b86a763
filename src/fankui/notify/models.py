"""Every message the platform sends, one row per recipient, and what is known about each citizen contact.

A message row is written in the transaction of the change that caused it and delivered later by the worker, so
nothing is lost when a gateway is down: the row says what is outstanding. ``dedupe_key`` is unique, so a
recipient gets a given message once however often the caller asks.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fankui.nlp.masking import mask


def masked_address(address: str) -> str:
    """A citizen's phone number or e-mail address as the admin and the logs show it (138****5678, a***@example.cn):
    enough to tell two apart, not enough to reach the person."""
    if not address:
        return ""
    shown = mask(address).text
    if shown != address:
        return shown
    keep = min(3, len(address) // 3)
    return address[:keep] + "*" * (len(address) - 2 * keep) + address[len(address) - keep :]


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")
    IN_APP = "in_app", _("In-app")


class Status(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    BOUNCED = "bounced", _("Bounced")


class Contact(models.Model):
    """A citizen's address (e-mail or phone) as a recipient: whether it opted out, whether it bounced."""

    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    address = models.CharField(_("address"), max_length=254)
    opted_out_at = models.DateTimeField(_("opted out at"), null=True, blank=True)
    bounced_at = models.DateTimeField(_("bounced at"), null=True, blank=True)
    bounce_reason = models.CharField(_("bounce reason"), max_length=300, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["channel", "address"], name="notify_contact_unique")]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")

    def __str__(self) -> str:
        return f"{self.channel}:{masked_address(self.address)}"


class Message(models.Model):
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    # Staff messages name the user; citizen messages only the address. Either may name the case it is about, by its
    # id only: the outbox sits below the apps that write cases (docs/architecture.md), and cases are never deleted.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    address = models.CharField(_("address"), max_length=500, blank=True)
    case_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    # The caller's name for what this message is ("sla-warning:42", "action:7:approved").
    key = models.CharField(max_length=200)
    # sha256 of (recipient, channel, key): one message per recipient and key.
    dedupe_key = models.CharField(max_length=64, unique=True)
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("text"))
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), db_index=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # The worker's queue: only queued rows, so it stays small however many messages were ever sent.
            models.Index(fields=["next_attempt_at"], name="notify_queue", condition=models.Q(status="queued")),
            models.Index(fields=["user", "channel", "read_at"], name="notify_inbox"),
        ]
        verbose_name = _("message")
        verbose_name_plural = _("messages")

    def __str__(self) -> str:
        return f"{self.channel} {masked_address(self.address) or self.user_id}: {self.subject}"
