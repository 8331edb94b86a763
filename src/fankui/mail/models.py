"""Every e-mail the intake has looked at (a citizen's later message on their case is the case's supplement,
``cases.models.Supplement``, keyed ``email:<key>``).

``InboundMail`` is the idempotency record: one row per Message-ID (its SHA-256 is the unique key), written in the
transaction that opens the case or records the supplement, so a crash between that commit and moving the message on
the server finds the row on the next poll and only moves the message. It keeps no text of the message and no
address: the case's submission holds those (encrypted), and a failed message stays on the mail server (the failed
folder), not here. ``message_id`` is kept to thread our answers (In-Reply-To); erasure clears it.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    CASE = "case", _("New case")
    FOLLOW_UP = "follow_up", _("Follow-up on a case")
    IGNORED = "ignored", _("Ignored")
    FAILED = "failed", _("Set aside")


class Source(models.TextChoices):
    IMAP = "imap", _("IMAP mailbox")
    SMTP = "smtp", _("SMTP listener")


class InboundMail(models.Model):
    key = models.CharField(_("key"), max_length=64, unique=True, help_text=_("SHA-256 of the Message-ID."))
    message_id = models.CharField(_("Message-ID"), max_length=900, blank=True)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    mailbox = models.CharField(_("mailbox"), max_length=200, blank=True)
    uid = models.BigIntegerField(_("UID"), null=True, blank=True)
    size = models.BigIntegerField(_("size in bytes"), default=0)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    how = models.CharField(_("matched by"), max_length=30, blank=True)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.SET_NULL, related_name="inbound_mails"
    )
    received_at = models.DateTimeField(_("received at"), db_index=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [models.Index(fields=["status", "received_at"], name="mail_inbound_status")]
        verbose_name = _("incoming e-mail")
        verbose_name_plural = _("incoming e-mails")

    def __str__(self) -> str:
        return f"{self.get_status_display()} {self.received_at:%Y-%m-%d %H:%M}"
