"""The staff builder's writes: questionnaires, their pages, questions and choices, versions, publishing, and copies
of the shipped templates. Every change is checked here and recorded in the audit trail (``audit.Entry``, kind
"questionnaire").

Versions: a version that has responses is never changed. ``working_version`` gives the version to edit: the
current one while nobody answered it, else a copy of it that becomes current (pages, questions and choices keep
their keys, so the builder's next step finds them again by key).
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fankui.accounts import permissions
from fankui.accounts.models import Department
from fankui.audit.services import record_entry
from fankui.core import text as text_rule
from fankui.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed

from ..models import (
    CHOICE_KINDS,
    NUMBER_KINDS,
    Axis,
    Choice,
    Kind,
    Page,
    Question,
    Questionnaire,
    Response,
    State,
    Version,
)
from . import can_create, can_edit, is_key


def new_key(prefix: str) -> str:
    return prefix + secrets.token_hex(4)


def _text_errors(**texts: str) -> dict[str, list[str]]:
    """``core.text``'s rule on each of a change's texts, by name. The builder's forms apply it too; a command, a
    template's copy or any later caller goes through here (a NUL is a 500 on PostgreSQL, a vertical tab an export
    that cannot be written)."""
    errors: dict[str, list[str]] = {}
    for name, value in texts.items():
        char = text_rule.first_control(value or "")
        if char is not None:
            errors[name] = [text_rule.message(char)]
    return errors


def _one_line(text: str) -> str:
    """A title is one line: it is the subject of the invitations' e-mails, where a line break is refused."""
    return " ".join(text.split())


def audit(user: Any, questionnaire: Questionnaire, do: str, **data: Any) -> None:
    record_entry("questionnaire", actor=user, target=f"questionnaire:{questionnaire.pk}", data={"do": do, **data})


# --- Questionnaires -----------------------------------------------------------------------------------------------
@dataclass
class Settings:
    title_zh: str
    title_en: str = ""
    intro_zh: str = ""
    intro_en: str = ""
    department: Department | None = None
    anonymous: bool = False
    opens_at: datetime | None = None
    closes_at: datetime | None = None
    quota: int | None = None
    public: bool = True


def _check_settings(user: Any, data: Settings) -> None:
    errors = _text_errors(
        title_zh=data.title_zh, title_en=data.title_en, intro_zh=data.intro_zh, intro_en=data.intro_en
    )
    if not data.title_zh.strip():
        errors.setdefault("title_zh", [_("Please give the title in Chinese.")])
    if data.opens_at and data.closes_at and data.closes_at <= data.opens_at:
        errors["closes_at"] = [_("The questionnaire must close after it opens.")]
    if data.quota is not None and data.quota < 1:
        errors["quota"] = [_("A quota is at least one response; leave it empty for none.")]
    if not permissions.is_organisation_wide(user) and not permissions.in_department(user, data.department):
        errors["department"] = [_("Please choose your department or one below it.")]
    if errors:
        raise ValidationFailed(errors)


def _apply(questionnaire: Questionnaire, data: Settings) -> None:
    questionnaire.title_zh, questionnaire.title_en = _one_line(data.title_zh), _one_line(data.title_en)
    questionnaire.intro_zh, questionnaire.intro_en = data.intro_zh.strip(), data.intro_en.strip()
    questionnaire.department = data.department
    questionnaire.anonymous = data.anonymous
    questionnaire.opens_at = data.opens_at
    questionnaire.closes_at = data.closes_at
    questionnaire.quota = data.quota
    questionnaire.public = data.public


def create(user: Any, data: Settings, *, template: str = "") -> Questionnaire:
    """A new draft questionnaire with its first version and one empty page."""
    if not can_create(user):
        raise PermissionDenied(_("You may not create questionnaires."))
    _check_settings(user, data)
    with transaction.atomic():
        questionnaire = Questionnaire(public_key=secrets.token_urlsafe(12), created_by=user, template=template)
        _apply(questionnaire, data)
        questionnaire.save()
        version = Version.objects.create(questionnaire=questionnaire, number=1)
        questionnaire.current_version = version
        questionnaire.save(update_fields=["current_version"])
        if not template:
            Page.objects.create(version=version, key=new_key("p"), position=1)
        audit(user, questionnaire, "create", template=template)
    return questionnaire


