"""The per-case pipeline: mask, classify, score, suggest a department; then the topics app's duplicate and hot topic.

The worker's sweep takes pending analyses in batches (``SKIP LOCKED`` on PostgreSQL, so several workers share the
queue), runs every step on the whole batch at once (models predict faster on a list than one text at a time), and
saves each case's results with their confidences and model versions. A case whose analysis raises is retried on
the next batches and marked failed after ``MAX_ATTEMPTS``; it never holds up the others.

Category and department: the organisation's trained model when there is one and it is at least
``RULE_THRESHOLD`` sure; otherwise the best keyword rule; for the department, failing both, the category's usual
department. An emergency is recorded as an internal event "flagged_emergency" and heads the triage inbox; it is
never dispatched automatically (a person must look at it now). After each batch committed, ``signals.analyses_saved``
lets the topics app find the cases' likely duplicates and hot topics.

The receipt is queued in the batch's transaction (``signals.analysis_finished``). The steps after it (the emergency
flag and automatic dispatch, then the duplicates and topics) run after the commit, in short transactions of their
own, so that SQLite's write lock is not held across them all; each is recorded as due (``CaseAnalysis.followup``) in
the batch's transaction and marked done in the transaction that does it. A worker killed in between leaves it due,
and the follow-up sweep (``follow_up_stale``) does it once the worker's lease has passed: once in effect, never lost.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from fankui.accounts.models import Department
from fankui.audit.services import record_event
from fankui.cases.models import Case, Category
from fankui.cases.services import classification, moves
from fankui.cases.workflow import State
from fankui.core import logs
from fankui.core.lookups import cached_lookups
from fankui.core.rows import update_rows
from fankui.nlp import rules, text
from fankui.nlp.masking import mask_case_text

from . import predictors, signals
from .keywords import match_rules
from .models import CaseAnalysis, DomainWord, Followup, KeywordRule

log = logging.getLogger("fankui.analysis")

BATCH = 200
# The models read the title and the first this many characters: what a message is about is said at its start,
# and character n-gram features cost time in proportion to length. Urgency rules read the whole text.
MODEL_CHARS = 300
MASKED_TITLE_CHARS: int = CaseAnalysis._meta.get_field("masked_title").max_length  # type: ignore[assignment]
MAX_ATTEMPTS = 3
# Below this confidence a trained category/routing model gives way to a matching keyword rule.
RULE_THRESHOLD = 0.5


def auto_dispatch_threshold() -> float | None:
    return settings.FANKUI_AUTO_DISPATCH_CONFIDENCE


def apply_thresholds() -> tuple[float | None, float | None]:
    """How sure the analysis must be for its kind and its category to be applied to a case nobody classified."""
    return settings.FANKUI_APPLY_KIND_CONFIDENCE, settings.FANKUI_APPLY_CATEGORY_CONFIDENCE


@dataclass
class Models:
    """Everything a batch needs, loaded once per batch (cheap: models are cached until their files change)."""

    kind: Any
    nature: Any
    sentiment: predictors.SentimentPredictor
    category: Any | None
    routing: Any | None
    rules: list[tuple[int, int | None, int | None, int, list[str]]] = field(default_factory=list)
    categories: dict[int, Category] = field(default_factory=dict)
    departments: dict[int, Department] = field(default_factory=dict)

    @classmethod
    def load(cls) -> Models:
        rule_rows = [
            (
                rule.pk,
                rule.category_id,
                rule.department_id,
                rule.priority,
                [text.normalize(k) for k in rule.keyword_list()],
            )
            for rule in KeywordRule.objects.filter(active=True)
        ]
        text.add_domain_words(
            [*DomainWord.objects.values_list("word", flat=True), *(k for r in rule_rows for k in r[4])]
        )
        return cls(
            kind=predictors.trained("kind"),
            nature=predictors.trained("nature"),
            sentiment=predictors.SentimentPredictor(predictors.store.load("sentiment")),
            category=predictors.trained("category"),
            routing=predictors.trained("routing"),
            rules=rule_rows,
            # With their parents: the SLA's policies match a category's ancestors too.
            categories={c.pk: c for c in Category.objects.filter(active=True).select_related("parent__parent")},
            departments={d.pk: d for d in Department.objects.filter(active=True)},
        )


def _claim(batch: int) -> list[CaseAnalysis]:
    """The next pending analyses (locked on PostgreSQL), with their cases and submissions.

    Two queries: the keys first, then the rows. In one, the database joins and sorts every pending row with its
    submission's text before keeping ``batch`` of them: with a backlog, most of a batch's claiming time."""
    pending = CaseAnalysis.objects.filter(status=CaseAnalysis.Status.PENDING).order_by("attempts", "case_id")
    if connection.vendor == "postgresql":
        pending = pending.select_for_update(skip_locked=True, of=("self",))
    keys = list(pending.values_list("case_id", flat=True)[:batch])
    if not keys:
        return []
    rows = CaseAnalysis.objects.filter(case_id__in=keys).order_by("attempts", "case_id")
    return list(rows.select_related("case", "case__submission", "case__category__parent__parent"))


def _trained_choice(model: Any, texts: list[str]) -> list[tuple[int | None, float, str]]:
    if model is None:
        return [(None, 0.0, "")] * len(texts)
    out: list[tuple[int | None, float, str]] = []
    for label, confidence in model.predict(texts):
        try:
            out.append((int(label), confidence, model.version))
        except ValueError:
            out.append((None, 0.0, ""))
    return out


def analyse_batch(analyses: list[CaseAnalysis], models: Models) -> None:
    """Fill in every field of these analyses (inside the caller's transaction)."""
    now = timezone.now()
    texts: list[str] = []
    for analysis in analyses:
        submission = analysis.case.submission
        names = [submission.contact_name] if submission.contact_name else []
        masked_title, analysis.masked_body, analysis.personal_data = mask_case_text(
            submission.title, submission.body, names
        )
        # A mask can be longer than what it hides ("a@b.cn" -> "a***@b.cn"): a full-length title must still fit
        # its column (cutting the end never reveals anything the mask hid).
        analysis.masked_title = masked_title[:MASKED_TITLE_CHARS]
        texts.append(f"{analysis.masked_title} {analysis.masked_body}".strip())
    heads = [t[:MODEL_CHARS] for t in texts]
    corrected = [_staff_corrections(analysis) for analysis in analyses]
    kinds = (
        models.kind.predict(heads)
        if models.kind
        else [(g.label, g.confidence) for g in (rules.kind(a.masked_body, a.masked_title) for a in analyses)]
    )
    natures = (
        models.nature.predict(heads)
        if models.nature
        else [(g.label, g.confidence) for g in (rules.nature(t, k) for t, (k, _) in zip(texts, kinds, strict=True))]
    )
    sentiments = models.sentiment.analyse(heads)
    categories = _trained_choice(models.category, heads)
    routes = _trained_choice(models.routing, heads)
    for i, analysis in enumerate(analyses):
        normalized = text.normalize(texts[i])
        urgency = rules.urgency(texts[i])
        versions: dict[str, str] = {
            "masking": "masking-2026.11",
            "kind": models.kind.version if models.kind else rules.RULES_VERSION,
            "nature": models.nature.version if models.nature else rules.RULES_VERSION,
            "sentiment": models.sentiment.version,
            "urgency": rules.URGENCY_VERSION,
        }
        analysis.kind, analysis.kind_confidence = kinds[i]
        analysis.nature, analysis.nature_confidence = natures[i]
        analysis.sentiment = sentiments[i].label
        analysis.sentiment_score = sentiments[i].score
        analysis.urgency, analysis.urgency_confidence = urgency.level, urgency.confidence
        analysis.urgency_reasons = urgency.reasons
        rule = match_rules(normalized, models.rules) if models.rules else None
        analysis.rule_id = None
        category_id, category_confidence, version = categories[i]
        if (category_id not in models.categories or category_confidence < RULE_THRESHOLD) and rule and rule.category_id:
            category_id, category_confidence, version = rule.category_id, rule.confidence, f"rule-{rule.rule_id}"
            analysis.rule_id = rule.rule_id
        if category_id in models.categories:
            analysis.category_id, analysis.category_confidence = category_id, round(category_confidence, 4)
            versions["category"] = version
        else:
            analysis.category_id, analysis.category_confidence = None, None
        department_id, department_confidence, version = routes[i]
        weak = department_id not in models.departments or department_confidence < RULE_THRESHOLD
        if weak and rule and rule.department_id:
            department_id, department_confidence = rule.department_id, rule.confidence
            version = f"rule-{rule.rule_id}"
            analysis.rule_id = rule.rule_id
        if department_id not in models.departments and analysis.category_id:
            usual = models.categories[analysis.category_id].department_id
            if usual in models.departments:
                department_id = usual
                department_confidence = 0.5 * (analysis.category_confidence or 0.0)
                version = f"category-usual:{versions.get('category', '')}"
        if department_id in models.departments:
            analysis.department_id, analysis.department_confidence = department_id, round(department_confidence, 4)
            versions["routing"] = version
        else:
            analysis.department_id, analysis.department_confidence = None, None
        # What staff corrected stays corrected: a new analysis (retraining, requeue) does not undo it.
        for name, values in corrected[i].items():
            for column, value in zip(STAFF_COLUMNS[name], values, strict=True):
                setattr(analysis, column, value)
            versions[name] = "staff"
        analysis.model_versions = versions
        analysis.analysed_at = now


# The results a staff correction sets (``services.correct``), by their name in ``model_versions``.
STAFF_COLUMNS = {
    "kind": ("kind", "kind_confidence"),
    "nature": ("nature", "nature_confidence"),
    "category": ("category_id", "category_confidence"),
    "routing": ("department_id", "department_confidence"),
    # An emergency the operator flagged during the call (``services.mark_emergency``) stays one.
    "urgency": ("urgency", "urgency_confidence", "urgency_reasons"),
}


def _staff_corrections(analysis: CaseAnalysis) -> dict[str, tuple[Any, ...]]:
    versions = analysis.model_versions or {}
    return {
        name: tuple(getattr(analysis, column) for column in columns)
        for name, columns in STAFF_COLUMNS.items()
        if versions.get(name) == "staff"
    }


def _apply(analyses: list[CaseAnalysis], urgencies: dict[int, str], models: Models) -> None:
    """Give each case the kind and category the analysis is sure enough of, where nobody chose them
    (``cases.services.classification.classify_by_system``: the submitter's and staff's choices are final), and
    let the deadlines follow what changed, the urgency too. In the batch's transaction, so that a case never lacks
    what its saved analysis says; should the batch's application fail, it is tried case by case, so one case's
    failure costs only its own."""
    kind_at, category_at = apply_thresholds()
    found: list[tuple[Case, classification.Finding]] = []
    for analysis in analyses:
        versions = analysis.model_versions
        finding = classification.Finding(
            models={"kind": versions.get("kind", ""), "category": versions.get("category", "")}
        )
        if kind_at is not None and analysis.kind and (analysis.kind_confidence or 0) >= kind_at:
            finding.kind, finding.kind_confidence = analysis.kind, analysis.kind_confidence
        category = models.categories.get(analysis.category_id) if analysis.category_id else None
        if category_at is not None and category is not None and (analysis.category_confidence or 0) >= category_at:
            finding.category, finding.category_confidence = category, analysis.category_confidence
        before = urgencies.get(analysis.pk, "")
        if before != analysis.urgency:
            finding.urgency = (before, analysis.urgency)
        if finding.kind is not None or finding.category is not None or finding.urgency is not None:
            found.append((analysis.case, finding))
    if not found:
        return
    try:
        with transaction.atomic():
            classification.classify_by_system(found)
        return
    except Exception:
        log.exception("applying the analysis failed for a batch; applying it case by case")
    for item in found:
        try:
            with transaction.atomic():
                classification.classify_by_system([item])
        except Exception:
            log.exception("applying the analysis failed for case %s", item[0].pk)


def _needs_action(analysis: CaseAnalysis, threshold: float | None) -> bool:
    if analysis.urgency == "emergency":
        return True
    return threshold is not None and bool(analysis.department_id) and (analysis.department_confidence or 0) >= threshold


def _after(analysis: CaseAnalysis, threshold: float | None) -> None:
    """The steps that move the case: the emergency flag and automatic dispatch."""
    case = analysis.case
    if analysis.urgency == "emergency" and not case.events.filter(action="flagged_emergency").exists():
        record_event(
            case, "flagged_emergency", actor_kind="system", data={"reasons": analysis.urgency_reasons}, public=False
        )
    if (
        threshold is not None
        and analysis.urgency != "emergency"
        and analysis.department_id
        and (analysis.department_confidence or 0) >= threshold
        and case.state in (State.RECEIVED, State.ACCEPTED)
        and analysis.department is not None
    ):
        data = {
            "auto": True,
            "confidence": analysis.department_confidence,
            "model": analysis.model_versions.get("routing", ""),
        }
        moves.auto_dispatch(case, analysis.department, data)


FIELDS = [
    "status",
    "attempts",
    "error",
    "analysed_at",
    "masked_title",
    "masked_body",
    "personal_data",
    "kind",
    "kind_confidence",
    "nature",
    "nature_confidence",
    "category",
    "category_confidence",
    "sentiment",
    "sentiment_score",
    "urgency",
    "urgency_confidence",
    "urgency_reasons",
    "department",
    "department_confidence",
    "rule",
    "model_versions",
    "followup",
]


def _save(analyses: list[CaseAnalysis]) -> list[CaseAnalysis]:
    """Each row's results (``FIELDS``), with one UPDATE statement run for the batch (``core.rows.update_rows``:
    docs/decisions/0005). If the database refuses a row, the rows are saved one by one and the refused ones counted
    as failed attempts: otherwise that row, first in the queue again, would stop every later batch. Returns the rows
    saved."""
    try:
        with transaction.atomic():
            update_rows(analyses, FIELDS)
        return analyses
    except DatabaseError:
        log.exception("saving an analysis batch failed; saving case by case")
    saved: list[CaseAnalysis] = []
    for analysis in analyses:
        try:
            with transaction.atomic():
                update_rows([analysis], FIELDS)
            saved.append(analysis)
        except DatabaseError as exc:
            analysis.attempts -= 1  # counted by _fail
            _fail(analysis, exc)
    return saved


def _fail(analysis: CaseAnalysis, exc: BaseException) -> None:
    attempts = analysis.attempts + 1
    status = CaseAnalysis.Status.FAILED if attempts >= MAX_ATTEMPTS else CaseAnalysis.Status.PENDING
    CaseAnalysis.objects.filter(pk=analysis.pk).update(
        attempts=attempts, status=status, error=f"{type(exc).__name__}: {exc}"[:2000]
    )
    if status == CaseAnalysis.Status.FAILED:
        # Failed for good: whoever waits for this case's analysis (the submitter's receipt) must not wait for ever.
        analysis.status, analysis.urgency = status, ""
        signals.analysis_finished.send(sender=CaseAnalysis, analyses=[analysis])


def run_batch(batch: int = BATCH, models: Models | None = None, after: bool = True) -> int:
    """Analyse up to ``batch`` pending cases; returns how many were claimed (done or failed). ``after=False``: without
    the duplicates, topics, emergency flags and dispatches that follow (the benchmark's models-only run)."""
    # One operation for the kept lookups (core.lookups): the templates of the receipts, the SLA's policies and
    # calendars of the dispatches are read once per batch, not once per case.
    with cached_lookups():
        threshold = auto_dispatch_threshold()
        with transaction.atomic():
            analyses = _claim(batch)
            if not analyses:
                return 0
            claimed = len(analyses)
            models = models or Models.load()
            urgencies = {analysis.pk: analysis.urgency for analysis in analyses}
            try:
                analyse_batch(analyses, models)
            except Exception:
                # Something in the batch breaks a model: fall back to one case at a time to find which.
                log.exception("analysis batch failed; retrying case by case")
                good: list[CaseAnalysis] = []
                for analysis in analyses:
                    try:
                        analyse_batch([analysis], models)
                        good.append(analysis)
                    except Exception as exc:
                        _fail(analysis, exc)
                analyses = good
            for analysis in analyses:
                analysis.status = CaseAnalysis.Status.DONE
                analysis.attempts += 1
                analysis.error = ""
                if not after:
                    analysis.followup = Followup.NONE
                else:
                    analysis.followup = Followup.ACT if _needs_action(analysis, threshold) else Followup.SAVED
            analyses = _save(analyses)
            _apply(analyses, urgencies, models)
            signals.analysis_finished.send(sender=CaseAnalysis, analyses=analyses)
        _log_done(analyses)
        if after and analyses:
            follow_up(analyses, threshold)
        return claimed


def _take(analyses: list[CaseAnalysis], step: str) -> list[CaseAnalysis]:
    """Those of ``analyses`` whose ``step`` is still due, locked until the caller's transaction ends (on SQLite its
    transaction holds the write lock): another worker's sweep leaves them alone or finds them done."""
    rows: QuerySet[CaseAnalysis] = CaseAnalysis.objects.filter(
        pk__in=[analysis.pk for analysis in analyses], status=CaseAnalysis.Status.DONE, followup=step
    )
    if connection.features.has_select_for_update_skip_locked:
        rows = rows.select_for_update(skip_locked=True)
    due = set(rows.values_list("pk", flat=True))
    return [analysis for analysis in analyses if analysis.pk in due]


def follow_up(analyses: list[CaseAnalysis], threshold: float | None) -> None:
    """The steps after the analysis of ``analyses`` committed (``CaseAnalysis.followup`` says which are due): each
    case's emergency flag and automatic dispatch, then the duplicates and topics of those that got that far. Each
    step runs in a transaction that also moves ``followup`` on, so it commits with its mark or not at all."""
    for analysis in analyses:
        if analysis.followup == Followup.ACT:
            with logs.context(request_id=analysis.case.submission.request_id, case_id=analysis.case_id):
                _act(analysis, threshold)
    saved = [analysis for analysis in analyses if analysis.followup == Followup.SAVED]
    if not saved:
        return
    signals.analyses_committed.send(sender=CaseAnalysis, analyses=saved)
    with transaction.atomic():
        saved = _take(saved, Followup.SAVED)
        if not saved:
            return
        signals.analyses_saved.send(sender=CaseAnalysis, analyses=saved)
        CaseAnalysis.objects.filter(pk__in=[analysis.pk for analysis in saved]).update(followup=Followup.NONE)
    for analysis in saved:
        analysis.followup = Followup.NONE


def _act(analysis: CaseAnalysis, threshold: float | None) -> None:
    """The emergency flag and automatic dispatch of one case, in one transaction with their mark. Should they raise
    (a dispatch the workflow refuses), the error is kept on the analysis and the case goes on without them: trying
    again would only fail again."""
    with transaction.atomic():
        if not _take([analysis], Followup.ACT):
            return
        error: dict[str, str] = {}
        try:
            with transaction.atomic():
                _after(analysis, threshold)
        except Exception as exc:
            log.exception("analysis follow-up failed for case %s", analysis.case_id)
            error["error"] = f"{type(exc).__name__}: {exc}"[:2000]
        CaseAnalysis.objects.filter(pk=analysis.pk).update(followup=Followup.SAVED, **error)
    analysis.followup = Followup.SAVED


def follow_up_stale(batch: int = BATCH, now: datetime | None = None) -> int:
    """The follow-ups still due for analyses done longer ago than a worker's lease (``FANKUI_NOTIFY_LEASE_SECONDS``,
    as for a claimed message): their worker died between the analysis and its steps. Returns how many it took up."""
    cutoff = (now or timezone.now()) - timedelta(seconds=settings.FANKUI_NOTIFY_LEASE_SECONDS)
    stale = CaseAnalysis.objects.filter(
        followup__in=[Followup.ACT, Followup.SAVED], status=CaseAnalysis.Status.DONE, analysed_at__lt=cutoff
    )
    keys = list(stale.order_by("case_id").values_list("case_id", flat=True)[:batch])
    if not keys:
        return 0
    # Read again here: the case may have moved on since (a person dispatched it), and ``_after`` looks at its state.
    analyses = list(
        CaseAnalysis.objects.filter(case_id__in=keys)
        .order_by("case_id")
        .select_related("case", "case__submission", "department")
    )
    log.info("taking up the follow-ups of %d analyses left by a worker", len(analyses))
    follow_up(analyses, auto_dispatch_threshold())
    return len(analyses)


def _log_done(analyses: list[CaseAnalysis]) -> None:
    """One line per case analysed, committed, in the log context of its intake (its request id: core.logs)."""
    if not log.isEnabledFor(logging.INFO):
        return
    for analysis in analyses:
        with logs.context(request_id=analysis.case.submission.request_id, case_id=analysis.case_id):
            log.info(
                "case %s analysed (%s)",
                analysis.case_id,
                analysis.urgency or "normal",
                extra={"urgency": analysis.urgency, "category_id": analysis.category_id},
            )


def analyse_pending(
    batch: int = BATCH, progress: Callable[[int], None] | None = None, budget: float | None = None
) -> int:
    """Every pending analysis, batch after batch, until none is left; with a ``budget`` (seconds), no new batch is
    started once it is spent (the worker's sweep: the other sweeps, the messages among them, come in between)."""
    total = 0
    models = Models.load()
    stop_at = time.monotonic() + budget if budget is not None else None
    while True:
        handled = run_batch(batch, models)
        if not handled:
            return total
        total += handled
        if progress:
            progress(handled)
        if stop_at is not None and time.monotonic() >= stop_at:
            return total
