"""Open311 GeoReport v2 (docs/open311.md): the clients allowed to submit, and the requests they sent.

A client's key is shown once when it is issued; only its SHA-256 is kept (like ``accounts.ApiToken``)."""

from __future__ import annotations

import hashlib
import re

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

RATE = re.compile(r"^(\d+)/(\d*)([smhd])$")
UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(value: str) -> tuple[int, int] | None:
    """A client's own limit, "N/unit" as the ``FANKUI_RATE_*`` settings write it ("600/h", "50/10m"), as (count,
    seconds); None for "off". ValueError for anything else."""
    value = value.strip().lower()
    if value in {"off", "none"}:
        return None
    match = RATE.match(value)
    if not match or int(match.group(1)) == 0 or (match.group(2) and int(match.group(2)) == 0):
        raise ValueError(value)
    return int(match.group(1)), int(match.group(2) or 1) * UNITS[match.group(3)]


def validate_rate(value: str) -> None:
    if not value:
        return
    try:
        parse_rate(value)
    except ValueError:
        raise ValidationError(
            _('A rate like "600/h" or "50/10m" (s, m, h, d), or "off"; blank for the site\'s default.')
        ) from None


class Open311Client(models.Model):
    """A system allowed to submit requests over Open311 (a city app, a FixMyStreet instance, a partner's kiosk)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    prefix = models.CharField(_("key begins with"), max_length=12)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    active = models.BooleanField(_("active"), default=True)
    # Blank: FANKUI_RATE_OPEN311_CLIENT. "off": no limit (a trusted system that sends for many people).
    rate = models.CharField(_("rate limit"), max_length=20, blank=True, default="", validators=[validate_rate])
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("Open311 client")
        verbose_name_plural = _("Open311 clients")

    def __str__(self) -> str:
        return self.name

    @staticmethod
    def hash(raw: str) -> str:
        return hashlib.sha256(raw.encode()).hexdigest()


class Open311Request(models.Model):
    """A case that arrived over Open311: which client sent it, the token it was given, the media URL it named."""

    case = models.OneToOneField("cases.Case", on_delete=models.PROTECT, related_name="open311")
    client = models.ForeignKey(Open311Client, on_delete=models.PROTECT, related_name="requests")
    token = models.CharField(max_length=40, unique=True)
    # The picture the client pointed at (never fetched by the server: staff open it themselves).
    media_url = models.URLField(max_length=1000, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["client", "created_at"])]
        verbose_name = _("Open311 request")
        verbose_name_plural = _("Open311 requests")

    def __str__(self) -> str:
        return f"{self.client} {self.case_id}"