def update_settings(user: Any, questionnaire: Questionnaire, data: Settings) -> Questionnaire:
    if not can_edit(user, questionnaire):
        raise PermissionDenied(_("You may not change this questionnaire."))
    _check_settings(user, data)
    with transaction.atomic():
        locked = Questionnaire.objects.select_for_update().get(pk=questionnaire.pk)
        answered = Response.objects.filter(questionnaire=locked).exists()
        if answered and data.anonymous != locked.anonymous:
            raise ValidationFailed(
                {"anonymous": [_("Anonymity cannot change once responses came in: respondents were told otherwise.")]}
            )
        _apply(locked, data)
        locked.updated_at = timezone.now()
        locked.save()
        audit(user, locked, "settings")
    return locked


def set_state(user: Any, questionnaire: Questionnaire, state: str) -> Questionnaire:
    """Publish (respondents may answer between its dates) or close it; a closed one may be published again."""
    if not can_edit(user, questionnaire):
        raise PermissionDenied(_("You may not change this questionnaire."))
    if state not in (State.PUBLISHED, State.CLOSED):
        raise Conflict(_("This change is not possible."))
    with transaction.atomic():
        locked = Questionnaire.objects.select_for_update().get(pk=questionnaire.pk)
        if state == State.PUBLISHED and not Question.objects.filter(version=locked.current_version_id).exists():
            raise Conflict(_("Add at least one question before publishing."))
        locked.state = state
        locked.updated_at = timezone.now()
        # The moment it closed starts the retention period of its invitations' addresses (privacy's sweep).
        locked.closed_at = locked.updated_at if state == State.CLOSED else None
        locked.save(update_fields=["state", "updated_at", "closed_at"])
        audit(user, locked, state)
    return locked


# --- Versions -----------------------------------------------------------------------------------------------------
def copy_version(version: Version) -> Version:
    """The next version of the questionnaire, the same pages, questions and choices under the same keys."""
    latest = Version.objects.filter(questionnaire=version.questionnaire_id).order_by("-number").first()
    number = (latest.number if latest else version.number) + 1
    copy = Version.objects.create(questionnaire_id=version.questionnaire_id, number=number)
    pages = {
        p.pk: Page.objects.create(
            version=copy, key=p.key, position=p.position, title_zh=p.title_zh, title_en=p.title_en
        )
        for p in version.pages.all()
    }
    questions: dict[str, Question] = {}
    old = list(version.questions.prefetch_related("choices").order_by("page__position", "position"))
    for question in old:
        choices = list(question.choices.all())
        source_id = question.show_if_id
        question.pk = None
        question.id = None
        question._state.adding = True
        question.version = copy
        question.page = pages[question.page_id]
        question.show_if = None
        question.save()
        question.old_show_if = source_id  # type: ignore[attr-defined]
        for choice in choices:
            choice.pk = None
            choice.id = None
            choice._state.adding = True
            choice.question = question
        Choice.objects.bulk_create(choices)
        questions[question.key] = question
    old_keys = {q.pk: q.key for q in version.questions.all()}
    for question in questions.values():
        source = old_keys.get(question.old_show_if)  # type: ignore[attr-defined]
        if source is not None:
            question.show_if = questions[source]
            question.save(update_fields=["show_if"])
    return copy


def working_version(questionnaire: Questionnaire) -> Version:
    """The version the builder may change: the current one while it has no responses, else its copy, made current.
    Call inside the transaction of the change, with the questionnaire's row locked."""
    current = questionnaire.current_version
    assert current is not None
    if not Response.objects.filter(version=current).exists():
        return current
    copy = copy_version(current)
    questionnaire.current_version = copy
    questionnaire.save(update_fields=["current_version"])
    return copy


def _locked_for_edit(user: Any, questionnaire: Questionnaire) -> tuple[Questionnaire, Version]:
    if not can_edit(user, questionnaire):
        raise PermissionDenied(_("You may not change this questionnaire."))
    locked = (
        Questionnaire.objects.select_for_update(of=("self",)).select_related("current_version").get(pk=questionnaire.pk)
    )
    return locked, working_version(locked)


# --- Pages --------------------------------------------------------------------------------------------------------
def _check_page(title_zh: str, title_en: str) -> None:
    errors = _text_errors(title_zh=title_zh, title_en=title_en)
    if errors:
        raise ValidationFailed(errors)


def add_page(user: Any, questionnaire: Questionnaire, title_zh: str = "", title_en: str = "") -> Page:
    _check_page(title_zh, title_en)
    with transaction.atomic():
        locked, version = _locked_for_edit(user, questionnaire)
        last = version.pages.order_by("-position").first()
        page = Page.objects.create(
            version=version,
            key=new_key("p"),
            position=(last.position + 1) if last else 1,
            title_zh=title_zh.strip(),
            title_en=title_en.strip(),
        )
        audit(user, locked, "add_page", page=page.key)
    return page


