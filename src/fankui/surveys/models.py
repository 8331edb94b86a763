from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from fankui.core.vocab import Level


class Rating(models.Model):
    """The submitter's rating of one reply."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="ratings")
    reply = models.ForeignKey("cases.Reply", on_delete=models.PROTECT, related_name="ratings")
    level = models.PositiveSmallIntegerField(_("rating"), choices=Level.choices)
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["reply"], name="one_rating_per_reply")]
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")

    def __str__(self) -> str:
        return f"{self.case_id}: {self.level}"

    @property
    def satisfied(self) -> bool:
        return Level.is_satisfied(self.level)
