from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fankui.core import codes
from fankui.core.vocab import Kind

from .workflow import State


class Category(models.Model):
    """A node of the organisation's category tree (一级/二级/三级分类)."""

    name = models.CharField(_("name"), max_length=100)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    level = models.PositiveSmallIntegerField(default=1, editable=False)
    # Where cases of this category usually go; a suggestion for dispatchers, not a rule.
    department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("usual department"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
    )
    active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)

    class Meta:
        ordering = ["level", "sort_order", "name"]
        constraints = [models.UniqueConstraint(fields=["parent", "name"], name="category_unique_name_in_parent")]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return self.name

    def save(self, *args: object, **kwargs: object) -> None:
        self.level = self.parent.level + 1 if self.parent else 1
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class YearCounter(models.Model):
    """The last human case number handed out in a year (2026-000123), on SQLite. PostgreSQL uses a sequence per
    year instead (see ``services._next_number``)."""

    year = models.PositiveIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class Case(models.Model):
    """The workflow record (工单) of one submission. Only ``cases.services`` changes ``state``."""

    submission = models.OneToOneField("intake.Submission", on_delete=models.PROTECT, related_name="case")
    tracking_code = models.CharField(_("tracking code"), max_length=codes.LENGTH, unique=True)
    number = models.CharField(_("number"), max_length=20, unique=True)
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.RECEIVED)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.COMPLAINT)
    category = models.ForeignKey(Category, verbose_name=_("category"), null=True, blank=True, on_delete=models.PROTECT)
    lead_department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("lead department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="lead_cases",
    )
    assist_departments = models.ManyToManyField(
        "accounts.Department",
        verbose_name=_("assisting departments"),
        blank=True,
        related_name="assist_cases",
    )
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_cases",
    )
    created_at = models.DateTimeField(_("received at"), db_index=True)
    state_changed_at = models.DateTimeField()
    replied_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["state", "-created_at"]),
            models.Index(fields=["lead_department", "state"]),
            # The analysis report and the dashboard count cases closed in a period.
            models.Index(fields=["closed_at"]),
        ]
        verbose_name = _("case")
        verbose_name_plural = _("cases")

    def __str__(self) -> str:
        return self.number

    @property
    def display_code(self) -> str:
        return codes.display(self.tracking_code)

    @property
    def is_open(self) -> bool:
        return self.state not in State.terminal()


class Reply(models.Model):
    """The department's answer (答复) to the submitter."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="replies")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    department = models.ForeignKey("accounts.Department", null=True, blank=True, on_delete=models.PROTECT)
    body = models.TextField(_("reply"))
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("reply")
        verbose_name_plural = _("replies")

    def __str__(self) -> str:
        return self.body[:40]
