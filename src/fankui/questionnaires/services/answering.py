"""Answering: reading a page's posted answers, show-if, validation, the draft kept between pages, and the one
function that stores a response (``submit``).

Answers travel as ``Values``: question key -> a choice key (single), a list of choice keys (multiple), a number as
text (scale, NPS, CSAT, CES), a text (free text) or {row key: column key} (matrix). That is what a draft keeps and
what ``submit`` validates, against the questionnaire's current version, before it writes anything.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core import signing
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fankui.core import text as text_rule
from fankui.core.errors import Conflict, NotFound, ValidationFailed

from ..models import (
    NUMBER_KINDS,
    TEXT_LIMIT,
    Answer,
    Axis,
    Draft,
    Invitation,
    Kind,
    Page,
    Question,
    Questionnaire,
    Response,
    State,
    Version,
    Via,
)
from . import is_key

Values = dict[str, Any]
DRAFT_SALT = "fankui.questionnaires.draft"
DRAFT_DAYS = 7


# --- The version as the respondent's pages need it ----------------------------------------------------------------
@dataclass
class Form:
    """A version's pages and questions with their choices, read once (three queries)."""

    version: Version
    pages: list[Page]
    questions: list[Question]

    @classmethod
    def of(cls, version: Version) -> Form:
        pages = list(version.pages.order_by("position"))
        questions = list(
            version.questions.select_related("page", "show_if")
            .prefetch_related("choices")
            .order_by("page__position", "position")
        )
        for question in questions:
            chosen = list(question.choices.all())
            question.options = [c for c in chosen if c.axis == Axis.OPTION]  # type: ignore[attr-defined]
            question.rows = [c for c in chosen if c.axis == Axis.ROW]  # type: ignore[attr-defined]
        return cls(version, pages, questions)

    def on_page(self, page: Page) -> list[Question]:
        return [q for q in self.questions if q.page_id == page.pk]

    def by_key(self) -> dict[str, Question]:
        return {q.key: q for q in self.questions}


def read_posted(questions: Iterable[Question], data: Any) -> Values:
    """The answers of ``questions`` in a posted form (``request.POST``): only those given, as ``Values``."""
    values: Values = {}
    for question in questions:
        name = question.field
        if question.kind == Kind.MULTIPLE:
            chosen = [v for v in data.getlist(name) if v]
            if chosen:
                values[question.key] = chosen
        elif question.kind == Kind.MATRIX:
            rows = {row.key: data.get(f"{name}_{row.key}", "") for row in question.rows}  # type: ignore[attr-defined]
            rows = {k: v for k, v in rows.items() if v}
            if rows:
                values[question.key] = rows
        else:
            value = str(data.get(name, "")).strip() if question.kind != Kind.TEXT else str(data.get(name, ""))
            if value.strip():
                values[question.key] = value
    return values


# --- Show-if ------------------------------------------------------------------------------------------------------
def _matches(question: Question, value: Any) -> bool:
    """Whether ``value``, the answer to ``question.show_if``, makes ``question`` shown."""
    source = question.show_if
    if source is None or value in (None, "", [], {}):
        return False
    if source.kind in NUMBER_KINDS:
        try:
            number = int(value)
        except (TypeError, ValueError):
            return False
        low = question.show_if_min if question.show_if_min is not None else -1
        high = question.show_if_max if question.show_if_max is not None else 99
        return low <= number <= high
    wanted = set(question.show_if_values or [])
    if source.kind == Kind.SINGLE:
        return not wanted or value in wanted
    if source.kind == Kind.MULTIPLE:
        return not wanted or bool(wanted & set(value))
    if source.kind == Kind.MATRIX:
        return not wanted or bool(wanted & set(value.values()))
    return True  # free text: shown once anything was written


def shown(form: Form, values: Mapping[str, Any]) -> set[str]:
    """The keys of the questions shown with these answers: show-if evaluated in order, so a question hidden because
    its condition's question is hidden is hidden too."""
    keys: set[str] = set()
    by_pk = {q.pk: q for q in form.questions}
    for question in form.questions:
        if question.show_if_id is None:
            keys.add(question.key)
            continue
        source = by_pk.get(question.show_if_id)
        if source is not None and source.key in keys and _matches(question, values.get(source.key)):
            keys.add(question.key)
    return keys


