from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from fankui.core import codes
from fankui.core.fields import tree_parent
from fankui.core.vocab import Channel, Kind
from fankui.intake.models import stored_files

from .workflow import SpamKind, State


class Category(models.Model):
    """A node of the organisation's category tree (一级/二级/三级分类)."""

    name = models.CharField(_("name"), max_length=100)
    parent = tree_parent()
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


class Source(models.TextChoices):
    """Who set a case's kind or category. Blank: nobody chose it (the kind's default until the analysis runs).

    A value the submitter or staff set is final: the analysis never overwrites it
    (``services.classification.classify_by_system``).
    """

    CITIZEN = "citizen", _("the submitter")
    SYSTEM = "system", _("the analysis")
    STAFF = "staff", _("staff")


class YearCounter(models.Model):
    """The last human case number handed out in a year (2026-000123), on SQLite. PostgreSQL uses a sequence per
    year instead (see ``services.receiving._next_numbers``)."""

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
    # Who set the kind and the category (see ``Source``); the case's events say when and, for the analysis, how sure.
    kind_source = models.CharField(_("kind set by"), max_length=10, choices=Source.choices, blank=True, default="")
    category_source = models.CharField(
        _("category set by"), max_length=10, choices=Source.choices, blank=True, default=""
    )
    # How sure the analysis was of the kind or category it set (null unless the source is the analysis).
    kind_confidence = models.FloatField(null=True, blank=True)
    category_confidence = models.FloatField(null=True, blank=True)
    lead_department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("lead department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="lead_cases",
        # Served by the index below that starts with it (a second one would cost every intake a write).
        db_index=False,
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
    # Spam or abuse, while the case is marked (state ``spam``); empty otherwise.
    spam_kind = models.CharField(_("marked as"), max_length=10, choices=SpamKind.choices, blank=True, default="")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["state", "-created_at"]),
            models.Index(fields=["lead_department", "state"]),
            # A department's list in its order: SQLite sorted every case of the department by reading each row
            # (a handler's list 6 ms slower than the unscoped one at 100,000 cases; bench/README.md).
            models.Index(fields=["lead_department", "created_at", "id"], name="case_lead_department_created"),
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

    @property
    def kind_origin(self) -> str:
        """Who set the kind, in words for staff ("set by the analysis, 92%")."""
        return _origin(self.kind_source, self.kind_confidence, unset=gettext("not chosen yet"))

    @property
    def category_origin(self) -> str:
        return _origin(self.category_source, self.category_confidence, unset="") if self.category_id else ""


def _origin(source: str, confidence: float | None, *, unset: str) -> str:
    if source == Source.SYSTEM:
        if confidence is None:
            return gettext("set by the analysis")
        return gettext("set by the analysis, %(percent)d%%") % {"percent": round(confidence * 100)}
    if source == Source.CITIZEN:
        return gettext("chosen by the submitter")
    if source == Source.STAFF:
        return gettext("set by staff")
    return unset


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


class Supplement(models.Model):
    """补充: what someone wrote on a case after it was opened, on any channel (a reply to our e-mail, a FixMyStreet
    comment over Open311): its words and its attachments, checked and stored as the web form's are
    (``services.supplements.add_supplement``, the one writer). Not 回访 (``surveys.FollowUp``, a call staff make).
    The ``supplement`` event on the timeline refers to this row, so erasure masks the words here, never in the audit
    trail."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="supplements")
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    text = models.TextField(_("text"))
    # The sender is the case's contact (an e-mail address compared by keyed hash); staff read a stranger's words
    # with that in mind, and only the contact's words answer a request for information.
    from_contact = models.BooleanField(_("from the case's contact"), default=False)
    # The SLA took it as the answer to its open request for information (the answer's own event shows the words).
    answers_request = models.BooleanField(_("answers a request for information"), default=False)
    # The channel's own id of it ("email:<hash of the Message-ID>", "open311:<client>:<update_id>"): the same
    # supplement sent again finds this row instead of adding a second.
    key = models.CharField(max_length=120, unique=True, null=True, blank=True)
    created_at = models.DateTimeField(_("received at"))
    attachments = stored_files()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["case", "created_at"], name="cases_supplement_case")]
        verbose_name = _("supplement")
        verbose_name_plural = _("supplements")

    def __str__(self) -> str:
        return f"{self.case_id} {self.created_at:%Y-%m-%d %H:%M}"
