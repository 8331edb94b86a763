from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from fankui.core.vocab import Channel, Kind

from . import calendar


class Stage(models.TextChoices):
    ACCEPT = "accept", _("Accept")
    DISPATCH = "dispatch", _("Dispatch")
    FIRST_RESPONSE = "first_response", _("First response")
    REPLY = "reply", _("Reply")
    RECTIFY = "rectify", _("Rectification after a bad rating")
    CLOSE = "close", _("Close")


class Unit(models.TextChoices):
    WORKING_HOURS = calendar.Unit.WORKING_HOURS, _("working hours")
    WORKING_DAYS = calendar.Unit.WORKING_DAYS, _("working days")
    HOURS = calendar.Unit.HOURS, _("calendar hours")


class Urgency(models.TextChoices):
    # The values of analysis.models.Urgency, repeated so that a policy can be saved before any analysis ran.
    NORMAL = "normal", _("Normal")
    URGENT = "urgent", _("Urgent")
    EMERGENCY = "emergency", _("Emergency")


class WorkingCalendar(models.Model):
    """The organisation's working hours; the working days are the national calendar plus ``CalendarDay``."""

    name = models.CharField(_("name"), max_length=100)
    periods = models.CharField(
        pgettext_lazy("periods of the day", "working hours"),
        max_length=200,
        default=calendar.format_periods(calendar.DEFAULT_PERIODS),
        help_text=_("Periods of the working day, e.g. 09:00-12:00, 13:30-17:30."),
    )
    is_default = models.BooleanField(_("default"), default=False)

    class Meta:
        verbose_name = _("working calendar")
        verbose_name_plural = _("working calendars")
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=Q(is_default=True), name="sla_one_default_calendar"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.periods})"


