"""What the analysis pipeline learned about each case, and the rules and words staff give it.

The row of a case's analysis is created with the case, in the same transaction, in state "pending": the database
says which work is outstanding, so a lost message or a killed worker loses nothing (DESIGN.md, background work).
Every result keeps its confidence and the version of the model that produced it.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from fankui.core.vocab import Kind


class Sentiment(models.TextChoices):
    NEGATIVE = "negative", _("Negative")
    NEUTRAL = "neutral", _("Neutral")
    POSITIVE = "positive", _("Positive")


class Urgency(models.TextChoices):
    NORMAL = "normal", _("Normal")
    URGENT = "urgent", _("Urgent")
    EMERGENCY = "emergency", _("Emergency")


class Nature(models.TextChoices):
    """The seed's distinction: an opinion on how things are (反映) or a concrete problem somebody must solve."""

    OPINION = "opinion", _("Opinion")
    PROBLEM = "problem", _("Problem to solve")


# Words for the urgency rules' reasons (``nlp.rules``), for the case page and the timeline.
REASON_LABELS = {
    "gas": _("gas leak"),
    "trapped": _("people trapped"),
    "self_harm": _("self-harm"),
    "violence": _("violence"),
    "fire": _("fire or explosion"),
    "danger_to_life": _("danger to life"),
    "medical": _("medical emergency"),
    "flood": _("flood"),
    "electric": _("electric shock hazard"),
    "hazard": _("hazard"),
    "utilities": _("water, power or heating cut"),
    "vulnerable": _("vulnerable person"),
    "pressing": _("pressing"),
    # Staff (the hotline's operator, during the call) said so, whatever the words.
    "operator": _("flagged by the operator"),
}


class Followup(models.TextChoices):
    """What is still to be done after an analysis committed (``pipeline.follow_up``), in this order; set in the
    transaction that saves the results and moved on in the transaction that does each step, so a worker killed in
    between leaves the step to the sweep (``tasks.finish_follow_ups``) and a step is never done twice."""

    NONE = "", "none"
    # The emergency flag and the automatic dispatch (``pipeline._after``), then SAVED.
    ACT = "act", "emergency flag and dispatch"
    # The receivers of ``signals.analyses_saved``: the topics app's duplicate and hot topic.
    SAVED = "saved", "duplicate and hot topic"


