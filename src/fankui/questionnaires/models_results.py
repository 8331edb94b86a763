"""What the results keep beside the answers (imported at the end of ``models``): the analysis's reading of a free-text
answer, the link of an answer to an improvement action, and the follow-up case an alert opened (docs/questionnaires.md,
"Results" and "Alerts")."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class TextReading(models.Model):
    """The analysis's reading of one free-text answer: its text with personal data masked (what staff pages and
    exports show), the sentiment model's label and score, and its keywords (the topics it speaks of)."""

    answer = models.OneToOneField(
        "questionnaires.Answer", primary_key=True, on_delete=models.CASCADE, related_name="reading"
    )
    masked_text = models.TextField()
    sentiment = models.CharField(_("sentiment"), max_length=20)
    sentiment_score = models.FloatField(null=True, blank=True)
    keywords = models.JSONField(default=list, blank=True)
    model_version = models.CharField(max_length=80, blank=True)
    analysed_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"reading {self.pk}"


class AnswerAction(models.Model):
    """A free-text answer that an improvement action (actions.Action, 整改措施) answers."""

    answer = models.ForeignKey("questionnaires.Answer", on_delete=models.CASCADE, related_name="action_links")
    action = models.ForeignKey("actions.Action", on_delete=models.CASCADE, related_name="survey_answers")
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    linked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["answer", "action"], name="answer_action_once")]

    def __str__(self) -> str:
        return f"{self.answer_id}->{self.action_id}"


class FollowUp(models.Model):
    """The follow-up case an alert opened for a response (a detractor, a very dissatisfied answer): one at most."""

    class Reason(models.TextChoices):
        DETRACTOR = "detractor", _("Detractor (NPS 0–6)")
        DISSATISFIED = "dissatisfied", _("Very dissatisfied")

    response = models.OneToOneField("questionnaires.Response", on_delete=models.CASCADE, related_name="follow_up")
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    reason = models.CharField(max_length=20, choices=Reason.choices)
    question_key = models.CharField(max_length=16)
    # The person can be told (their invitation's address went on the case); False: the case has no contact.
    with_contact = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"follow-up {self.response_id}"
