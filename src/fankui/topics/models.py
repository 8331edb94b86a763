"""Hot topics (热点): cases about the same problem at the same place, with a label a person can read."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fankui.audit.models import AppendOnlyModel


class Topic(models.Model):
    """A hot topic: cases about the same problem (same place + same issue), with a label a person can read."""

    label = models.CharField(_("label"), max_length=200)
    # The estate, road or village the topic is about ("丽发新城"); empty for topics that are not about one place.
    place = models.CharField(_("place"), max_length=100, blank=True, db_index=True)
    keywords = models.JSONField(_("keywords"), default=list, blank=True)
    size = models.PositiveIntegerField(_("cases"), default=0)
    # Public support (likes, "me too") where the channel has it; counts towards heat.
    support = models.PositiveIntegerField(_("support"), default=0)
    # Cases in the last 7 days compared with the 7 days before: > 1 means growing.
    growth = models.FloatField(_("growth"), default=0.0)
    heat = models.FloatField(_("heat"), default=0.0, db_index=True)
    first_seen_at = models.DateTimeField(_("first seen"))
    last_seen_at = models.DateTimeField(_("last seen"), db_index=True)
    active = models.BooleanField(_("active"), default=True)
    # Set when staff wrote the label: recounts and relabelling leave it as it is.
    label_edited = models.BooleanField(_("label edited by staff"), default=False)
    label_edited_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("label edited by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    label_edited_at = models.DateTimeField(_("label edited at"), null=True, blank=True)
    # The label exactly as staff approved it for public pages (the board, its feed): "" while not approved. It counts
    # only while it equals ``label``: a new label, whoever or whatever wrote it, needs a new approval
    # (``services.is_public``); the services also clear it and record why (``TopicEvent``).
    public_label = models.CharField(_("label approved for public pages"), max_length=200, blank=True)
    public_approved_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("approved for public pages by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    public_approved_at = models.DateTimeField(_("approved for public pages at"), null=True, blank=True)
    model_version = models.CharField(max_length=40, blank=True)
    # When the sweep last recounted heat and growth (they change with time even when no case arrives).
    refreshed_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        # Created by the analysis app, which held topics until they became an app of their own (migration 0001).
        db_table = "analysis_topic"
        ordering = ["-heat", "-id"]
        verbose_name = _("hot topic")
        verbose_name_plural = _("hot topics")

    def __str__(self) -> str:
        return self.label


class TopicEvent(AppendOnlyModel):
    """A decision about what of a topic reaches public pages: approved, withdrawn (by staff, or because the label
    changed). Append-only, like a case's events."""

    class Kind(models.TextChoices):
        APPROVED = "public_approved", _("Label approved for public pages")
        WITHDRAWN = "public_withdrawn", _("Approval for public pages withdrawn")

    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    kind = models.CharField(max_length=40, choices=Kind.choices)
    # The label the decision was about, and for a withdrawal why ("label changed", or staff's reason).
    label = models.CharField(max_length=200)
    message = models.TextField(blank=True)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("topic event")
        verbose_name_plural = _("topic events")

    def __str__(self) -> str:
        return f"{self.topic_id} {self.kind}"
