"""Every write of the actions app: create, move through the workflow, link cases, post progress, warn, verify.

Each step checks who may take it (``workflow.TRANSITIONS`` and the department scope), changes the row and writes one
``ActionEvent``, in one transaction. Linking goes through ``cases.queries.visible_cases``: nobody links a case they
may not see.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils import timezone
from django.utils.translation import gettext as _

from fankui.accounts import permissions
from fankui.accounts.models import Department, Role, User
from fankui.analysis.models import CaseAnalysis
from fankui.cases.models import Case
from fankui.cases.queries import find_case_ref, visible_cases
from fankui.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from fankui.intake.files import Look
from fankui.intake.services import check_uploads, store_file
from fankui.topics.models import Topic

from . import workflow
from .models import (
    Action,
    ActionCase,
    ActionEvent,
    Broadcast,
    Indicator,
    Milestone,
    ProgressUpdate,
    Source,
    State,
)
from .workflow import MANAGER, OWNER, Step

MAX_TEXT = 10_000
MAX_LINK_REFS = 500
BAD_RATING_DAYS = 90


# --- Who may act (accounts.permissions) --------------------------------------------------------------------------
def in_scope(user: User, department: Department | None) -> bool:
    """Managers work organisation-wide, except department heads: their own department and those below it."""
    role = permissions.role(user)
    if role not in MANAGER:
        return False
    return role != Role.DEPT_HEAD or permissions.in_department(user, department)


def actors_of(user: User, action: Action) -> set[str]:
    actors: set[str] = set()
    if in_scope(user, action.department):
        actors.add(permissions.role(user))
    if user.is_active and action.owner_id == user.pk:
        actors.add(OWNER)
    return actors


def can_create(user: User) -> bool:
    return permissions.role(user) in MANAGER


def available_steps(action: Action, user: User) -> list[workflow.Transition]:
    """The steps to offer as buttons; verifying waits until the effect is known (the page says until when)."""
    from .indicators import result_due

    actors = actors_of(user, action)
    due = result_due(action)
    early = due is not None and timezone.now() < due
    return [
        t
        for t in workflow.TRANSITIONS
        if t.source == action.state and t.actors & actors and not (early and t.step == Step.VERIFY)
    ]


def can_post_progress(user: User, action: Action) -> bool:
    return action.state in (State.APPROVED, State.IN_PROGRESS, State.DONE) and bool(actors_of(user, action))


def visible_actions(user: User) -> QuerySet[Action]:
    """Organisation-wide roles see every action; department roles those of their department (heads: subtree) and
    those they own."""
    actions = Action.objects.all()
    if permissions.is_organisation_wide(user):
        return actions
    if not permissions.is_staff(user):
        return actions.none()
    return actions.filter(Q(owner=user) | permissions.department_filter(user, "department"))


# --- Events -----------------------------------------------------------------------------------------------------
def record(
    action: Action,
    kind: str,
    *,
    actor: User | None = None,
    from_state: str = "",
    to_state: str = "",
    message: str = "",
    data: dict[str, Any] | None = None,
    once_key: str | None = None,
) -> ActionEvent | None:
    """Append one event. With ``once_key`` it is written at most once, ever: returns None when it already was."""
    event = ActionEvent(
        action=action,
        actor=actor,
        kind=kind,
        from_state=from_state,
        to_state=to_state,
        message=message,
        data=data or {},
        once_key=once_key,
        created_at=timezone.now(),
    )
    if once_key is None:
        event.save()
        return event
    try:
        with transaction.atomic():
            event.save()
    except IntegrityError:
        return None  # written before (or by another worker just now)
    return event


# --- Creating ---------------------------------------------------------------------------------------------------
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


def _today() -> date:
    return timezone.localdate()


def _parse_date(value: date | str | None) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value or "").strip())
    except ValueError:
        return None


def _int(value: object) -> int | None:
    text = str(value if value is not None else "").strip()
    if not text.isdigit() or len(text) > 18:
        return None
    return int(text)


def _text(value: object, limit: int = MAX_TEXT) -> str:
    return str(value or "").replace("\x00", "").strip()[:limit]


def parse_milestones(raw: str) -> list[tuple[str, str]]:
    """Milestones typed one per line as "YYYY-MM-DD what" (the form's shape)."""
    rows = []
    for line in raw.splitlines():
        line = line.strip()
        if line:
            day, _sep, title = line.partition(" ")
            rows.append((title.strip(), day.strip()))
    return rows


def _resolve_cases(user: User, refs: Sequence[str], ids: Sequence[int], errors: dict[str, list[str]]) -> list[Case]:
    """The cases named, all of them visible to ``user``; any other is an error naming it (and not saying whether it
    exists: a case outside one's scope does not exist for them)."""
    if len(refs) + len(ids) > MAX_LINK_REFS:
        errors["cases"] = [_("At most %(n)d cases can be linked at once.") % {"n": MAX_LINK_REFS}]
        return []
    visible = visible_cases(user)
    found: dict[int, Case] = {}
    missing: list[str] = []
    for ref in refs:
        ref = ref.strip()
        if not ref:
            continue
        case = find_case_ref(visible, ref)
        if case is None:
            missing.append(ref)
        else:
            found[case.pk] = case
    wanted = [i for i in ids if 0 < i < 2**63]
    if len(wanted) != len(ids):
        missing += [str(i) for i in ids if not 0 < i < 2**63]
    by_id = {c.pk: c for c in visible.filter(pk__in=wanted)}
    for pk in wanted:
        if pk in by_id:
            found[pk] = by_id[pk]
        else:
            missing.append(f"#{pk}")
    if missing:
        errors["cases"] = [
            _("These cases do not exist or you may not see them: %(refs)s.") % {"refs": ", ".join(missing[:20])}
        ]
    return list(found.values())


def _clean(user: User, data: ActionInput) -> tuple[dict[str, Any], list[tuple[str, date]], list[Case]]:
    errors: dict[str, list[str]] = {}
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

    owner_id = _int(data.owner)
    owner = User.objects.filter(pk=owner_id, is_active=True).first() if owner_id else None
    if owner is None:
        errors["owner"] = [_("Choose the person responsible (an active member of staff).")]
    elif not permissions.is_staff(owner):
        errors["owner"] = [_("The person responsible must have a role.")]
    clean["owner"] = owner

    department_id = _int(data.department)
    department = Department.objects.filter(pk=department_id, active=True).first() if department_id else None
    if department is None:
        errors["department"] = [_("Choose the responsible department.")]
    elif not in_scope(user, department):
        errors["department"] = [_("You may only create actions for your own department and those below it.")]
    clean["department"] = department

    deadline = _parse_date(data.deadline)
    if deadline is None:
        errors["deadline"] = [_("Give the deadline as a date (YYYY-MM-DD).")]
    elif deadline < _today():
        errors["deadline"] = [_("The deadline is in the past.")]
    clean["deadline"] = deadline

    topic = None
    topic_id = _int(data.topic)
    if data.topic not in (None, ""):
        topic = Topic.objects.filter(pk=topic_id).first() if topic_id else None
        if topic is None:
            errors["topic"] = [_("Unknown hot topic.")]
    clean["topic"] = topic

    if data.source not in Source.values:
        errors["source"] = [_("Unknown source.")]
    clean["source"] = data.source
    clean["public"] = bool(data.public)

    if data.indicator not in Indicator.values:
        errors["indicator"] = [_("Unknown indicator.")]
    elif data.indicator == Indicator.TOPIC_WEEKLY and topic is None and "topic" not in errors:
        errors["indicator"] = [_("Counting cases per week needs a hot topic.")]
    clean["indicator"] = data.indicator
    weeks = _int(data.indicator_weeks)
    if weeks is None or not 1 <= weeks <= 52:
        errors["indicator_weeks"] = [_("Between 1 and 52 weeks.")]
    clean["indicator_weeks"] = weeks or 4
    days = _int(data.verify_after_days)
    if days is None or not 1 <= days <= 365:
        errors["verify_after_days"] = [_("Between 1 and 365 days.")]
    clean["verify_after_days"] = days or 28
    target: float | None = None
    if data.indicator_target not in (None, ""):
        try:
            target = float(str(data.indicator_target))
        except ValueError:
            target = None
        if target is None or not 0 <= target <= 1_000_000:
            errors["indicator_target"] = [_("The target is a number (cases per week, or a percentage).")]
    clean["indicator_target"] = target

    milestones: list[tuple[str, date]] = []
    for title, due_raw in data.milestones[:50]:
        title = _text(title, 200)
        due = _parse_date(due_raw)
        if not title or due is None:
            errors.setdefault("milestones", []).append(
                _("Each milestone needs a date (YYYY-MM-DD) and a description: “%(line)s”.")
                % {"line": f"{due_raw} {title}".strip()}
            )
        elif due < _today():
            errors.setdefault("milestones", []).append(_("Milestone “%(title)s” is in the past.") % {"title": title})
        elif deadline is not None and due > deadline:
            errors.setdefault("milestones", []).append(
                _("Milestone “%(title)s” is after the deadline.") % {"title": title}
            )
        else:
            milestones.append((title, due))

    cases = _resolve_cases(user, data.case_refs, data.case_ids, errors)
    if data.from_bad_ratings and department is not None:
        cases += list(_badly_rated(user, department))
    if errors:
        raise ValidationFailed(errors)
    return clean, milestones, cases


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
    _link(action, [c.pk for c in cases], ActionCase.Via.MANUAL)
    if action.topic_id is not None:
        topic_cases = visible_cases(user).filter(analysis__topic_id=action.topic_id).values_list("pk", flat=True)
        _link(action, topic_cases.iterator(chunk_size=2000), ActionCase.Via.TOPIC)
    refresh_counts(action)
    return action


# --- Linking ----------------------------------------------------------------------------------------------------
def _link(action: Action, case_ids: Iterable[int], via: str, batch: int = 2000) -> int:
    """Insert the links that do not exist yet; returns how many were new. Streams ``case_ids`` in batches."""
    added = 0
    now = timezone.now()
    chunk: list[int] = []

    def flush() -> int:
        existing = set(ActionCase.objects.filter(action=action, case_id__in=chunk).values_list("case_id", flat=True))
        rows = [ActionCase(action=action, case_id=pk, via=via, linked_at=now) for pk in dict.fromkeys(chunk)]
        rows = [r for r in rows if r.case_id not in existing]
        ActionCase.objects.bulk_create(rows, ignore_conflicts=True)
        return len(rows)

    for pk in case_ids:
        chunk.append(pk)
        if len(chunk) >= batch:
            added += flush()
            chunk = []
    if chunk:
        added += flush()
    if added:
        # Cases linked after a broadcast finished still hear about it: the broadcast resumes past its cursor.
        Broadcast.objects.filter(action=action, finished_at__isnull=False).update(finished_at=None)
    return added


def refresh_counts(action: Action) -> None:
    """Linked cases, and the people behind them: one per distinct contact, each case without one counts alone."""
    links = ActionCase.objects.filter(action=action)
    contact = Coalesce(
        NullIf("case__submission__contact_email", Value("")),
        NullIf("case__submission__contact_phone", Value("")),
    )
    named = links.filter(case__submission__anonymous=False).annotate(contact=contact).exclude(contact=None)
    people = named.values("contact").distinct().count()
    linked = links.count()
    unnamed = linked - named.count()
    Action.objects.filter(pk=action.pk).update(linked_count=linked, people_count=people + unnamed)
    action.linked_count, action.people_count = linked, people + unnamed


@transaction.atomic
def link_cases(action: Action, user: User, refs: Sequence[str] = (), ids: Sequence[int] = ()) -> int:
    action = Action.objects.select_for_update().get(pk=action.pk)
    if not actors_of(user, action) & (MANAGER | {OWNER}):
        raise PermissionDenied(_("You may not change the cases of this action."))
    if action.state in (State.VERIFIED, State.ABANDONED):
        raise Conflict(_("This action is finished; its cases can no longer change."))
    errors: dict[str, list[str]] = {}
    cases = _resolve_cases(user, refs, ids, errors)
    if errors:
        raise ValidationFailed(errors)
    if not cases:
        raise ValidationFailed({"cases": [_("Name at least one case (its number or tracking code).")]})
    added = _link(action, [c.pk for c in cases], ActionCase.Via.MANUAL)
    refresh_counts(action)
    record(action, "linked", actor=user, data={"cases": [c.number for c in cases][:50], "added": added})
    return added


@transaction.atomic
def unlink_case(action: Action, user: User, case_id: int) -> None:
    action = Action.objects.select_for_update().get(pk=action.pk)
    if not actors_of(user, action) & (MANAGER | {OWNER}):
        raise PermissionDenied(_("You may not change the cases of this action."))
    link = ActionCase.objects.filter(action=action, case_id=case_id, case__in=visible_cases(user)).first()
    if link is None:
        raise NotFound(_("This case is not linked to the action."))
    number = link.case.number
    link.delete()
    refresh_counts(action)
    record(action, "unlinked", actor=user, data={"cases": [number]})


def link_topic_cases() -> int:
    """Link the new cases of every linked hot topic (the analysis sets ``CaseAnalysis.topic`` after intake).
    Returns how many links were made."""
    total = 0
    actions = Action.objects.exclude(state=State.ABANDONED).filter(topic__isnull=False)
    for action in actions.only("pk", "topic_id"):
        if action.topic_id is None:
            continue
        already = ActionCase.objects.filter(action=action).values("case_id")
        new = (
            CaseAnalysis.objects.filter(topic_id=action.topic_id)
            .exclude(case_id__in=already)
            .values_list("case_id", flat=True)
            .order_by("case_id")
        )
        with transaction.atomic():
            added = _link(action, new.iterator(chunk_size=2000), ActionCase.Via.TOPIC)
            if added:
                refresh_counts(action)
                record(action, "topic_cases_linked", data={"added": added})
        total += added
    return total


# --- The workflow -----------------------------------------------------------------------------------------------
@transaction.atomic
def transition(action: Action, user: User | None, step: str, reason: str = "") -> Action:
    """Take ``step`` (approve, start, complete, verify, abandon). ``user`` None is the system (verification)."""
    action = Action.objects.select_for_update().select_related("department").get(pk=action.pk)
    move = workflow.find(action.state, step)
    actors = {workflow.SYSTEM} if user is None else actors_of(user, action)
    if move is None:
        raise Conflict(
            _("This action is “%(state)s”; “%(step)s” is not possible now.")
            % {"state": State(action.state).label, "step": Step(step).label if step in Step.values else step}
        )
    if not move.actors & actors:
        raise PermissionDenied(_("You may not take this step on this action."))
    reason = _text(reason)
    if move.needs_reason and not reason:
        raise ValidationFailed({"reason": [_("Please give the reason.")]})
    now = timezone.now()
    data: dict[str, Any] = {}
    if step == Step.VERIFY:
        from .indicators import evaluate, result_due

        due = result_due(action) or now
        if now < due:
            days = (due - action.done_at).days if action.done_at else 0
            raise Conflict(
                _("The effect can be verified from %(date)s, %(days)d days after the action was done.")
                % {"date": timezone.localtime(due).strftime("%Y-%m-%d"), "days": days}
            )
        action.indicator_result = evaluate(action, now)
        data = action.indicator_result
    source = action.state
    action.state = move.target
    stamp = {
        State.APPROVED: "approved_at",
        State.IN_PROGRESS: "started_at",
        State.DONE: "done_at",
        State.VERIFIED: "verified_at",
        State.ABANDONED: "abandoned_at",
    }[State(move.target)]
    setattr(action, stamp, now)
    if move.target == State.ABANDONED:
        action.abandon_reason = reason
    action.save()
    record(action, step, actor=user, from_state=source, to_state=action.state, message=reason, data=data)
    if move.target in (State.APPROVED, State.DONE):
        # The people who raised it hear about the decision and the result: queued by the worker in batches.
        Broadcast.objects.get_or_create(action=action, stage=move.target, defaults={"created_at": now})
    return action


# --- Progress ---------------------------------------------------------------------------------------------------
def _validate_files(files: Sequence[UploadedFile]) -> list[tuple[UploadedFile, str]]:
    """Evidence follows intake's attachment rules."""
    good, problems = check_uploads(files)
    if problems:
        raise ValidationFailed({"files": problems})
    return good


@transaction.atomic
def post_progress(
    action: Action,
    user: User,
    text: str,
    files: Sequence[UploadedFile] = (),
    *,
    public: bool = True,
    milestones_done: Sequence[int] = (),
) -> ProgressUpdate:
    """The owner (or a manager) reports progress, with photos or documents as evidence, and may tick milestones."""
    action = Action.objects.select_for_update().get(pk=action.pk)
    if not can_post_progress(user, action):
        if not actors_of(user, action):
            raise PermissionDenied(_("Only the owner and those who manage this action post progress."))
        raise Conflict(_("Progress is posted once the action is approved and until it is verified."))
    body = _text(text)
    errors: dict[str, list[str]] = {}
    if not body:
        errors["text"] = [_("Describe what was done.")]
    try:
        good = _validate_files(files)
    except ValidationFailed as error:
        errors.update(error.errors)
        good = []
    ticked = list(Milestone.objects.filter(action=action, pk__in=[i for i in milestones_done if 0 < i < 2**63]))
    if len(ticked) != len(set(milestones_done)):
        errors["milestones"] = [_("Unknown milestone.")]
    if errors:
        raise ValidationFailed(errors)
    now = timezone.now()
    update = ProgressUpdate.objects.create(action=action, author=user, text=body, public=public, created_at=now)
    for upload, content_type in good:
        store_file(upload, content_type, update, f"actions/{action.pk}")
    for milestone in ticked:
        if milestone.done_at is None:
            milestone.done_at = now
            milestone.save(update_fields=["done_at"])
    record(
        action,
        "progress",
        actor=user,
        message=body[:500],
        data={"update": update.pk, "files": len(good), "milestones": [m.pk for m in ticked]},
    )
    return update


# --- Warnings and verification (sweeps) --------------------------------------------------------------------------
WARN_DAYS = 3


def _warn(action: Action, once_key: str, kind: str, subject: str, body: str, data: dict[str, Any]) -> bool:
    from fankui.notify.services import notify_staff

    if ActionEvent.objects.filter(once_key=once_key).exists():
        return False  # the common case on every later round: no failed insert each time
    with transaction.atomic():
        if record(action, kind, once_key=once_key, message=subject, data=data) is None:
            return False
        people = {action.owner_id: action.owner, action.created_by_id: action.created_by}
        notify_staff([p for p in people.values() if p is not None], subject, body, key=once_key)
    return True


def warn_due() -> int:
    """Warn the owner and the creator once when a milestone or the deadline is near (3 days) and once when missed."""
    today = _today()
    near = today + timedelta(days=WARN_DAYS)
    sent = 0
    running = Action.objects.filter(state__in=State.running()).select_related("owner", "created_by")
    for action in running.filter(deadline__lte=near):
        missed = action.deadline < today
        stage = "missed" if missed else "near"
        subject = (
            _("Improvement action “%(title)s” missed its deadline (%(date)s)")
            if missed
            else _("Improvement action “%(title)s” is due on %(date)s")
        ) % {"title": action.title, "date": action.deadline.isoformat()}
        sent += _warn(
            action,
            f"action:{action.pk}:deadline:{stage}:{action.deadline.isoformat()}",
            f"deadline_{stage}",
            subject,
            subject,
            {"deadline": action.deadline.isoformat()},
        )
    milestones = Milestone.objects.filter(
        action__state__in=State.running(), done_at__isnull=True, due__lte=near
    ).select_related("action__owner", "action__created_by")
    for milestone in milestones:
        missed = milestone.due < today
        stage = "missed" if missed else "near"
        subject = (
            _("Milestone “%(title)s” of “%(action)s” was due on %(date)s")
            if missed
            else _("Milestone “%(title)s” of “%(action)s” is due on %(date)s")
        ) % {"title": milestone.title, "action": milestone.action.title, "date": milestone.due.isoformat()}
        sent += _warn(
            milestone.action,
            f"action:{milestone.action_id}:milestone:{milestone.pk}:{stage}:{milestone.due.isoformat()}",
            f"milestone_{stage}",
            subject,
            subject,
            {"milestone": milestone.pk, "due": milestone.due.isoformat()},
        )
    return sent


def verify_due() -> int:
    """Verify, with the indicator, every action whose effect is known (``indicators.result_due`` has passed)."""
    from .indicators import result_due

    done = 0
    now = timezone.now()
    for action in Action.objects.filter(state=State.DONE, done_at__isnull=False):
        due = result_due(action)
        if due is not None and due <= now:
            try:
                transition(action, None, Step.VERIFY)
            except (Conflict, PermissionDenied):
                continue  # another worker verified it just now
            done += 1
    return done


def get_visible(user: User, pk: int) -> Action:
    if not 0 < pk < 2**63:
        raise NotFound(_("There is no such action."))
    action = visible_actions(user).select_related("owner", "department", "topic", "created_by").filter(pk=pk).first()
    if action is None:
        raise NotFound(_("There is no such action."))
    return action


def evidence_look(user: User, update_id: int) -> Look | None:
    """A progress update's evidence is seen by those who see its action (``intake.files``)."""
    seen = ProgressUpdate.objects.filter(pk=update_id, action__in=visible_actions(user)).exists()
    return Look("evidence") if seen else None
