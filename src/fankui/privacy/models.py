"""The one-time codes that prove a citizen holds the contact details of a case before they see, download or erase
their personal data (docs/privacy.md)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class AccessCode(models.Model):
    """A code sent to the contact on file of a case. Only its keyed hash is kept; it expires, allows a few tries,
    and is used once."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["case", "-created_at"], name="privacy_code_case")]
        verbose_name = _("access code")
        verbose_name_plural = _("access codes")

    def __str__(self) -> str:
        return f"{self.case_id} {self.created_at:%Y-%m-%d %H:%M}"
