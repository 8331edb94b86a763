"""Every message the platform sends, one row per recipient, what is known about each citizen contact, and the
wording of each message as the organisation edits it (``MessageTemplate``, ``wording``).

A message row is written in the transaction of the change that caused it and delivered later by the worker, so
nothing is lost when a gateway is down: the row says what is outstanding. ``dedupe_key`` is unique, so a
recipient gets a given message once however often the caller asks.

Addresses are personal data: stored encrypted (``core.fields.EncryptedTextField``) and found by their keyed hash
(``address_hash``, ``core.crypto.lookup_hash`` of the normalised address), as the submission's contact details are
(docs/privacy.md). The dedupe key is keyed too, so it cannot be turned back into a phone number by trying them all.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from fankui.core import crypto
from fankui.core.fields import EncryptedTextField
from fankui.nlp.masking import mask

from . import wording


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


def normalised(channel: str, address: str) -> str:
    """An address as it is stored and hashed: e-mail case-insensitive, a phone number without surrounding space."""
    address = address.strip()
    return address.lower() if channel == Channel.EMAIL else address


def address_hash(address: str) -> str:
    """The keyed hash that finds a normalised address; empty for none."""
    return crypto.lookup_hash(address)


class AddressQuerySet(models.QuerySet[Any]):
    def to(self, address: str) -> AddressQuerySet:
        """The rows of this full address (an e-mail address in any case, a phone number): by its keyed hash."""
        return self.filter(address_hash__in={address_hash(address.strip()), address_hash(address.strip().lower())})


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
    """A citizen's address (e-mail or phone) as a recipient: whether it opted out, whether it bounced.

    Found by ``address_hash``; the address itself may be unknown (empty) for an opt-out taken from a link after the
    messages that carried it were erased."""

    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    address = EncryptedTextField(_("address"), max_length=254, blank=True)
    address_hash = models.CharField(max_length=64, default="", db_default="")
    opted_out_at = models.DateTimeField(_("opted out at"), null=True, blank=True)
    bounced_at = models.DateTimeField(_("bounced at"), null=True, blank=True)
    bounce_reason = models.CharField(_("bounce reason"), max_length=300, blank=True)

    objects = AddressQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["channel", "address_hash"], name="notify_contact_unique")]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")

    def __str__(self) -> str:
        return f"{self.channel}:{masked_address(self.address)}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.address:
            self.address = normalised(self.channel, self.address)
            self.address_hash = address_hash(self.address)
            if kwargs.get("update_fields") is not None and "address" in kwargs["update_fields"]:
                kwargs["update_fields"] = {*kwargs["update_fields"], "address_hash"}
        super().save(*args, **kwargs)


class Message(models.Model):
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    # Staff messages name the user; citizen messages only the address. Either may name the case it is about, by its
    # id only: the outbox sits below the apps that write cases (docs/architecture.md), and cases are never deleted.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    address = EncryptedTextField(_("address"), max_length=500, blank=True)
    address_hash = models.CharField(max_length=64, blank=True, default="", db_default="")
    case_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    # The caller's name for what this message is ("sla-warning:42", "action:7:approved").
    key = models.CharField(max_length=200)
    # Keyed hash (core.crypto.lookup_hash) of (recipient, channel, key): one message per recipient and key.
    dedupe_key = models.CharField(max_length=64, unique=True)
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("text"))
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), db_index=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    objects = AddressQuerySet.as_manager()

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


class MessageTemplate(models.Model):
    """The wording of one message (to submitters or to staff) in one language, replacing the built-in one while
    active (``wording``)."""

    key = models.CharField(_("message"), max_length=50, choices=wording.choices)
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("text"), max_length=2000)
    active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["key", "language"],
                condition=models.Q(active=True),
                name="notify_one_active_template",
                violation_error_message=_("Another active template of this message and language exists."),
            )
        ]
        ordering = ["key", "language", "-active", "-updated_at"]
        verbose_name = _("message template")
        verbose_name_plural = _("message templates")

    def __str__(self) -> str:
        return f"{self.key} ({self.language})"

    def clean(self) -> None:
        kind = wording.KINDS.get(self.key)
        if kind is None:
            return  # the field's choices say so
        errors: dict[str, list[str]] = {}
        for field in ("subject", "body"):
            found = wording.problems(getattr(self, field) or "", kind.names)
            if found:
                errors[field] = found
        if "\n" in (self.subject or "") or "\r" in (self.subject or ""):
            errors.setdefault("subject", []).append(str(_("The subject is one line.")))
        if errors:
            raise ValidationError(errors)