# --- Validation ---------------------------------------------------------------------------------------------------
def _check(question: Question, value: Any) -> tuple[Any, str]:
    """The cleaned value and "" or the message saying what is wrong with it."""
    if value in (None, "", [], {}):
        return None, (_("Please answer this question.") if question.required else "")
    kind = question.kind
    options = {c.key for c in question.options}  # type: ignore[attr-defined]
    if kind in NUMBER_KINDS:
        low, high = question.range
        try:
            number = int(str(value))
        except ValueError:
            number = None
        if number is None or not low <= number <= high:
            return None, _("Please choose a number from %(low)d to %(high)d.") % {"low": low, "high": high}
        return number, ""
    if kind == Kind.SINGLE:
        if isinstance(value, list):
            return None, _("Please choose only one answer.")
        if value not in options:
            return None, _("Please choose one of the answers offered.")
        return value, ""
    if kind == Kind.MULTIPLE:
        chosen = list(dict.fromkeys(value if isinstance(value, list) else [value]))
        if not set(chosen) <= options:
            return None, _("Please choose among the answers offered.")
        return chosen, ""
    if kind == Kind.MATRIX:
        rows = {r.key for r in question.rows}  # type: ignore[attr-defined]
        if not isinstance(value, dict) or not set(value) <= rows or not set(value.values()) <= options:
            return None, _("Please choose one of the answers offered in each row.")
        if question.required and set(value) != rows:
            return None, _("Please answer every row.")
        return dict(value), ""
    written = str(value)
    if len(written) > TEXT_LIMIT:
        return None, _("Please keep your answer under %(limit)d characters.") % {"limit": TEXT_LIMIT}
    try:
        return text_rule.check(written).strip(), ""
    except ValueError as error:
        return None, str(error)


def _clean(
    form: Form, values: Mapping[str, Any], questions: Iterable[Question] | None = None
) -> tuple[Values, dict[str, list[str]]]:
    """The cleaned answers of the shown ``questions`` (default: all), and what is wrong with the others by input."""
    visible = shown(form, values)
    cleaned: Values = {}
    errors: dict[str, list[str]] = {}
    for question in form.questions if questions is None else questions:
        if question.key not in visible:
            continue
        value, problem = _check(question, values.get(question.key))
        if problem:
            errors[question.field] = [problem]
        elif value is not None:
            cleaned[question.key] = value
    return cleaned, errors


def validate(form: Form, values: Mapping[str, Any], questions: Iterable[Question] | None = None) -> Values:
    """The cleaned answers of the shown ``questions`` (default: all) or ``ValidationFailed`` naming each question's
    input (``Question.field``) with what is wrong. Answers to hidden questions are dropped, never stored."""
    cleaned, errors = _clean(form, values, questions)
    if errors:
        raise ValidationFailed(errors)
    return cleaned


def public_questionnaire(key: str) -> Questionnaire | None:
    """The questionnaire whose public link is ``/q/<key>/``, while its public link is on."""
    if not is_key(key):
        return None
    return Questionnaire.objects.select_related("current_version").filter(public_key=key, public=True).first()


# --- Open, closed, full -------------------------------------------------------------------------------------------
def closed_reason(questionnaire: Questionnaire, now: datetime | None = None, *, count: int | None = None) -> str:
    """Why the questionnaire takes no response now ("" when it does): not published, not open yet, closed, full."""
    now = now or timezone.now()
    if questionnaire.state == State.DRAFT or questionnaire.current_version_id is None:
        return _("This questionnaire is not open yet.")
    if questionnaire.state == State.CLOSED or (questionnaire.closes_at and now >= questionnaire.closes_at):
        return _("This questionnaire is closed. Thank you for your interest.")
    if questionnaire.opens_at and now < questionnaire.opens_at:
        return _("This questionnaire opens on %(date)s.") % {
            "date": timezone.localtime(questionnaire.opens_at).strftime("%Y-%m-%d %H:%M")
        }
    if questionnaire.quota is not None:
        if count is None:
            count = Response.objects.filter(questionnaire=questionnaire).count()
        if count >= questionnaire.quota:
            return _("This questionnaire has received all the responses it needed. Thank you for your interest.")
    return ""


def used_message() -> str:
    return _("This invitation has already been used to answer. Each invitation can be answered once.")


# --- Drafts -------------------------------------------------------------------------------------------------------
def sign_draft(draft: Draft) -> str:
    return signing.Signer(salt=DRAFT_SALT).sign(draft.key)


def find_draft(signed: str, questionnaire: Questionnaire, invitation: Invitation | None) -> Draft | None:
    """The draft a signed key names, if it belongs to this questionnaire (and invitation) and is not too old."""
    if not signed:
        return None
    try:
        key = signing.Signer(salt=DRAFT_SALT).unsign(signed)
    except signing.BadSignature:
        return None
    draft = Draft.objects.filter(key=key, questionnaire=questionnaire).first()
    if draft is None or draft.invitation_id != (invitation.pk if invitation else None):
        return None
    if draft.updated_at < timezone.now() - timedelta(days=DRAFT_DAYS):
        return None
    return draft


def _form(version: Version, form: Form | None) -> Form:
    """The caller's ``Form`` when it was read for this very version (a page view has it already), else read now."""
    return form if form is not None and form.version.pk == version.pk else Form.of(version)


