"""The append-only record: every workflow event on a case, and every look at personal data."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(Exception):
    pass


class AppendOnlyModel(models.Model):
    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise AppendOnlyError(f"{type(self).__name__} rows are never changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise AppendOnlyError(f"{type(self).__name__} rows are never deleted")


class Event(AppendOnlyModel):
    """One step in a case's life. The citizen's timeline shows the public ones, staff see all."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    # Who acted when there is no user: "citizen" or "system".
    actor_kind = models.CharField(max_length=20, default="staff")
    action = models.CharField(max_length=40)
    from_state = models.CharField(max_length=20, blank=True)
    to_state = models.CharField(max_length=20, blank=True)
    public = models.BooleanField(default=False)
    # Text shown on the timeline: a rejection or return reason, a note. Public events show it to the citizen.
    message = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["case", "created_at"])]
        verbose_name = _("event")
        verbose_name_plural = _("events")

    def __str__(self) -> str:
        return f"{self.action} {self.from_state}→{self.to_state}"


class Access(AppendOnlyModel):
    """A member of staff looked at personal data: contact details or attachments of a case, or a stored file that
    belongs to no case (an improvement action's evidence)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="accesses")
    what = models.CharField(max_length=40)
    # The intake.StoredFile opened, by its id: a number, not a foreign key, so that removing a file never changes
    # the record of who looked at it.
    stored_file = models.PositiveBigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("personal data access")
        verbose_name_plural = _("personal data accesses")

    def __str__(self) -> str:
        return f"{self.user_id} {self.what} {self.case_id}"
