"""Questionnaires (NPS, CSAT, CES and open questions) that an organisation builds and runs itself.

A ``Questionnaire`` holds what does not change between versions (titles, dates, quota, anonymity, its department);
its questions live in a ``Version`` (pages, questions, choices). A version that has responses is never changed: the
builder's first edit after a response copies it into the next version (``services.building.working_version``), so
every ``Response`` stays readable against the exact questions it answered. Pages, questions and choices carry a
``key`` that the copy keeps, so results can follow "the same question" across versions.

``Answer`` rows are one value each (a number, a text, a chosen choice, or one row of a matrix with its column); the
database's unique constraints make a value impossible to store twice. An ``Invitation`` (one per address) is used
once: for a questionnaire that is not anonymous its response points at it (unique), for an anonymous one nothing
links the two (docs/questionnaires.md).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from fankui.core.fields import EncryptedTextField


def in_language(zh: str, en: str) -> str:
    """The text for the reader: English when the page is in English and there is an English text, else Chinese."""
    if en and (get_language() or "").startswith("en"):
        return en
    return zh or en


class State(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    CLOSED = "closed", _("Closed")


class Questionnaire(models.Model):
    title_zh = models.CharField(_("title (Chinese)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    intro_zh = models.TextField(_("introduction (Chinese)"), blank=True)
    intro_en = models.TextField(_("introduction (English)"), blank=True)
    # Whose questionnaire it is: who may edit it and see its results (accounts.permissions' department scope). None:
    # the organisation's own, edited by supervisors and administrators.
    department = models.ForeignKey(
        "accounts.Department", verbose_name=_("department"), null=True, blank=True, on_delete=models.PROTECT
    )
    # Anonymous: no response is linked to an invitation or a person, and the page says so.
    anonymous = models.BooleanField(_("anonymous"), default=False)
    state = models.CharField(max_length=12, choices=State.choices, default=State.DRAFT)
    opens_at = models.DateTimeField(_("opens at"), null=True, blank=True)
    closes_at = models.DateTimeField(_("closes at"), null=True, blank=True)
    quota = models.PositiveIntegerField(_("quota"), null=True, blank=True)
    # The public link's part (/q/<public_key>/); anyone with it may answer unless ``public`` is off (invitations only).
    public_key = models.CharField(max_length=32, unique=True)
    public = models.BooleanField(_("public link"), default=True)
    # The version respondents answer now (the newest).
    current_version = models.ForeignKey("Version", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # Which shipped template it was copied from ("" when built from nothing).
    template = models.CharField(max_length=40, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    # When it was last closed by hand (``building.set_state``); with ``closes_at`` it starts the retention period of
    # the invitations' addresses (``services.distribution.addresses_due``). None while published or a draft.
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("questionnaire")
        verbose_name_plural = _("questionnaires")
        constraints = [
            models.CheckConstraint(
                condition=Q(opens_at__isnull=True) | Q(closes_at__isnull=True) | Q(closes_at__gt=models.F("opens_at")),
                name="questionnaire_closes_after_it_opens",
            ),
        ]

    def __str__(self) -> str:
        return self.title_zh

    @property
    def title(self) -> str:
        return in_language(self.title_zh, self.title_en)

    @property
    def intro(self) -> str:
        return in_language(self.intro_zh, self.intro_en)


class Version(models.Model):
    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["questionnaire", "number"]
        constraints = [models.UniqueConstraint(fields=["questionnaire", "number"], name="version_number_once")]

    def __str__(self) -> str:
        return f"{self.questionnaire_id} v{self.number}"


class Page(models.Model):
    version = models.ForeignKey(Version, on_delete=models.CASCADE, related_name="pages")
    key = models.CharField(max_length=16)
    position = models.PositiveIntegerField()
    title_zh = models.CharField(_("page title (Chinese)"), max_length=200, blank=True)
    title_en = models.CharField(_("page title (English)"), max_length=200, blank=True)

    class Meta:
        ordering = ["version", "position"]
        constraints = [models.UniqueConstraint(fields=["version", "key"], name="page_key_once")]

    def __str__(self) -> str:
        return f"{self.version} p{self.position}"

    @property
    def title(self) -> str:
        return in_language(self.title_zh, self.title_en)


class Kind(models.TextChoices):
    SINGLE = "single", _("Single choice")
    MULTIPLE = "multiple", _("Multiple choice")
    SCALE = "scale", _("Rating scale")
    NPS = "nps", _("NPS (0–10)")
    CSAT = "csat", _("CSAT (1–5)")
    CES = "ces", _("CES (1–7)")
    MATRIX = "matrix", _("Matrix")
    TEXT = "text", _("Free text")


# The fixed ranges of the standard scores; a rating scale has its own (``Question.scale_min``/``scale_max``).
FIXED_RANGES = {Kind.NPS: (0, 10), Kind.CSAT: (1, 5), Kind.CES: (1, 7)}
NUMBER_KINDS = frozenset({Kind.SCALE, Kind.NPS, Kind.CSAT, Kind.CES})
CHOICE_KINDS = frozenset({Kind.SINGLE, Kind.MULTIPLE, Kind.MATRIX})
TEXT_LIMIT = 4000


class Question(models.Model):
    version = models.ForeignKey(Version, on_delete=models.CASCADE, related_name="questions")
    page = models.ForeignKey(Page, on_delete=models.CASCADE, related_name="questions")
    key = models.CharField(max_length=16)
    position = models.PositiveIntegerField()
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    text_zh = models.CharField(_("question (Chinese)"), max_length=500)
    text_en = models.CharField(_("question (English)"), max_length=500, blank=True)
    help_zh = models.CharField(_("help (Chinese)"), max_length=500, blank=True)
    help_en = models.CharField(_("help (English)"), max_length=500, blank=True)
    required = models.BooleanField(_("required"), default=False)
    # A rating scale's range (NPS, CSAT and CES have theirs: FIXED_RANGES) and the words at its two ends.
    scale_min = models.PositiveSmallIntegerField(default=1)
    scale_max = models.PositiveSmallIntegerField(default=5)
    low_label_zh = models.CharField(max_length=100, blank=True)
    low_label_en = models.CharField(max_length=100, blank=True)
    high_label_zh = models.CharField(max_length=100, blank=True)
    high_label_en = models.CharField(max_length=100, blank=True)
    # Show-if: shown only when the answer to an earlier question of the same version is one of ``show_if_values``
    # (choice keys) or, for a number, between ``show_if_min`` and ``show_if_max``. Evaluated on the server.
    show_if = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="shows")
    show_if_values = models.JSONField(default=list, blank=True)
    show_if_min = models.SmallIntegerField(null=True, blank=True)
    show_if_max = models.SmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["version", "page__position", "position"]
        constraints = [
            models.UniqueConstraint(fields=["version", "key"], name="question_key_once"),
            models.CheckConstraint(condition=Q(scale_min__lt=models.F("scale_max")), name="question_scale_range"),
            models.CheckConstraint(condition=Q(scale_max__lte=10), name="question_scale_at_most_ten"),
        ]

    def __str__(self) -> str:
        return self.text_zh

    @property
    def text(self) -> str:
        return in_language(self.text_zh, self.text_en)

    @property
    def help(self) -> str:
        return in_language(self.help_zh, self.help_en)

    @property
    def low_label(self) -> str:
        return in_language(self.low_label_zh, self.low_label_en)

    @property
    def high_label(self) -> str:
        return in_language(self.high_label_zh, self.high_label_en)

    @property
    def range(self) -> tuple[int, int]:
        """The numbers a number question accepts, both ends included."""
        return FIXED_RANGES.get(Kind(self.kind), (self.scale_min, self.scale_max))

    def show_if_labels(self) -> list[str]:
        """The labels of the choices of ``show_if`` that show this question (for the builder's summary)."""
        if self.show_if is None or not self.show_if_values:
            return []
        wanted = set(self.show_if_values)
        return [c.label for c in self.show_if.choices.all() if c.key in wanted]

    @property
    def field(self) -> str:
        """The name of its input on the respondent's page and of its errors in ``ValidationFailed``."""
        return f"q_{self.key}"


class Axis(models.TextChoices):
    OPTION = "option", _("Choice")  # a choice, or a matrix's column
    ROW = "row", _("Matrix row")


class Choice(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    axis = models.CharField(max_length=6, choices=Axis.choices, default=Axis.OPTION)
    key = models.CharField(max_length=16)
    position = models.PositiveIntegerField()
    label_zh = models.CharField(_("label (Chinese)"), max_length=200)
    label_en = models.CharField(_("label (English)"), max_length=200, blank=True)
    # What a choice counts as in averages and cross-tabs (a matrix column "5 非常满意" counts 5); None: not a number.
    score = models.SmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["question", "axis", "position"]
        constraints = [models.UniqueConstraint(fields=["question", "key"], name="choice_key_once")]

    def __str__(self) -> str:
        return self.label_zh

    @property
    def label(self) -> str:
        return in_language(self.label_zh, self.label_en)


class Via(models.TextChoices):
    PUBLIC = "public", _("Public link")
    INVITATION = "invitation", _("Invitation")
    # Answers an operator read out and recorded on a call (回访, services.phone), with or without an invitation.
    PHONE = "phone", _("Phone")


class Invitation(models.Model):
    """One address invited to answer once. Its link carries ``nonce`` signed (``services.distribution``), so the
    database alone cannot make a valid link; ``used_at`` is set once, by a conditional update."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("E-mail")
        SMS = "sms", _("SMS")

    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.CASCADE, related_name="invitations")
    channel = models.CharField(max_length=8, choices=Channel.choices)
    address = EncryptedTextField()
    address_hash = models.CharField(max_length=64)
    nonce = models.CharField(max_length=32, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    # For an anonymous questionnaire only the day is kept, so the time cannot pair it with a response.
    used_at = models.DateTimeField(null=True, blank=True)
    # When the retention sweep erased the address (privacy, FANKUI_RETENTION_INVITATION_DAYS after the questionnaire
    # closed): ``address`` is then empty and ``address_hash`` no longer the address's; the row and its dates stay, so
    # the response rate is unchanged.
    erased_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["questionnaire", "id"]
        constraints = [
            models.UniqueConstraint(fields=["questionnaire", "address_hash"], name="invitation_address_once")
        ]

    def __str__(self) -> str:
        return f"{self.questionnaire_id}:{self.pk}"


class Response(models.Model):
    """A completed response. Drafts are ``Draft`` rows; a response is written once, whole, by ``services.submit``."""

    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.PROTECT, related_name="responses")
    version = models.ForeignKey(Version, on_delete=models.PROTECT, related_name="responses")
    via = models.CharField(max_length=12, choices=Via.choices)
    # Only when the questionnaire is not anonymous; unique, so an invitation has one response at most.
    invitation = models.OneToOneField(
        Invitation, null=True, blank=True, on_delete=models.PROTECT, related_name="response"
    )
    language = models.CharField(max_length=10, default="zh-hans")
    # For an anonymous questionnaire, the day only (see Invitation.used_at).
    submitted_at = models.DateTimeField(db_index=True)
    # The random key of the form an operator sent (the phone page, ``services.phone``): the same form sent twice (a
    # double click, a resent request) is one response. Blank for the other channels, which have their own guards.
    form_key = models.CharField(max_length=32, blank=True, default="")

    class Meta:
        ordering = ["questionnaire", "-submitted_at", "-id"]
        # A questionnaire's responses by time: the results' months and date filters, the export's order.
        indexes = [models.Index(fields=["questionnaire", "submitted_at"], name="response_questionnaire_time")]
        constraints = [
            models.UniqueConstraint(
                fields=["questionnaire", "form_key"], condition=~Q(form_key=""), name="response_once_per_form"
            )
        ]

    def __str__(self) -> str:
        return f"{self.questionnaire_id}#{self.pk}"


class Answer(models.Model):
    """One value of a response: ``number`` (scale, NPS, CSAT, CES), ``text`` (free text), ``choice`` (single; one row
    per chosen choice of a multiple choice) or ``row`` and ``choice`` (one row of a matrix and its column)."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    row = models.ForeignKey(Choice, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    choice = models.ForeignKey(Choice, null=True, blank=True, on_delete=models.PROTECT, related_name="answers")
    number = models.SmallIntegerField(null=True, blank=True)
    text = models.TextField(blank=True)

    class Meta:
        ordering = ["response", "id"]
        # The results' rollup (services.results) counts a questionnaire's answers by question and value from this
        # index alone, without reading the table: 100,000 responses in a fraction of a second.
        indexes = [models.Index(fields=["question", "number", "choice", "row", "response"], name="answer_rollup")]
        constraints = [
            # Nothing counted twice: one number or text per question, each choice once, one column per matrix row.
            models.UniqueConstraint(
                fields=["response", "question"],
                condition=Q(choice__isnull=True, row__isnull=True),
                name="answer_one_value",
            ),
            models.UniqueConstraint(
                fields=["response", "question", "choice"],
                condition=Q(choice__isnull=False, row__isnull=True),
                name="answer_choice_once",
            ),
            models.UniqueConstraint(
                fields=["response", "question", "row"], condition=Q(row__isnull=False), name="answer_row_once"
            ),
            models.CheckConstraint(
                condition=Q(number__isnull=True) | Q(number__gte=0, number__lte=10), name="answer_number_in_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.response_id}:{self.question_id}"


class Draft(models.Model):
    """Answers kept between the pages of one respondent, found by a signed key in a cookie (and a hidden field).
    Deleted when the response is submitted; the ``questionnaires_forget_drafts`` sweep deletes old ones."""

    key = models.CharField(max_length=32, unique=True)
    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.CASCADE, related_name="+")
    version = models.ForeignKey(Version, on_delete=models.CASCADE, related_name="+")
    invitation = models.ForeignKey(Invitation, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    answers = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self) -> str:
        return f"draft {self.pk}"

    def values(self) -> dict[str, Any]:
        return dict(self.answers or {})


# The results' own rows (free-text readings, links to actions, follow-up cases): models_results.py.
from .models_results import AnswerAction, FollowUp, TextReading  # noqa: E402, F401
