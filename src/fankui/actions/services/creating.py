"""Creating an action: what a form or an API body carries, checked field by field, and the new draft."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from fankui.accounts import permissions
from fankui.accounts.models import Department, User
from fankui.cases.models import Case
from fankui.cases.queries import visible_cases
from fankui.core.errors import PermissionDenied, ValidationFailed
from fankui.core.text import as_id
from fankui.topics.models import Topic
from fankui.topics.queries import visible_topics

from ..models import Action, ActionCase, Indicator, Milestone, Source, State
from . import MAX_TEXT, can_create, in_scope, local_today, plain_text, record
from .linking import link, refresh_counts, resolve_cases

BAD_RATING_DAYS = 90


@dataclass
class ActionInput:
    title: str = ""
    goal: str = ""
    root_cause: str = ""
    measures: str = ""
    expected_effect: str = ""
    owner: int | str | None = None
    department: int | str | None = None
    deadline: date | str | None = None
    topic: int | str | None = None
    source: str = Source.MANUAL
    public: bool = True
    indicator: str = Indicator.NONE
    indicator_weeks: int | str | None = 4
    indicator_target: float | str | None = None
    verify_after_days: int | str | None = 28
    # (title, due) pairs; due as a date or "YYYY-MM-DD".
    milestones: list[tuple[str, date | str]] = field(default_factory=list)
    # Case numbers or tracking codes, and/or primary keys (selected in a list).
    case_refs: list[str] = field(default_factory=list)
    case_ids: list[int] = field(default_factory=list)
    # Link the cases of ``department`` rated unsatisfied in the last 90 days (an action from survey answers).
    from_bad_ratings: bool = False


def _parse_date(value: date | str | None) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value or "").strip())
    except ValueError:
        return None


def parse_milestones(raw: str) -> list[tuple[str, str]]:
    """Milestones typed one per line as "YYYY-MM-DD what" (the form's shape)."""
    rows = []
    for line in raw.splitlines():
        line = line.strip()
        if line:
            day, _sep, title = line.partition(" ")
            rows.append((title.strip(), day.strip()))
    return rows


Errors = dict[str, list[str]]


def _clean(user: User, data: ActionInput) -> tuple[dict[str, Any], list[tuple[str, date]], list[Case]]:
    """The values to store, the milestones and the cases to link; every problem at once, field by field."""
    errors: Errors = {}
    clean = _texts(data, errors)
    clean["owner"] = _owner(data, errors)
    clean["department"] = department = _department(user, data, errors)
    clean["deadline"] = deadline = _deadline(data, errors)
    clean["topic"] = topic = _topic(user, data, errors)
    if data.source not in Source.values:
        errors["source"] = [_("Unknown source.")]
    clean["source"] = data.source
    clean["public"] = bool(data.public)
    clean.update(_indicator(data, topic, errors))
    milestones = _milestones(data, deadline, errors)
    cases = resolve_cases(user, data.case_refs, data.case_ids, errors)
    if data.from_bad_ratings and department is not None:
        cases += list(_badly_rated(user, department))
    if errors:
        raise ValidationFailed(errors)
    return clean, milestones, cases


def _texts(data: ActionInput, errors: Errors) -> dict[str, Any]:
    clean: dict[str, Any] = {}
    for name, limit, required in (
        ("title", 200, True),
        ("goal", MAX_TEXT, True),
        ("root_cause", MAX_TEXT, False),
        ("measures", MAX_TEXT, True),
        ("expected_effect", MAX_TEXT, False),
    ):
        raw = str(getattr(data, name) or "").replace("\x00", "").strip()
        if required and not raw:
            errors[name] = [_("This field is required.")]
        elif len(raw) > limit:
            errors[name] = [_("At most %(n)d characters.") % {"n": limit}]
        clean[name] = raw
    return clean


def _owner(data: ActionInput, errors: Errors) -> User | None:
    owner_id = as_id(data.owner)
    owner = User.objects.filter(pk=owner_id, is_active=True).first() if owner_id else None
    if owner is None:
        errors["owner"] = [_("Choose the person responsible (an active member of staff).")]
    elif not permissions.is_staff(owner):
        errors["owner"] = [_("The person responsible must have a role.")]
    return owner


def _department(user: User, data: ActionInput, errors: Errors) -> Department | None:
    department_id = as_id(data.department)
    department = Department.objects.filter(pk=department_id, active=True).first() if department_id else None
    if department is None:
        errors["department"] = [_("Choose the responsible department.")]
    elif not in_scope(user, department):
        errors["department"] = [_("You may only create actions for your own department and those below it.")]
    return department


def _deadline(data: ActionInput, errors: Errors) -> date | None:
    deadline = _parse_date(data.deadline)
    if deadline is None:
        errors["deadline"] = [_("Give the deadline as a date (YYYY-MM-DD).")]
    elif deadline < local_today():
        errors["deadline"] = [_("The deadline is in the past.")]
    return deadline


def _topic(user: User, data: ActionInput, errors: Errors) -> Topic | None:
    """The hot topic the action answers, among those the user may see (a topic of other departments' cases only
    is unknown to them)."""
    topic = None
    topic_id = as_id(data.topic)
    if data.topic not in (None, ""):
        topic = visible_topics(user).filter(pk=topic_id).first() if topic_id else None
        if topic is None:
            errors["topic"] = [_("Unknown hot topic.")]
    return topic


def _indicator(data: ActionInput, topic: Topic | None, errors: Errors) -> dict[str, Any]:
    """How the effect is measured: the indicator, over how many weeks, its target, and when to verify."""
    if data.indicator not in Indicator.values:
        errors["indicator"] = [_("Unknown indicator.")]
    elif data.indicator == Indicator.TOPIC_WEEKLY and topic is None and "topic" not in errors:
        errors["indicator"] = [_("Counting cases per week needs a hot topic.")]
    weeks = as_id(data.indicator_weeks)
    if weeks is None or not 1 <= weeks <= 52:
        errors["indicator_weeks"] = [_("Between 1 and 52 weeks.")]
    days = as_id(data.verify_after_days)
    if days is None or not 1 <= days <= 365:
        errors["verify_after_days"] = [_("Between 1 and 365 days.")]
    target: float | None = None
    if data.indicator_target not in (None, ""):
        try:
            target = float(str(data.indicator_target))
        except ValueError:
            target = None
        if target is None or not 0 <= target <= 1_000_000:
            errors["indicator_target"] = [_("The target is a number (cases per week, or a percentage).")]
    return {
        "indicator": data.indicator,
        "indicator_weeks": weeks or 4,
        "verify_after_days": days or 28,
        "indicator_target": target,
    }


def _milestones(data: ActionInput, deadline: date | None, errors: Errors) -> list[tuple[str, date]]:
    milestones: list[tuple[str, date]] = []
    for title, due_raw in data.milestones[:50]:
        title = plain_text(title, 200)
        due = _parse_date(due_raw)
        if not title or due is None:
            errors.setdefault("milestones", []).append(
                _("Each milestone needs a date (YYYY-MM-DD) and a description: “%(line)s”.")
                % {"line": f"{due_raw} {title}".strip()}
            )
        elif due < local_today():
            errors.setdefault("milestones", []).append(_("Milestone “%(title)s” is in the past.") % {"title": title})
        elif deadline is not None and due > deadline:
            errors.setdefault("milestones", []).append(
                _("Milestone “%(title)s” is after the deadline.") % {"title": title}
            )
        else:
            milestones.append((title, due))
    return milestones


def _badly_rated(user: User, department: Department) -> QuerySet[Case]:
    since = timezone.now() - timedelta(days=BAD_RATING_DAYS)
    return (
        visible_cases(user)
        .filter(
            lead_department__path__startswith=department.path,
            ratings__level__lte=2,
            ratings__created_at__gte=since,
        )
        .distinct()
    )


@transaction.atomic
def create_action(user: User, data: ActionInput) -> Action:
    """A new action in draft, with its milestones and the cases it answers (and the topic's, if it has one)."""
    if not can_create(user):
        raise PermissionDenied(_("Only analysts, supervisors, department heads and administrators create actions."))
    clean, milestones, cases = _clean(user, data)
    action = Action.objects.create(created_by=user, created_at=timezone.now(), **clean)
    Milestone.objects.bulk_create([Milestone(action=action, title=t, due=d) for t, d in milestones])
    record(action, "created", actor=user, to_state=State.DRAFT, data={"source": action.source})
    link(action, [c.pk for c in cases], ActionCase.Via.MANUAL)
    if action.topic_id is not None:
        topic_cases = visible_cases(user).filter(analysis__topic_id=action.topic_id).values_list("pk", flat=True)
        link(action, topic_cases.iterator(chunk_size=2000), ActionCase.Via.TOPIC)
    refresh_counts(action)
    return action
