"""The ledger of scheduled reports: one row per period, so that each is built and e-mailed once, however many
workers run the sweep."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ReportRun(models.Model):
    # "2026-10" or "2026-W44" (periods.Period.key); unique, so creating the row is the claim.
    period = models.CharField(_("period"), max_length=10, unique=True)
    kind = models.CharField(_("kind"), max_length=10)
    claimed_at = models.DateTimeField()
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    recipients = models.PositiveIntegerField(_("recipients"), default=0)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-claimed_at"]
        verbose_name = _("scheduled report")
        verbose_name_plural = _("scheduled reports")

    def __str__(self) -> str:
        return self.period