class CaseAnalysis(models.Model):
    """One case's analysis results. Created "pending" with the case; the worker fills it in.

    Every column has a database default as well (``db_default``, migration 0005): the pending row of a new case
    (``services.queue_cases``) leaves them to the database."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    case = models.OneToOneField("cases.Case", primary_key=True, on_delete=models.CASCADE, related_name="analysis")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING, db_default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0, db_default=0)
    error = models.TextField(blank=True, db_default="")
    analysed_at = models.DateTimeField(null=True, blank=True)

    # Personal data masked out of title and text; what everything but the case page of allowed roles shows.
    masked_title = models.CharField(max_length=200, blank=True, db_default="")
    masked_body = models.TextField(blank=True, db_default="")
    # Counts of what was masked, by type ({"mobile": 1, "id_number": 1}); never the values themselves.
    personal_data = models.JSONField(default=dict, blank=True, db_default={})

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, blank=True, db_default="")
    kind_confidence = models.FloatField(null=True, blank=True)
    nature = models.CharField(_("nature"), max_length=10, choices=Nature.choices, blank=True, db_default="")
    nature_confidence = models.FloatField(null=True, blank=True)
    category = models.ForeignKey(
        "cases.Category", verbose_name=_("category"), null=True, blank=True, on_delete=models.SET_NULL
    )
    category_confidence = models.FloatField(null=True, blank=True)
    sentiment = models.CharField(_("sentiment"), max_length=10, choices=Sentiment.choices, blank=True, db_default="")
    # -1 (very negative) .. +1 (very positive)
    sentiment_score = models.FloatField(null=True, blank=True)
    urgency = models.CharField(
        _("urgency"), max_length=10, choices=Urgency.choices, blank=True, db_index=True, db_default=""
    )
    urgency_confidence = models.FloatField(null=True, blank=True)
    department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("suggested department"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
    )
    department_confidence = models.FloatField(null=True, blank=True)
    duplicate_of = models.ForeignKey(
        "cases.Case",
        verbose_name=_("likely duplicate of"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="likely_duplicates",
    )
    duplicate_similarity = models.FloatField(null=True, blank=True)
    # The place the case is about and its issue words (``topics.features``), kept so that later cases can be
    # compared with it without reading its text again: a paraphrase is the same problem at the same place.
    place = models.CharField(_("place"), max_length=100, blank=True, db_default="")
    # Separated by spaces (words never hold one): a plain string is read and written faster than a JSON list.
    words = models.TextField(blank=True, db_default="")
    # The distinct words its hot topic's keywords are made from (``places.features`` without the known places),
    # kept for the same reason: a topic's keywords are remade from its latest cases at most batches, and cutting
    # their texts into words again each time was most of the worker's time once topics grew (bench/README.md).
    # Empty for cases placed before it was kept: those are cut again when read.
    topic_words = models.TextField(blank=True, db_default="")
    # Found by the topics app after the analysis (as are the duplicate, the place and the words above).
    topic = models.ForeignKey(
        "topics.Topic",
        verbose_name=_("hot topic"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="analyses",
    )
    # {"kind": "builtin-2026.11", "category": "category-20261121T1000", ...}: which model produced each result.
    model_versions = models.JSONField(default=dict, blank=True, db_default={})
    # Why the urgency is what it is (["gas", "trapped"]): staff see the reason for an emergency flag.
    urgency_reasons = models.JSONField(default=list, blank=True, db_default=[])
    # Which keyword rule gave the category or department when no trained model was confident (fallback).
    rule = models.ForeignKey(
        "analysis.KeywordRule", null=True, blank=True, on_delete=models.SET_NULL, related_name="analyses"
    )
    # The steps after the analysis not done yet (``Followup``): "" once all are.
    followup = models.CharField(max_length=10, blank=True, default="", db_default="")

    class Meta:
        indexes = [
            # The worker's queue: only pending rows are in this index, so it stays small however many cases exist.
            models.Index(fields=["status"], name="analysis_pending", condition=models.Q(status="pending")),
            # A topic's latest cases (``topics.services.latest_samples``), read from the index's end, however big
            # the topic: ordered by the topic's own column alone they were all read and sorted at every batch.
            models.Index(fields=["topic", "case"], name="analysis_topic_latest"),
            # The follow-up sweep's: only rows with a step left, a handful at any time.
            models.Index(
                fields=["followup"], name="analysis_followup", condition=models.Q(followup__in=["act", "saved"])
            ),
        ]
        verbose_name = _("case analysis")
        verbose_name_plural = _("case analyses")

    def __str__(self) -> str:
        return f"{self.case_id} {self.status}"


class KeywordRule(models.Model):
    """Rules staff edit in the admin: texts with these keywords belong to a category and/or go to a department.

    The fallback until the organisation's own cases have trained the ``category`` and ``routing`` models, and
    whenever a trained model is less sure than the rule's threshold. The rule with the most keyword hits wins;
    ties go to the higher priority.
    """

    name = models.CharField(_("name"), max_length=100)
    # One keyword or phrase a line (commas work too); any of them matching counts.
    keywords = models.TextField(_("keywords"), help_text=_("One keyword or phrase per line."))
    category = models.ForeignKey(
        "cases.Category", verbose_name=_("category"), null=True, blank=True, on_delete=models.CASCADE
    )
    department = models.ForeignKey(
        "accounts.Department", verbose_name=_("department"), null=True, blank=True, on_delete=models.CASCADE
    )
    priority = models.IntegerField(_("priority"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["-priority", "name"]
        verbose_name = _("keyword rule")
        verbose_name_plural = _("keyword rules")

    def __str__(self) -> str:
        return self.name

    def keyword_list(self) -> list[str]:
        parts = self.keywords.replace("，", "\n").replace(",", "\n").replace("、", "\n").splitlines()
        return [part.strip() for part in parts if part.strip()]


class DomainWord(models.Model):
    """A word of the organisation's own vocabulary that the segmenter must keep whole (小区 names, programme names)."""

    word = models.CharField(_("word"), max_length=50, unique=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["word"]
        verbose_name = _("domain word")
        verbose_name_plural = _("domain words")

    def __str__(self) -> str:
        return self.word


class TrainedModel(models.Model):
    """A model the organisation trained (``fankui train``; ``category`` and ``routing`` by ``fankui retrain``), kept
    in the database: every web and worker machine reads the same one, a backup of the database holds it, and a model
    is replaced by one committed row, never seen half-written. A few MB (docs/analysis.md, "Where models live"). The
    shipped models stay files in the package (``store.BUILTIN_DIR``)."""

    name = models.CharField(max_length=64, unique=True)
    version = models.CharField(max_length=100)
    # Of ``data``: what a process's copy is kept under (``store``), and checked again when the bytes are read.
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    # The model as ``joblib.dump(..., compress=3)`` wrote it.
    data = models.BinaryField()
    metadata = models.JSONField(default=dict)
    saved_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.version


class Retraining(models.Model):
    """When the scheduled retraining last ran (one row): every worker machine reads the same time."""

    ran_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.ran_at:%Y-%m-%d %H:%M}"