def update_page(user: Any, questionnaire: Questionnaire, page_key: str, title_zh: str, title_en: str) -> Page:
    _check_page(title_zh, title_en)
    with transaction.atomic():
        locked, version = _locked_for_edit(user, questionnaire)
        page = _page(version, page_key)
        page.title_zh, page.title_en = title_zh.strip(), title_en.strip()
        page.save(update_fields=["title_zh", "title_en"])
        audit(user, locked, "edit_page", page=page.key)
    return page


def delete_page(user: Any, questionnaire: Questionnaire, page_key: str) -> None:
    with transaction.atomic():
        locked, version = _locked_for_edit(user, questionnaire)
        page = _page(version, page_key)
        if version.pages.count() <= 1:
            raise Conflict(_("A questionnaire keeps at least one page."))
        if page.questions.exists():
            raise Conflict(_("Move or delete the questions of this page first."))
        page.delete()
        audit(user, locked, "delete_page", page=page_key)


def find_page(version: Version, key: str) -> Page | None:
    return version.pages.filter(key=key).first() if is_key(key) else None


def find_question(version: Version, key: str) -> Question | None:
    return version.questions.select_related("page", "show_if").filter(key=key).first() if is_key(key) else None


def _page(version: Version, key: str) -> Page:
    page = find_page(version, key)
    if page is None:
        raise NotFound(_("No such page."))
    return page


def _question(version: Version, key: str) -> Question:
    question = find_question(version, key)
    if question is None:
        raise NotFound(_("No such question."))
    return question


# --- Questions ----------------------------------------------------------------------------------------------------
@dataclass
class ChoiceInput:
    label_zh: str
    label_en: str = ""
    key: str = ""
    score: int | None = None


@dataclass
class QuestionInput:
    kind: str
    text_zh: str
    text_en: str = ""
    help_zh: str = ""
    help_en: str = ""
    required: bool = False
    page_key: str = ""
    scale_min: int = 1
    scale_max: int = 5
    low_label_zh: str = ""
    low_label_en: str = ""
    high_label_zh: str = ""
    high_label_en: str = ""
    options: Sequence[ChoiceInput] = field(default_factory=list)
    rows: Sequence[ChoiceInput] = field(default_factory=list)
    show_if_key: str = ""
    show_if_values: Sequence[str] = field(default_factory=list)
    show_if_min: int | None = None
    show_if_max: int | None = None


# A question's own texts (its choices' labels are the choices').
QUESTION_TEXTS = (
    "text_zh",
    "text_en",
    "help_zh",
    "help_en",
    "low_label_zh",
    "low_label_en",
    "high_label_zh",
    "high_label_en",
)


def _order(question: Question) -> tuple[int, int]:
    return (question.page.position, question.position)


def _check_question(version: Version, data: QuestionInput, key: str | None, page: Page) -> Question | None:
    """Every problem of ``data`` at once (``ValidationFailed`` by field); the show-if question, if any."""
    errors = _text_errors(**{name: getattr(data, name) for name in QUESTION_TEXTS})
    for name, given in (("options", data.options), ("rows", data.rows)):
        problems = [m for c in given for m in _text_errors(zh=c.label_zh, en=c.label_en).values()]
        if problems:
            errors[name] = problems[0]
    if data.kind not in Kind.values:
        errors["kind"] = [_("Please choose a kind of question.")]
    if not data.text_zh.strip():
        errors.setdefault("text_zh", [_("Please give the question in Chinese.")])
    options = [c for c in data.options if c.label_zh.strip()]
    if data.kind in CHOICE_KINDS and len(options) < 2:
        errors.setdefault("options", [_("Please give at least two choices, each with its Chinese label.")])
    if data.kind == Kind.MATRIX and not [r for r in data.rows if r.label_zh.strip()]:
        errors.setdefault("rows", [_("Please give at least one row, with its Chinese label.")])
    if data.kind == Kind.SCALE and not (0 <= data.scale_min < data.scale_max <= 10):
        errors["scale_max"] = [_("A rating scale runs from 0 or more to at most 10, its end above its start.")]
    source = None
    if data.show_if_key:
        source = find_question(version, data.show_if_key)
        if source is None or source.key == key or _order(source) >= (page.position, _position_hint(version, key, page)):
            errors["show_if_key"] = [_("Show-if can depend only on a question asked before this one.")]
        elif source.kind in NUMBER_KINDS:
            low, high = source.range
            for bound in (data.show_if_min, data.show_if_max):
                if bound is not None and not low <= bound <= high:
                    errors["show_if_values"] = [
                        _("Please give numbers from %(low)d to %(high)d.") % {"low": low, "high": high}
                    ]
        elif source.kind in CHOICE_KINDS:
            known = set(source.choices.filter(axis=Axis.OPTION).values_list("key", flat=True))
            if not data.show_if_values or not set(data.show_if_values) <= known:
                errors["show_if_values"] = [_("Please choose among the answers of that question.")]
    if errors:
        raise ValidationFailed(errors)
    return source


