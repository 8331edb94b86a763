"""Improvement actions (整改措施): one fix for a problem many people raised, with an owner, a deadline, milestones,
progress with evidence, the cases it answers, an indicator that shows whether the problem shrank, and a record of
every step. Only ``actions.services`` changes ``Action.state``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fankui.audit.models import AppendOnlyModel
from fankui.intake.models import stored_files

if TYPE_CHECKING:
    from fankui.cases.models import Case


class State(models.TextChoices):
    DRAFT = "draft", _("Draft")
    APPROVED = "approved", _("Approved")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    VERIFIED = "verified", _("Verified")
    ABANDONED = "abandoned", _("Abandoned")

    @classmethod
    def running(cls) -> tuple[str, ...]:
        """States in which deadlines and milestones are watched."""
        return (cls.APPROVED, cls.IN_PROGRESS)


class Source(models.TextChoices):
    TOPIC = "topic", _("Hot topic")
    CASES = "cases", _("Selected cases")
    SURVEY = "survey", _("Survey answers")
    MANUAL = "manual", _("By hand")


class Indicator(models.TextChoices):
    TOPIC_WEEKLY = "topic_weekly", _("Cases in the topic per week")
    DEPARTMENT_SATISFACTION = "department_satisfaction", _("Satisfaction rate of the department")
    NONE = "none", _("No indicator")


class Action(models.Model):
    title = models.CharField(_("title"), max_length=200)
    goal = models.TextField(_("goal"))
    root_cause = models.TextField(_("root cause"), blank=True)
    measures = models.TextField(_("measures"))
    expected_effect = models.TextField(_("expected effect"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="owned_actions"
    )
    department = models.ForeignKey(
        "accounts.Department", verbose_name=_("responsible department"), on_delete=models.PROTECT, related_name="+"
    )
    deadline = models.DateField(_("deadline"))
    topic = models.ForeignKey(
        "topics.Topic",
        verbose_name=_("hot topic"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="actions",
    )
    source = models.CharField(_("created from"), max_length=10, choices=Source.choices, default=Source.MANUAL)
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.DRAFT, db_index=True)
    # Shown on the public board (你说我改) unless kept internal.
    public = models.BooleanField(_("shown on the public board"), default=True)

    indicator = models.CharField(_("indicator"), max_length=30, choices=Indicator.choices, default=Indicator.NONE)
    # Weeks compared before the action was approved and after it was done.
    indicator_weeks = models.PositiveSmallIntegerField(_("weeks compared"), default=4)
    # The value the indicator should reach (cases per week at most, or a satisfaction percentage at least).
    indicator_target = models.FloatField(_("target value"), null=True, blank=True)
    # Days after "done" when the indicator is checked and the action verified.
    verify_after_days = models.PositiveSmallIntegerField(_("verify after (days)"), default=28)
    indicator_result = models.JSONField(default=dict, blank=True)

    abandon_reason = models.TextField(_("reason for abandoning"), blank=True)
    # Kept up to date when cases are linked, so lists and the board need no aggregate per action.
    linked_count = models.PositiveIntegerField(_("linked cases"), default=0)
    people_count = models.PositiveIntegerField(_("people who raised it"), default=0)

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"))
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    abandoned_at = models.DateTimeField(_("abandoned at"), null=True, blank=True)

    cases: models.ManyToManyField[Case, ActionCase] = models.ManyToManyField(
        "cases.Case", through="ActionCase", related_name="improvement_actions"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("improvement action")
        verbose_name_plural = _("improvement actions")

    def __str__(self) -> str:
        return self.title


class ActionCase(models.Model):
    class Via(models.TextChoices):
        MANUAL = "manual", _("Linked by hand")
        TOPIC = "topic", _("Joined the hot topic")

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="links")
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="action_links")
    via = models.CharField(max_length=10, choices=Via.choices, default=Via.MANUAL)
    linked_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["action", "case"], name="action_case_unique")]
        # A broadcast pages through one action's links in id order.
        indexes = [models.Index(fields=["action", "id"], name="action_links_in_order")]
        verbose_name = _("linked case")
        verbose_name_plural = _("linked cases")

    def __str__(self) -> str:
        return f"{self.action_id}:{self.case_id}"


class Milestone(models.Model):
    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("milestone"), max_length=200)
    due = models.DateField(_("due"))
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)

    class Meta:
        ordering = ["due", "id"]
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")

    def __str__(self) -> str:
        return f"{self.due} {self.title}"


class ProgressUpdate(models.Model):
    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="updates")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("progress"))
    # Shown to the people who raised the problem (tracking page) and on the board; internal notes are not.
    public = models.BooleanField(_("visible to the public"), default=True)
    created_at = models.DateTimeField()
    # Photos or PDFs showing the progress (intake's stored files: the same checks, view and access record).
    evidence = stored_files()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("progress update")
        verbose_name_plural = _("progress updates")

    def __str__(self) -> str:
        return self.text[:40]


class ActionEvent(AppendOnlyModel):
    """One step in an action's life. ``once_key`` makes a warning or a broadcast step happen once."""

    action = models.ForeignKey(Action, on_delete=models.PROTECT, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    kind = models.CharField(max_length=40)
    from_state = models.CharField(max_length=20, blank=True)
    to_state = models.CharField(max_length=20, blank=True)
    message = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    once_key = models.CharField(max_length=100, unique=True, null=True, blank=True)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("action event")
        verbose_name_plural = _("action events")

    def __str__(self) -> str:
        return f"{self.action_id} {self.kind}"


class Broadcast(models.Model):
    """Telling every linked citizen about a stage (approved, done). Worked through in case-id order from
    ``cursor``, so a killed worker resumes where it stopped; the message's unique key makes a repeat harmless."""

    class Stage(models.TextChoices):
        APPROVED = "approved", _("Approved")
        DONE = "done", _("Done")

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="broadcasts")
    stage = models.CharField(max_length=10, choices=Stage.choices)
    cursor = models.BigIntegerField(default=0)
    queued = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["action", "stage"], name="broadcast_once_per_stage")]
        verbose_name = _("broadcast")
        verbose_name_plural = _("broadcasts")

    def __str__(self) -> str:
        return f"{self.action_id} {self.stage}"