class CalendarDay(models.Model):
    """An override of the national calendar for one day (a new year's holidays, a local day off)."""

    day = models.DateField(_("day"), unique=True)
    is_workday = models.BooleanField(_("working day"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["day"]
        verbose_name = _("calendar override")
        verbose_name_plural = _("calendar overrides")

    def __str__(self) -> str:
        return f"{self.day} {'workday' if self.is_workday else 'day off'}"


class CalendarYear(models.Model):
    """A year whose public holidays and make-up working days were entered completely (imported from the published
    list, or confirmed in the admin). Only such a year, or one the ``chinesecalendar`` package knows, counts as
    known: a single override (a local day off) does not make its whole year look known."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    note = models.CharField(
        _("note"),
        max_length=200,
        blank=True,
        help_text=_("Where the list comes from, e.g. the State Council's notice."),
    )
    entered_at = models.DateTimeField(_("entered at"), default=timezone.now)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["year"]
        verbose_name = _("year entered completely")
        verbose_name_plural = _("years entered completely")

    def __str__(self) -> str:
        return str(self.year)


class Policy(models.Model):
    """Response-time targets for the cases it matches; a blank match field matches everything."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    active = models.BooleanField(_("active"), default=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, blank=True)
    category = models.ForeignKey(
        "cases.Category", verbose_name=_("category"), null=True, blank=True, on_delete=models.PROTECT
    )
    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices, blank=True)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices, blank=True)
    department = models.ForeignKey(
        "accounts.Department", verbose_name=_("lead department"), null=True, blank=True, on_delete=models.PROTECT
    )
    calendar = models.ForeignKey(
        WorkingCalendar,
        verbose_name=_("working calendar"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        help_text=_("Blank: the default calendar."),
    )
    warn_share = models.FloatField(
        _("warn when this share is used"),
        default=0.75,
        help_text=_("A deadline turns yellow and a warning is sent once this share of the allowed time is used."),
    )
    escalate_after_hours = models.PositiveIntegerField(
        _("escalate after (hours)"),
        default=4,
        help_text=_("Escalation to the department head and supervisors this many hours after the deadline."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")

    def __str__(self) -> str:
        return self.name


class PolicyTarget(models.Model):
    policy = models.ForeignKey(Policy, on_delete=models.CASCADE, related_name="targets")
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices)
    amount = models.PositiveIntegerField(_("amount"))
    unit = models.CharField(_("unit"), max_length=20, choices=Unit.choices, default=Unit.WORKING_DAYS)

    class Meta:
        ordering = ["policy", "stage"]
        constraints = [models.UniqueConstraint(fields=["policy", "stage"], name="sla_one_target_per_stage")]
        verbose_name = _("target")
        verbose_name_plural = _("targets")

    def __str__(self) -> str:
        return f"{self.get_stage_display()}: {self.amount} {self.get_unit_display()}"


class Clock(models.Model):
    """One deadline of one case for one stage (and round: a reopened case gets a new rectification clock).

    ``warn_at``, ``due_at`` and ``escalate_at`` are the next instants the sweep acts on; each is cleared once its
    step was taken, so the sweep's partial indexes hold only what is still to come."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="sla_clocks")
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices)
    round = models.PositiveSmallIntegerField(default=1)
    policy = models.ForeignKey(Policy, null=True, blank=True, on_delete=models.SET_NULL)
    unit = models.CharField(max_length=20, choices=Unit.choices)
    amount = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    # The deadline as it stands (moved by extensions and pauses); null while paused.
    deadline = models.DateTimeField(null=True, blank=True, db_index=True)
    warn_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField(null=True, blank=True)
    escalate_at = models.DateTimeField(null=True, blank=True)
    paused_at = models.DateTimeField(null=True, blank=True)
    # When the clock turns yellow; kept (unlike warn_at) so that lists colour it without any calendar arithmetic.
    yellow_at = models.DateTimeField(null=True, blank=True)
    # Time spent waiting on the citizen, in the unit's seconds (working seconds, or calendar seconds for hours).
    paused_seconds = models.FloatField(default=0)
    stopped_at = models.DateTimeField(null=True, blank=True)
    extended_days = models.PositiveIntegerField(default=0)
    # Denormalised for the figures: the lead department when the clock stopped (or now, while running).
    department = models.ForeignKey(
        "accounts.Department", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    working_seconds = models.FloatField(null=True, blank=True)
    # The case's urgency (from the analysis) when the policy was chosen; a different one now means re-apply.
    urgency = models.CharField(max_length=10, blank=True, default="")

    class Meta:
        ordering = ["started_at", "id"]
        constraints = [models.UniqueConstraint(fields=["case", "stage", "round"], name="sla_clock_unique_round")]
        indexes = [
            models.Index(fields=["warn_at"], name="sla_clock_warn", condition=Q(warn_at__isnull=False)),
            models.Index(fields=["due_at"], name="sla_clock_due", condition=Q(due_at__isnull=False)),
            models.Index(fields=["escalate_at"], name="sla_clock_escalate", condition=Q(escalate_at__isnull=False)),
            models.Index(fields=["case", "stopped_at"], name="sla_clock_case_running"),
            models.Index(fields=["stage", "stopped_at"], name="sla_clock_stage_stopped"),
        ]
        verbose_name = _("deadline")
        verbose_name_plural = _("deadlines")

    def __str__(self) -> str:
        return f"{self.case_id} {self.stage} {self.deadline}"

    @property
    def running(self) -> bool:
        return self.stopped_at is None

    @property
    def paused(self) -> bool:
        return self.stopped_at is None and self.paused_at is not None


class Step(models.TextChoices):
    WARN = "warn", _("Warning")
    URGE = "urge", _("Urge")
    ESCALATE = "escalate", _("Escalation")


class Notice(models.Model):
    """The idempotency ledger: one row per clock and step, so a step is taken once however many sweeps run."""

    clock = models.ForeignKey(Clock, on_delete=models.CASCADE, related_name="notices")
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    step = models.CharField(max_length=10, choices=Step.choices)
    created_at = models.DateTimeField()
    # The sweep that wrote the row, so that it writes the case events of exactly its own rows.
    batch = models.CharField(max_length=32, db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["clock", "step"], name="sla_notice_once")]
        indexes = [models.Index(fields=["created_at"], name="sla_notice_unsent", condition=Q(sent_at__isnull=True))]
        verbose_name = _("SLA notice")
        verbose_name_plural = _("SLA notices")

    def __str__(self) -> str:
        return f"{self.clock_id} {self.step}"


class InfoRequest(models.Model):
    """ "More information requested" from the citizen: the case's clocks are paused while it is open."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="info_requests")
    question = models.TextField(_("question"))
    asked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    asked_at = models.DateTimeField()
    answer = models.TextField(_("answer"), blank=True)
    resumed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resumed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-asked_at"]
        constraints = [
            models.UniqueConstraint(fields=["case"], condition=Q(resumed_at__isnull=True), name="sla_one_open_info")
        ]
        verbose_name = _("information request")
        verbose_name_plural = _("information requests")

    def __str__(self) -> str:
        return self.question[:40]


class Extension(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Refused")

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="extensions")
    days = models.PositiveIntegerField(_("working days"))
    reason = models.TextField(_("reason"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    requested_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    new_deadline = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(fields=["case"], condition=Q(status="pending"), name="sla_one_pending_extension")
        ]
        verbose_name = _("extension")
        verbose_name_plural = _("extensions")

    def __str__(self) -> str:
        return f"{self.case_id} +{self.days}"


class Supervision(models.Model):
    """A supervisor's flag (督办) on a case; instructions are case events."""

    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="supervision")
    flagged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    flagged_at = models.DateTimeField()
    instruction = models.TextField(_("instruction"), blank=True)
    active = models.BooleanField(default=True, db_index=True)

    class Meta:
        verbose_name = _("supervision")
        verbose_name_plural = _("supervisions")

    def __str__(self) -> str:
        return f"{self.case_id}"