def _position_hint(version: Version, key: str | None, page: Page) -> int:
    """The position the question has (or will have: the end of its page)."""
    if key:
        existing = version.questions.filter(key=key, page=page).first()
        if existing is not None:
            return existing.position
    last = page.questions.order_by("-position").first()
    return (last.position + 1) if last else 1


def _save_choices(question: Question, axis: str, given: Sequence[ChoiceInput]) -> None:
    existing = {c.key: c for c in question.choices.filter(axis=axis)}
    keep: set[str] = set()
    for position, data in enumerate([c for c in given if c.label_zh.strip()], start=1):
        choice = existing.get(data.key) or Choice(question=question, axis=axis, key=new_key("c"))
        choice.position = position
        choice.label_zh, choice.label_en = data.label_zh.strip(), data.label_en.strip()
        choice.score = data.score
        choice.save()
        keep.add(choice.key)
    question.choices.filter(axis=axis).exclude(key__in=keep).delete()


def save_question(user: Any, questionnaire: Questionnaire, data: QuestionInput, key: str | None = None) -> Question:
    """Add a question at the end of its page (``key`` None) or change the question ``key``, with its choices and
    matrix rows (choices keep their keys when given back; those left out go), in the working version."""
    with transaction.atomic():
        locked, version = _locked_for_edit(user, questionnaire)
        existing = _question(version, key) if key else None
        page = _page(version, data.page_key) if data.page_key else version.pages.order_by("position").first()
        if page is None:
            raise NotFound(_("No such page."))
        source = _check_question(version, data, key, page)
        if existing is not None:
            question = existing
            if question.page_id != page.pk:
                question.position = _position_hint(version, None, page)
        else:
            question = Question(version=version, key=new_key("q"), position=_position_hint(version, None, page))
        question.page = page
        question.kind = data.kind
        for name in QUESTION_TEXTS:
            setattr(question, name, getattr(data, name).strip())
        question.required = data.required
        question.scale_min, question.scale_max = (data.scale_min, data.scale_max) if data.kind == Kind.SCALE else (1, 5)
        question.show_if = source
        question.show_if_values = list(data.show_if_values) if source and source.kind in CHOICE_KINDS else []
        numeric = source is not None and source.kind in NUMBER_KINDS
        question.show_if_min = data.show_if_min if numeric else None
        question.show_if_max = data.show_if_max if numeric else None
        question.save()
        _save_choices(question, Axis.OPTION, data.options if data.kind in CHOICE_KINDS else [])
        _save_choices(question, Axis.ROW, data.rows if data.kind == Kind.MATRIX else [])
        audit(user, locked, "edit_question" if key else "add_question", question=question.key)
    return question


def delete_question(user: Any, questionnaire: Questionnaire, key: str) -> None:
    with transaction.atomic():
        locked, version = _locked_for_edit(user, questionnaire)
        question = _question(version, key)
        question.delete()  # questions shown if it was answered are shown always (show_if SET_NULL)
        audit(user, locked, "delete_question", question=key)


def move_question(user: Any, questionnaire: Questionnaire, key: str, step: int) -> None:
    """Swap the question with the one before (step -1) or after (+1) it on its page."""
    with transaction.atomic():
        locked, version = _locked_for_edit(user, questionnaire)
        question = _question(version, key)
        siblings = list(question.page.questions.order_by("position", "id"))
        index = [q.pk for q in siblings].index(question.pk)
        other = index + (1 if step > 0 else -1)
        if not 0 <= other < len(siblings):
            return
        siblings[index], siblings[other] = siblings[other], siblings[index]
        for position, sibling in enumerate(siblings, start=1):
            if sibling.position != position:
                sibling.position = position
                sibling.save(update_fields=["position"])
        # The order changed: a question may now come before the one its show-if depends on; that link goes.
        order = {q.pk: n for n, q in enumerate(siblings)}
        for sibling in siblings:
            if sibling.show_if_id in order and order[sibling.show_if_id] > order[sibling.pk]:
                sibling.show_if = None
                sibling.save(update_fields=["show_if"])
        audit(user, locked, "move_question", question=key)
