from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.IntegerChoices):
    """The five levels of the 好差评 rating. 不满意 and 非常不满意 are bad ratings and reopen the case."""

    VERY_SATISFIED = 5, _("Very satisfied")
    SATISFIED = 4, _("Satisfied")
    FAIRLY_SATISFIED = 3, _("Fairly satisfied")
    UNSATISFIED = 2, _("Unsatisfied")
    VERY_UNSATISFIED = 1, _("Very unsatisfied")

    @classmethod
    def is_satisfied(cls, level: int) -> bool:
        return level >= cls.FAIRLY_SATISFIED


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
