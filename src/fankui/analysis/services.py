"""Every write of the analysis app: queueing a new case, staff corrections, retraining the organisation's models."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fankui.accounts import permissions
from fankui.accounts.models import Department, Role, User
from fankui.audit.models import Event
from fankui.audit.services import record_event
from fankui.cases.models import Case, Category, Source
from fankui.cases.services import classification
from fankui.cases.workflow import State
from fankui.core import rows
from fankui.core.errors import PermissionDenied, ValidationFailed
from fankui.core.text import first_control
from fankui.core.text import message as control_message
from fankui.core.vocab import Kind
from fankui.intake.models import MAX_TITLE_CHARS, Submission
from fankui.nlp.classify import Settings, TrainingError, train

from . import pipeline, store, suggestions
from .models import REASON_LABELS, CaseAnalysis, Nature, Retraining, Urgency
from .suggestions import Choice, Suggestion

log = logging.getLogger("fankui.analysis")

# Who reads the models' versions and raw scores: the people who train and judge the models. Everyone else sees the
# results and how sure they are.
TECHNICAL = frozenset({Role.ANALYST, Role.ADMIN})
TRAINED = ("category", "routing")
# Fewer labelled cases than this, or a label with fewer than two, and a model would learn noise: rules stay.
MIN_ROWS = 30
# States in which a case's lead department is a decision somebody made (dispatched at least once).
DISPATCHED_STATES = [
    State.DISPATCHED,
    State.IN_PROGRESS,
    State.REPLIED,
    State.CLOSED,
    State.REOPENED,
]


def queue_cases(sender: type, cases: list[Case], **kwargs: Any) -> None:
    """Mark new cases' analyses as pending, in the transaction that opened them (``cases_created``: one case from a
    form, a chunk from an import, one INSERT either way): the worker finds them there even if the process that took
    them dies right after."""
    # By the key: the case object then holds no pending analysis of its own (``case.analysis`` reads the row). Every
    # other column takes its database default; the ORM's INSERT of all of them cost intake a fifth of its CPU
    # (docs/decisions/0005).
    rows.insert_rows(CaseAnalysis, [{"case_id": case.pk} for case in cases])


# --- Staff corrections -----------------------------------------------------------------------------------------
def can_correct(user: User) -> bool:
    """Correct what the analysis found: the people who triage, as they are the ones who act on it."""
    return permissions.works_triage(user)


def can_see_model_details(user: User) -> bool:
    """Read which model versions analysed a case, and their raw scores (the panel's "technical details")."""
    return permissions.has_role(user, TECHNICAL)


def correct(
    case: Case,
    user: User,
    *,
    kind: str | None = None,
    nature: str | None = None,
    category: Category | None = None,
    department: Department | None = None,
) -> CaseAnalysis:
    """A member of staff says what the case really is: kind, nature, category and/or the right department.

    The case takes the corrected kind and category as staff's, which is final: no later analysis (re-analysis,
    retraining, requeue) changes them again, and the deadlines follow at once. The analysis shows the corrections
    (confidence 1, version "staff"); an internal event records old and new values. The next retraining learns from
    them: the category model from the cases' categories, the routing model from departments the cases were
    dispatched to and from these corrections.
    """
    if not can_correct(user):
        raise PermissionDenied(_("You may not correct the analysis of cases."))
    errors: dict[str, list[str]] = {}
    if kind is not None and kind not in Kind.values:
        errors["kind"] = [_("Unknown kind.")]
    if nature is not None and nature not in Nature.values:
        errors["nature"] = [_("Unknown nature.")]
    if category is not None and not category.active:
        errors["category"] = [_("This category is no longer in use.")]
    if department is not None and not department.active:
        errors["department"] = [_("This department is no longer active.")]
    if errors:
        raise ValidationFailed(errors)
    analysis, _created = CaseAnalysis.objects.get_or_create(case=case)
    changes: dict[str, dict[str, Any]] = {}
    versions = dict(analysis.model_versions)
    # Staff choosing the value already shown still makes it theirs: final, later analyses leave it alone.
    if kind is not None and (kind != case.kind or kind != analysis.kind or case.kind_source != Source.STAFF):
        changes["kind"] = {"from": analysis.kind or case.kind, "to": kind}
        analysis.kind, analysis.kind_confidence, versions["kind"] = kind, 1.0, "staff"
    if nature is not None and nature != analysis.nature:
        changes["nature"] = {"from": analysis.nature, "to": nature}
        analysis.nature, analysis.nature_confidence, versions["nature"] = nature, 1.0, "staff"
    if category is not None and (
        category.pk != case.category_id or category.pk != analysis.category_id or case.category_source != Source.STAFF
    ):
        changes["category"] = {"from": analysis.category_id or case.category_id, "to": category.pk}
        analysis.category, analysis.category_confidence, versions["category"] = category, 1.0, "staff"
    if department is not None and department.pk != analysis.department_id:
        changes["department"] = {"from": analysis.department_id, "to": department.pk, "name": department.name}
        analysis.department, analysis.department_confidence, versions["routing"] = department, 1.0, "staff"
    if not changes:
        return analysis
    classification.reclassify(case, kind=kind, category=category, user=user)
    analysis.model_versions = versions
    analysis.save()
    record_event(case, "analysis_corrected", actor=user, data=changes)
    return analysis


def mark_emergency(case: Case, user: User, reasons: list[str]) -> CaseAnalysis:
    """The hotline's operator flags ``case`` as an emergency during the call (the caller was told to call 110, 119 or
    120): its urgency is "emergency" as staff's (final: later analyses keep it, like a correction), it heads the
    triage inbox, the SLA applies the emergency policy at once, and the timeline says who flagged it and why
    (``reasons``: the urgency rules' names, ``["operator"]`` when the operator decided without them). Inside the
    caller's transaction, which opened the case."""
    if not permissions.works_triage(user):
        raise PermissionDenied(_("You may not flag cases as emergencies."))
    reasons = [r for r in dict.fromkeys(reasons) if r in REASON_LABELS] or ["operator"]
    analysis, _created = CaseAnalysis.objects.get_or_create(case=case)
    before = analysis.urgency
    analysis.urgency, analysis.urgency_confidence, analysis.urgency_reasons = Urgency.EMERGENCY, 1.0, reasons
    analysis.model_versions = {**analysis.model_versions, "urgency": "staff"}
    analysis.save(update_fields=["urgency", "urgency_confidence", "urgency_reasons", "model_versions"])
    # The same event the analysis writes for an emergency it finds, so it does not write a second one.
    record_event(case, "flagged_emergency", actor=user, data={"reasons": reasons, "by": "operator"}, public=False)
    if before != Urgency.EMERGENCY:
        classification.reclassified(case, {"urgency": {"from": before, "to": Urgency.EMERGENCY}}, user)
    return analysis


# --- Suggestions while an operator types --------------------------------------------------------------------
def can_suggest(user: User) -> bool:
    """Ask for the analysis' suggestions on a text not sent yet: the people who take calls and triage."""
    return permissions.works_triage(user)


def _checked(text: str, title: str) -> tuple[str, str]:
    """The operator's text and title trimmed, or ``ValidationFailed`` naming each field that breaks the rules every
    entry point applies (``core.text``; the intake's lengths)."""
    errors: dict[str, list[str]] = {}
    for name, value in (("text", text), ("title", title)):
        char = first_control(value)
        if char is not None:
            errors[name] = [control_message(char)]
    text, title = text.strip(), title.strip()
    if "text" not in errors:
        if not text:
            errors["text"] = [_("Please describe your request.")]
        elif len(text) > settings.FANKUI_MAX_BODY_CHARS:
            errors["text"] = [
                _("The text is too long: %(n)d characters at most, this one has %(m)d.")
                % {"n": settings.FANKUI_MAX_BODY_CHARS, "m": len(text)}
            ]
    if "title" not in errors and len(title) > MAX_TITLE_CHARS:
        errors["title"] = [_("The title is too long: %(n)d characters at most.") % {"n": MAX_TITLE_CHARS}]
    if errors:
        raise ValidationFailed(errors)
    return text, title


def suggest(text: str, title: str = "") -> Suggestion:
    """What the analysis would find in ``text`` (and ``title``), for the operator who is typing it: kind, category,
    urgency (with the numbers to transfer an emergency to), the department routing would choose, and a likely
    duplicate among open and recent cases. The pipeline's own steps on an analysis that is never saved: nothing is
    written. ``ValidationFailed`` for a blank or too long text and for control characters."""
    text, title = _checked(text, title)
    models = suggestions.cached_models()
    # An unsaved analysis of an unsaved case: ``analyse_batch`` reads the submission's title, text and contact name
    # and fills the analysis in, as it does for every case the worker claims.
    analysis = CaseAnalysis(case=Case(submission=Submission(title=title, body=text, contact_name="")))
    pipeline.analyse_batch([analysis], models)
    category = models.categories.get(analysis.category_id) if analysis.category_id else None
    department = models.departments.get(analysis.department_id) if analysis.department_id else None
    threshold = pipeline.auto_dispatch_threshold()
    emergency = analysis.urgency == "emergency"
    return Suggestion(
        kind=analysis.kind,
        kind_confidence=analysis.kind_confidence or 0.0,
        category=Choice(category.pk, category.name, analysis.category_confidence or 0.0) if category else None,
        department=(
            Choice(department.pk, department.name, analysis.department_confidence or 0.0) if department else None
        ),
        urgency=analysis.urgency,
        urgency_confidence=analysis.urgency_confidence or 0.0,
        urgency_reasons=list(analysis.urgency_reasons),
        emergency_numbers=suggestions.numbers_for(analysis.urgency_reasons) if emergency else [],
        # As ``pipeline._after`` decides it: never for an emergency, which a person must look at now.
        auto_dispatch=bool(
            department
            and not emergency
            and threshold is not None
            and (analysis.department_confidence or 0.0) >= threshold
        ),
        duplicate=suggestions.find_duplicate(analysis.masked_title, analysis.masked_body),
        personal_data=dict(analysis.personal_data),
        model_versions=dict(analysis.model_versions),
    )


# --- Training from the organisation's own decisions ------------------------------------------------------------
def _text_of(analysis_title: str, analysis_body: str, title: str, body: str) -> str:
    if analysis_title or analysis_body:
        return f"{analysis_title} {analysis_body}".strip()
    return f"{title} {body}".strip()


def training_rows(target: str) -> tuple[list[str], list[str]]:
    """(texts, labels) for ``category`` (the first-level category of each case) or ``routing`` (its lead
    department), from cases somebody decided on. Masked text when the analysis ran, so the model never holds
    personal data."""
    if target not in TRAINED:
        raise ValueError(target)
    fields = ("analysis__masked_title", "analysis__masked_body", "submission__title", "submission__body")
    texts: list[str] = []
    labels: list[str] = []
    if target == "category":
        first_level = {c.pk: c for c in Category.objects.all()}

        def root(pk: int) -> int:
            node = first_level[pk]
            while node.parent_id is not None and node.parent_id in first_level:
                node = first_level[node.parent_id]
            return node.pk

        rows = Case.objects.filter(category__isnull=False).exclude(state=State.MERGED).values_list(*fields, "category")
        for masked_title, masked_body, title, body, category_id in rows.iterator(chunk_size=2000):
            texts.append(_text_of(masked_title or "", masked_body or "", title, body))
            labels.append(str(root(category_id)))
        return texts, labels
    # Routing: where a case was finally sent (a redispatch corrects the first choice), and corrections of cases
    # not dispatched yet.
    dispatched = Case.objects.filter(state__in=DISPATCHED_STATES, lead_department__isnull=False)
    seen: set[int] = set()
    for pk, masked_title, masked_body, title, body, department_id in dispatched.values_list(
        "pk", *fields, "lead_department"
    ).iterator(chunk_size=2000):
        seen.add(pk)
        texts.append(_text_of(masked_title or "", masked_body or "", title, body))
        labels.append(str(department_id))
    corrected = (
        Event.objects.filter(action="analysis_corrected", data__has_key="department")
        .exclude(case_id__in=seen)
        .select_related("case__submission", "case__analysis")
        .order_by("case_id", "-created_at")
    )
    for event in corrected:
        if event.case_id in seen:
            continue
        seen.add(event.case_id)
        analysis = getattr(event.case, "analysis", None)
        texts.append(
            _text_of(
                analysis.masked_title if analysis else "",
                analysis.masked_body if analysis else "",
                event.case.submission.title,
                event.case.submission.body,
            )
        )
        labels.append(str(event.data["department"]["to"]))
    return texts, labels


@dataclass
class RetrainResult:
    name: str
    rows: int
    new_f1: float | None
    old_f1: float | None
    replaced: bool
    message: str


def retrain(name: str, *, force: bool = False) -> RetrainResult:
    """Train ``category`` or ``routing`` from the organisation's cases; the new model replaces the current one only
    if its cross-validated macro-F1 is not worse (``force`` replaces it anyway)."""
    texts, labels = training_rows(name)
    counts: dict[str, int] = {}
    for label in labels:
        counts[label] = counts.get(label, 0) + 1
    usable = {label for label, n in counts.items() if n >= 2}
    pairs = [(t, lab) for t, lab in zip(texts, labels, strict=True) if lab in usable and t]
    current = store.trained_metadata(name)
    old_f1: float | None = None
    if current and current.get("cv_macro_f1") is not None:
        old_f1 = float(current["cv_macro_f1"])
    if len(pairs) < MIN_ROWS or len(usable) < 2:
        return RetrainResult(
            name, len(pairs), None, old_f1, False, f"{name}: {len(pairs)} usable cases, too few to train; rules stay."
        )
    try:
        model, report = train([t for t, _ in pairs], [lab for _, lab in pairs], Settings())
    except TrainingError as exc:
        return RetrainResult(name, len(pairs), None, old_f1, False, f"{name}: {exc}")
    new_f1 = report.macro_f1
    better = force or old_f1 is None or (new_f1 is not None and new_f1 >= old_f1)
    if not better:
        return RetrainResult(
            name,
            report.rows,
            new_f1,
            old_f1,
            False,
            f"{name}: new model's macro-F1 {new_f1:.4f} is below the current {old_f1:.4f}; kept the current.",
        )
    store.save(name, model, report, extra={"source": "cases", "previous_cv_macro_f1": old_f1})
    f1_text = "n/a" if new_f1 is None else f"{new_f1:.4f}"
    return RetrainResult(
        name, report.rows, new_f1, old_f1, True, f"{name}: trained on {report.rows} cases, F1 {f1_text}."
    )


def retrain_due(now: datetime | None = None) -> bool:
    """Whether the scheduled retraining should run: never run, or the last run is older than RETRAIN_DAYS."""
    last = Retraining.objects.order_by("-ran_at").values_list("ran_at", flat=True).first()
    if last is None:
        return True
    now = now or timezone.now()
    return bool(now - last >= timedelta(days=settings.FANKUI_RETRAIN_DAYS))


def mark_retrained() -> None:
    """One row, the same for every worker machine."""
    with transaction.atomic():
        Retraining.objects.all().delete()
        Retraining.objects.create(ran_at=timezone.now())


def requeue_unrouted() -> int:
    """After new models arrive, cases still waiting in triage without a suggestion are analysed again, so they get
    one (the next ``analyse_pending`` picks them up)."""
    from fankui.cases.queries import TRIAGE_STATES

    return CaseAnalysis.objects.filter(
        status=CaseAnalysis.Status.DONE, case__state__in=TRIAGE_STATES, department__isnull=True
    ).update(status=CaseAnalysis.Status.PENDING)


def mask_analysis(case: Case, mask: Callable[[str], str]) -> None:
    """Pass the analysis's copy of the case's text through ``mask``: the submitter's personal data was erased
    (privacy.services)."""
    for analysis in CaseAnalysis.objects.filter(case=case):
        analysis.masked_title, analysis.masked_body = mask(analysis.masked_title), mask(analysis.masked_body)
        analysis.save(update_fields=["masked_title", "masked_body"])