def save_page(
    questionnaire: Questionnaire,
    page: Page,
    data: Any,
    *,
    draft: Draft | None,
    invitation: Invitation | None,
    form: Form | None = None,
    partial: bool = False,
) -> Draft:
    """Check the shown questions of ``page`` in a posted form and keep their answers in the draft (made on the first
    page posted). ``ValidationFailed`` keeps the draft as it was; the page shows the posted answers again. ``partial``
    (the person goes back a page): the valid answers are kept and the others left out, nothing is refused."""
    reason = closed_reason(questionnaire)
    if reason:
        raise Conflict(reason)
    if invitation is not None and invitation.used_at is not None:
        raise Conflict(used_message())
    version = questionnaire.current_version
    assert version is not None  # closed_reason said it is published
    form = _form(version, form)
    page_questions = [q for q in form.questions if q.page.key == page.key]
    values = dict(draft.values()) if draft is not None else {}
    for question in page_questions:
        values.pop(question.key, None)
    values.update(read_posted(page_questions, data))
    cleaned, errors = _clean(form, values, page_questions)
    if errors and not partial:
        raise ValidationFailed(errors)
    for question in page_questions:
        values.pop(question.key, None)
    values.update(cleaned)
    now = timezone.now()
    if draft is None:
        draft = Draft(key=secrets.token_urlsafe(18)[:24], questionnaire=questionnaire, invitation=invitation)
    draft.version = version
    draft.answers = values
    draft.updated_at = now
    draft.save()
    return draft


# --- Submitting ---------------------------------------------------------------------------------------------------
def _answers(form: Form, response: Response, cleaned: Values) -> list[Answer]:
    rows: list[Answer] = []
    for question in form.questions:
        value = cleaned.get(question.key)
        if value is None:
            continue
        choices = {c.key: c for c in question.choices.all()}
        if question.kind in NUMBER_KINDS:
            rows.append(Answer(response=response, question=question, number=value))
        elif question.kind == Kind.TEXT:
            rows.append(Answer(response=response, question=question, text=value))
        elif question.kind == Kind.SINGLE:
            rows.append(Answer(response=response, question=question, choice=choices[value]))
        elif question.kind == Kind.MULTIPLE:
            rows.extend(Answer(response=response, question=question, choice=choices[k]) for k in value)
        elif question.kind == Kind.MATRIX:
            rows.extend(
                Answer(response=response, question=question, row=choices[r], choice=choices[c])
                for r, c in value.items()
            )
    return rows


def submit(
    questionnaire: Questionnaire,
    values: Mapping[str, Any],
    *,
    invitation: Invitation | None = None,
    language: str = "zh-hans",
    draft: Draft | None = None,
    form: Form | None = None,
    via: str | None = None,
    form_key: str = "",
) -> Response:
    """Store one complete response, or refuse it and store nothing: ``Conflict`` when the questionnaire is not open
    (dates, state, quota) or the invitation was used, ``ValidationFailed`` (each question's input named) when an
    answer is missing or out of range. The questionnaire's row is locked, so the quota is never exceeded, and the
    invitation is marked used by a conditional update, so two submissions of one invitation store one response.
    ``via`` is the channel (``Via``): by default the invitation's link or the public link; ``services.phone`` says
    ``phone`` for answers an operator recorded on a call; ``form_key`` the key of the operator's form (a second
    response with it is refused as the invitation's would be)."""
    with transaction.atomic():
        locked = Questionnaire.objects.select_for_update().get(pk=questionnaire.pk)
        if invitation is not None and invitation.questionnaire_id != locked.pk:
            raise NotFound(_("This link is not valid."))
        now = timezone.now()
        reason = closed_reason(locked, now)
        if reason:
            raise Conflict(reason)
        version: Version | None = locked.current_version if form is None else form.version
        if version is None or version.pk != locked.current_version_id:
            version = locked.current_version
        assert version is not None
        form = _form(version, form)
        cleaned = validate(form, values)
        if not cleaned:
            raise ValidationFailed({"__all__": [_("Please answer at least one question.")]})
        # An anonymous questionnaire keeps the day only: a time to the second would pair a response with the
        # invitation used at the same moment.
        stamp = now
        if locked.anonymous:
            local = timezone.localtime(now)
            stamp = local.replace(hour=0, minute=0, second=0, microsecond=0)
        if invitation is not None:
            taken = Invitation.objects.filter(pk=invitation.pk, used_at__isnull=True).update(used_at=stamp)
            if taken == 0:
                raise Conflict(used_message())
        try:
            with transaction.atomic():
                response = Response.objects.create(
                    questionnaire=locked,
                    version=version,
                    via=via or (Via.INVITATION if invitation is not None else Via.PUBLIC),
                    invitation=None if locked.anonymous else invitation,
                    language=(language or "zh-hans")[:10],
                    submitted_at=stamp,
                    form_key=form_key,
                )
                Answer.objects.bulk_create(_answers(form, response, cleaned))
        except IntegrityError:
            raise Conflict(used_message()) from None
        if draft is not None and draft.pk:
            Draft.objects.filter(pk=draft.pk).delete()
    return response


def forget_old_drafts(now: datetime | None = None) -> int:
    """Delete drafts untouched for ``DRAFT_DAYS`` days (a respondent who left); returns how many."""
    cutoff = (now or timezone.now()) - timedelta(days=DRAFT_DAYS)
    deleted, _detail = Draft.objects.filter(updated_at__lt=cutoff).delete()
    return deleted
