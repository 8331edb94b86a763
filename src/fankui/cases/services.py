"""Every change to a case. Pages, the API, imports and the worker all call these functions.

Each workflow move locks the case row, checks the move against ``workflow.TRANSITIONS`` with the actor's role
and department, changes the state and writes one event, all in one transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, ProgrammingError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fankui.accounts import permissions
from fankui.accounts.models import Department, User
from fankui.audit.models import Event
from fankui.audit.services import record_event, record_events
from fankui.core import codes
from fankui.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from fankui.core.rows import update_rows
from fankui.core.vocab import Kind
from fankui.intake import services as intake
from fankui.intake.models import Submission

from . import queries, signals, workflow
from .models import Case, Category, Reply, Source, YearCounter
from .workflow import Action, Actor, State

MAX_TEXT = 10_000


# --- Who may act -----------------------------------------------------------------------------------------------
def can_act(user: User, case: Case, action: str) -> bool:
    """The table allows ``user``'s role to take ``action`` now; department actions also need the case's lead
    department to be the user's (a head's: in the head's subtree)."""
    transition = workflow.find(case.state, action)
    if transition is None or permissions.role(user) not in transition.actors:
        return False
    if transition.actors <= workflow.DEPARTMENT:
        return permissions.in_department(user, case.lead_department)
    return True


def available_actions(case: Case, user: User) -> list[workflow.Transition]:
    return [t for t in workflow.actions_for(case.state, permissions.role(user)) if can_act(user, case, t.action)]


# --- Creation -------------------------------------------------------------------------------------------------
def _next_number(year: int) -> str:
    """Hand out the next number of ``year`` (2026-000123)."""
    if connection.vendor == "postgresql":
        return f"{year}-{_sequence_value(year):06d}"
    # SQLite runs one writer at a time anyway, so a counter row costs nothing extra there.
    sql = f"UPDATE {YearCounter._meta.db_table} SET last = last + 1 WHERE year = %s RETURNING last"
    with connection.cursor() as cursor:
        cursor.execute(sql, [year])
        row = cursor.fetchone()
        if row is None:
            YearCounter.objects.bulk_create([YearCounter(year=year, last=0)], ignore_conflicts=True)
            cursor.execute(sql, [year])
            row = cursor.fetchone()
    return f"{year}-{row[0]:06d}"


def _sequence_value(year: int) -> int:
    """On PostgreSQL each year has a sequence: unlike a counter row, ``nextval`` holds no lock until commit, so
    concurrent intakes do not queue behind each other (a rolled-back intake leaves a gap in the numbers)."""
    name = f"cases_number_{int(year)}"
    with connection.cursor() as cursor:
        # One round trip in the usual case; no row only when the year's sequence does not exist yet.
        cursor.execute("SELECT nextval(r) FROM (SELECT to_regclass(%s) AS r) AS s WHERE r IS NOT NULL", [name])
        row = cursor.fetchone()
        value = row[0] if row else None
        if value is None:
            try:
                with transaction.atomic():
                    cursor.execute(f"CREATE SEQUENCE IF NOT EXISTS {name}")
            except (IntegrityError, ProgrammingError):
                pass  # another intake created it at the same moment
            cursor.execute("SELECT nextval(%s)", [name])
            value = cursor.fetchone()[0]
    return int(value)


def receive(data: intake.SubmissionInput) -> tuple[Case, bool]:
    """The one door of every channel (the web form, ``POST /api/v1/submissions``, imports): check everything at once
    (intake's rules for what arrived, the category here), store the submission and open its case, in one
    transaction. Returns ``(case, created)``; ``created`` is False when the idempotency key was seen before, and the
    earlier case is returned.

    The key is not looked up first: the unique constraint on it decides, which saves a query on every new
    submission (the common case) and is also what settles two retries racing each other. A key reused for a
    different text is refused, so a guessed key never hands out somebody else's tracking code."""
    clean, files, errors = intake.check(data)
    category = _chosen_category(data.category, errors)
    if errors:
        raise ValidationFailed(errors)
    kind = clean["kind"] or Kind.COMPLAINT
    try:
        with transaction.atomic():
            submission = intake.store(clean, files, data.received_at)
            case = create_case(
                submission, kind=kind, category=category, public_data={"kind": kind, "attachments": len(files)}
            )
    except IntegrityError:
        existing = find_by_idempotency_key(clean["idempotency_key"])
        if existing is None:
            raise
        if (existing.submission.body, existing.submission.title) != (clean["body"], clean["title"]):
            raise Conflict(
                _("This Idempotency-Key was already used for a different submission; use a new key for each one.")
            ) from None
        return existing, False
    return case, True


def _chosen_category(raw: object, errors: dict[str, list[str]]) -> Category | None:
    """The active category a submitter chose, by id or exact name; an unknown one is added to ``errors``."""
    text = str(raw if raw is not None else "").replace("\x00", "").strip()
    if not text:
        return None
    if text.isdigit():
        # Out-of-range ids would overflow the database integer: they simply match nothing.
        category = Category.objects.filter(active=True, pk=int(text)).first() if int(text) < 2**63 else None
    else:
        category = Category.objects.filter(active=True, name=text).first()
    if category is None:
        errors["category"] = [_("Unknown category “%(value)s”.") % {"value": text}]
    return category


def find_by_idempotency_key(key: str) -> Case | None:
    if not key:
        return None
    return Case.objects.select_related("submission").filter(submission__idempotency_key=key).order_by().first()


def create_case(
    submission: Submission,
    *,
    kind: str,
    category: Category | None,
    public_data: dict[str, Any] | None = None,
) -> Case:
    """Open the case of a new submission. Called by intake inside its transaction."""
    now = submission.received_at
    case = Case.objects.create(
        submission=submission,
        tracking_code=codes.new_code(),
        number=_next_number(timezone.localtime(now).year),
        kind=kind,
        category=category,
        # What the submitter chose is theirs (the analysis leaves it alone); the rest waits for the analysis.
        kind_source=Source.CITIZEN if submission.kind else "",
        category_source=Source.CITIZEN if category else "",
        created_at=now,
        state_changed_at=now,
    )
    record_event(
        case,
        "receive",
        actor_kind=Actor.CITIZEN,
        to_state=State.RECEIVED,
        public=True,
        data={"channel": submission.channel, **(public_data or {})},
        # An imported submission was received in the past; its timeline starts then, not at the import.
        at=now,
    )
    signals.case_created.send(sender=Case, case=case)
    return case


# --- The workflow ---------------------------------------------------------------------------------------------
def _locked(case: Case) -> Case:
    """Re-read the case under a row lock so that two people acting at once cannot both move it."""
    return Case.objects.select_for_update(of=("self",)).select_related("lead_department").get(pk=case.pk)


def move(
    case: Case,
    action: str,
    *,
    user: User | None = None,
    actor: str | None = None,
    message: str = "",
    data: dict[str, Any] | None = None,
    changes: dict[str, Any] | None = None,
) -> Case:
    """Apply one transition to an already locked ``case``."""
    actor = actor or (permissions.role(user) if user else "")
    transition = workflow.find(case.state, action)
    if transition is None:
        raise Conflict(
            _("This case is “%(state)s”; “%(action)s” is not possible now.")
            % {"state": State(case.state).label, "action": Action(action).label}
        )
    if actor not in transition.actors or (user is not None and not can_act(user, case, action)):
        raise PermissionDenied(_("You may not “%(action)s” this case.") % {"action": Action(action).label})
    if transition.needs_reason and not message.strip():
        raise ValidationFailed({"reason": [_("Please give a reason.")]})
    now = timezone.now()
    source = case.state
    case.state = transition.target
    case.state_changed_at = now
    for name, value in (changes or {}).items():
        setattr(case, name, value)
    case.save()
    record_event(
        case,
        action,
        actor=user,
        actor_kind=actor,
        from_state=source,
        to_state=transition.target,
        public=transition.public,
        message=message.strip(),
        data=data,
    )
    signals.case_moved.send(sender=Case, case=case, action=action, source=source, target=transition.target, user=user)
    return case


def _reason(text: str) -> str:
    text = (text or "").strip()
    if len(text) > MAX_TEXT:
        raise ValidationFailed({"reason": [_("At most %(n)d characters.") % {"n": MAX_TEXT}]})
    return text


def _move_with_category(
    case: Case,
    action: str,
    user: User,
    category: Category | None,
    *,
    message: str = "",
    data: dict[str, Any] | None = None,
    changes: dict[str, Any] | None = None,
) -> Case:
    """``move`` the locked ``case``, setting the category the dispatcher chose on the way (staff's, so final); the
    move's event records the change and the SLA re-applies its policies to the new category."""
    check_category(category)
    fields, changed = _by_staff(case, None, category)
    data = {**(data or {}), **changed}
    move(
        case,
        action,
        user=user,
        message=message,
        data=data or None,
        changes={**(changes or {}), **{name: getattr(case, name) for name in fields}},
    )
    _reclassified(case, changed, user)
    return case


@transaction.atomic
def accept(case: Case, user: User, note: str = "", category: Category | None = None) -> Case:
    return _move_with_category(_locked(case), Action.ACCEPT, user, category, message=_reason(note))


@transaction.atomic
def reject(case: Case, user: User, reason: str) -> Case:
    return move(_locked(case), Action.REJECT, user=user, message=_reason(reason))


def _check_departments(lead: Department | None, assists: Iterable[Department]) -> list[Department]:
    if lead is None:
        raise ValidationFailed({"lead_department": [_("Choose the lead department.")]})
    if not lead.active:
        raise ValidationFailed({"lead_department": [_("This department is no longer active.")]})
    others = [d for d in dict.fromkeys(assists) if d.pk != lead.pk]
    if any(not d.active for d in others):
        raise ValidationFailed({"assist_departments": [_("An assisting department is no longer active.")]})
    return others


def _dispatch(
    case: Case,
    user: User,
    action: str,
    lead: Department | None,
    assists: Iterable[Department],
    note: str,
    category: Category | None,
) -> Case:
    others = _check_departments(lead, assists)
    case = _locked(case)
    data = {
        "lead_department": lead.pk if lead else None,
        "assist_departments": [d.pk for d in others],
        "lead_department_name": lead.name if lead else "",
        "assist_department_names": [d.name for d in others],
    }
    _move_with_category(
        case, action, user, category, message=_reason(note), data=data, changes={"lead_department": lead}
    )
    case.assist_departments.set(others)
    return case


@transaction.atomic
def dispatch(
    case: Case,
    user: User,
    lead: Department | None,
    assists: Sequence[Department] = (),
    note: str = "",
    category: Category | None = None,
) -> Case:
    return _dispatch(case, user, Action.DISPATCH, lead, assists, note, category)


@transaction.atomic
def redispatch(
    case: Case,
    user: User,
    lead: Department | None,
    assists: Sequence[Department] = (),
    note: str = "",
    category: Category | None = None,
) -> Case:
    return _dispatch(case, user, Action.REDISPATCH, lead, assists, note, category)


@transaction.atomic
def return_case(case: Case, user: User, reason: str) -> Case:
    return move(
        _locked(case),
        Action.RETURN,
        user=user,
        message=_reason(reason),
        data={"department": user.department_id},
    )


@transaction.atomic
def start(case: Case, user: User) -> Case:
    return move(_locked(case), Action.START, user=user)


@transaction.atomic
def reply(case: Case, user: User, body: str) -> Case:
    text = (body or "").strip()
    if not text:
        raise ValidationFailed({"body": [_("Please write the reply.")]})
    if len(text) > MAX_TEXT:
        raise ValidationFailed({"body": [_("At most %(n)d characters.") % {"n": MAX_TEXT}]})
    case = _locked(case)
    now = timezone.now()
    # Written before the move so its id goes into the event; a refused move rolls both back.
    answer = Reply.objects.create(case=case, author=user, department=case.lead_department, body=text, created_at=now)
    return move(case, Action.REPLY, user=user, changes={"replied_at": now}, data={"reply": answer.pk})


@transaction.atomic
def reopen(case: Case, user: User, reason: str) -> Case:
    return move(_locked(case), Action.REOPEN, user=user, message=_reason(reason), changes={"closed_at": None})


@transaction.atomic
def close(case: Case, user: User, note: str = "") -> Case:
    return move(_locked(case), Action.CLOSE, user=user, message=_reason(note), changes={"closed_at": timezone.now()})


def apply_rating(case: Case, satisfied: bool, data: dict[str, Any], comment: str = "") -> Case:
    """The submitter's rating moves the case: satisfied closes it, unsatisfied reopens it (called by surveys,
    inside its transaction, with ``case`` locked)."""
    if satisfied:
        return move(
            case,
            Action.RATE_SATISFIED,
            actor=Actor.CITIZEN,
            data=data,
            message=comment,
            changes={"closed_at": timezone.now()},
        )
    return move(case, Action.RATE_UNSATISFIED, actor=Actor.CITIZEN, data=data, message=comment)


@transaction.atomic
def merge(case: Case, user: User, primary: Case) -> Case:
    """Make ``case`` a duplicate (并单) of ``primary``; its submitter follows the primary from now on."""
    if primary.pk == case.pk:
        raise ValidationFailed({"primary": [_("A case cannot be merged into itself.")]})
    primary = Case.objects.select_for_update().get(pk=primary.pk)
    if primary.state in (State.MERGED, State.REJECTED):
        raise Conflict(
            _("Case %(number)s cannot take duplicates: it is “%(state)s”.")
            % {"number": primary.number, "state": State(primary.state).label}
        )
    case = _locked(case)
    move(
        case,
        Action.MERGE,
        user=user,
        changes={"merged_into": primary},
        data={"primary": primary.pk, "primary_number": primary.number},
    )
    # Duplicates of the duplicate now follow the primary too, so no chain is ever longer than one step.
    Case.objects.filter(merged_into=case).update(merged_into=primary)
    record_event(primary, "merge_in", actor=user, data={"duplicate": case.pk, "duplicate_number": case.number})
    return case


def close_unrated(now: datetime | None = None, batch: int = 500) -> int:
    """Close replied cases whose rating window has passed (run by the worker). Returns how many were closed."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.FANKUI_RATING_WINDOW_DAYS)
    closed = 0
    ids = list(Case.objects.filter(state=State.REPLIED, replied_at__lt=cutoff).values_list("pk", flat=True)[:batch])
    for pk in ids:
        with transaction.atomic():
            case = Case.objects.select_for_update().filter(pk=pk, state=State.REPLIED).first()
            if case is None:  # someone rated or reopened it meanwhile
                continue
            move(
                case,
                Action.CLOSE,
                actor=Actor.SYSTEM,
                changes={"closed_at": now},
                data={"reason": "rating_window_passed"},
            )
            closed += 1
    return closed


# --- History imports -----------------------------------------------------------------------------------------
@dataclass
class Step:
    """One past move of an imported case, checked against the transition table like a live one.

    The data of a dispatch/redispatch names the lead department (``lead_department``: id) and that of a merge the
    primary case (``primary``: id), as the live services write them. A reply step carries its text in ``reply``;
    replay writes the Reply row and puts its id into ``data["reply"]``, so the caller can attach a rating to it."""

    action: str
    at: datetime
    actor: str
    user: User | None = None
    message: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    reply: str = ""


def replay(case: Case, steps: Sequence[Step]) -> Case:
    """Bring a freshly created case to its recorded state, writing the events with their original times.

    Used by imports and the demo: the path is validated against the workflow table, the events are inserted in
    one statement, and the case row is written once. Side records follow the live services: a dispatch sets the
    lead department, a reply writes its Reply row, a merge points at the primary and notes it on the primary."""
    events = []
    state = case.state
    for step in steps:
        transition = workflow.find(state, step.action)
        if transition is None or step.actor not in transition.actors:
            raise Conflict(f"{step.action} by {step.actor} is not possible in state {state}")
        if step.action in (Action.DISPATCH, Action.REDISPATCH) and step.data.get("lead_department"):
            case.lead_department_id = step.data["lead_department"]
        elif step.action == Action.REPLY and step.reply.strip():
            answer = Reply.objects.create(
                case=case,
                author=step.user,
                department_id=case.lead_department_id,
                body=step.reply.strip(),
                created_at=step.at,
            )
            step.data["reply"] = answer.pk
        elif step.action == Action.MERGE and step.data.get("primary"):
            case.merged_into_id = step.data["primary"]
            events.append(
                Event(
                    case_id=step.data["primary"],
                    actor=step.user,
                    actor_kind="staff" if step.user else step.actor,
                    action="merge_in",
                    data={"duplicate": case.pk, "duplicate_number": case.number},
                    created_at=step.at,
                )
            )
        events.append(
            Event(
                case=case,
                actor=step.user,
                # As record_event writes it: "staff" when a person acted, else who acted (citizen, system).
                actor_kind="staff" if step.user else step.actor,
                action=step.action,
                from_state=state,
                to_state=transition.target,
                public=transition.public,
                message=step.message,
                data=step.data,
                created_at=step.at,
            )
        )
        state = transition.target
        if step.action == Action.REPLY:
            case.replied_at = step.at
        if transition.target == State.CLOSED:
            case.closed_at = step.at
        elif transition.target == State.REOPENED:
            case.closed_at = None
    record_events(events)
    case.state = state
    if steps:
        case.state_changed_at = steps[-1].at
    case.save()
    return case


# --- Categories ----------------------------------------------------------------------------------------------
def load_category_tree(
    paths: Iterable[Sequence[str]], departments: Mapping[str, Department] | None = None
) -> dict[tuple[str, ...], int]:
    """Create the category tree from rows of names (一级, 二级, 三级, ...), level by level in bulk.

    Nodes that already exist (same name under the same parent) are kept, so loading a tree twice adds nothing.
    ``departments`` maps first-level names to their usual department. Returns the id of every path."""
    rows = [tuple(name.strip() for name in row if name and name.strip()) for row in paths]
    known: dict[tuple[int | None, str], int] = {
        (parent, name): pk for pk, parent, name in Category.objects.values_list("pk", "parent_id", "name")
    }
    ids: dict[tuple[str, ...], int] = {}
    departments = departments or {}
    for level in range(1, max((len(row) for row in rows), default=0) + 1):
        new: dict[tuple[str, ...], Category] = {}
        siblings: dict[int | None, int] = {}
        for row in rows:
            path = row[:level]
            if len(path) < level or path in ids or path in new:
                continue
            parent = ids[path[:-1]] if level > 1 else None
            existing = known.get((parent, path[-1]))
            if existing is not None:
                ids[path] = existing
                continue
            siblings[parent] = siblings.get(parent, 0) + 1
            department = departments.get(path[0]) if level == 1 else None
            new[path] = Category(
                name=path[-1][:100], parent_id=parent, level=level, sort_order=siblings[parent], department=department
            )
        # bulk_create sets the primary keys on SQLite and PostgreSQL, which the next level needs as parents.
        Category.objects.bulk_create(new.values())
        ids.update({path: category.pk for path, category in new.items()})
    return ids


# --- Staff actions by name ------------------------------------------------------------------------------------
# The actions a member of staff takes from a page or the API; the rating moves belong to the submitter.
STAFF_ACTIONS = (
    Action.ACCEPT,
    Action.REJECT,
    Action.DISPATCH,
    Action.REDISPATCH,
    Action.RETURN,
    Action.START,
    Action.REPLY,
    Action.CLOSE,
    Action.REOPEN,
    Action.MERGE,
)


@dataclass
class ActionInput:
    """What a page form or an API body carries for one action; each action reads the fields it needs."""

    note: str = ""
    reason: str = ""
    body: str = ""
    lead_department: int | None = None
    assist_departments: Sequence[int] = ()
    # The primary case of a merge, by number or tracking code.
    primary: str = ""
    # accept, dispatch, redispatch: the category the dispatcher sets or changes (None: leave it as it is).
    category: int | None = None


def _departments(data: ActionInput) -> tuple[Department | None, list[Department]]:
    # An id no database column can hold is just as unknown (and must not reach the driver, which would overflow).
    wanted = {pk for pk in [data.lead_department, *data.assist_departments] if pk is not None and 0 < pk < 2**63}
    found = Department.objects.in_bulk(wanted)
    errors: dict[str, list[str]] = {}
    if data.lead_department is not None and data.lead_department not in found:
        errors["lead_department"] = [_("Unknown department.")]
    if any(pk not in found for pk in data.assist_departments):
        errors["assist_departments"] = [_("Unknown department.")]
    if errors:
        raise ValidationFailed(errors)
    lead = found[data.lead_department] if data.lead_department is not None else None
    return lead, [found[pk] for pk in data.assist_departments]


def _category(data: ActionInput) -> Category | None:
    if data.category is None:
        return None
    # An id no database column can hold is just as unknown.
    found = Category.objects.filter(pk=data.category).first() if 0 < data.category < 2**63 else None
    if found is None:
        raise ValidationFailed({"category": [_("Unknown category.")]})
    return found


def _primary(user: User, ref: str) -> Case:
    ref = (ref or "").strip()
    if not ref:
        raise ValidationFailed({"primary": [_("Give the number or tracking code of the primary case.")]})
    primary = queries.find_case_ref(queries.visible_cases(user), ref)
    if primary is None:
        raise ValidationFailed({"primary": [_("No case has the number or tracking code “%(ref)s”.") % {"ref": ref}]})
    return primary


def perform(case: Case, user: User, action: str, data: ActionInput) -> Case:
    """Take the staff action named ``action``: the one door the staff pages and the staff API go through."""
    if action == Action.ACCEPT:
        return accept(case, user, data.note, _category(data))
    if action == Action.REJECT:
        return reject(case, user, data.reason)
    if action in (Action.DISPATCH, Action.REDISPATCH):
        lead, assists = _departments(data)
        send = dispatch if action == Action.DISPATCH else redispatch
        return send(case, user, lead, assists, data.note, _category(data))
    if action == Action.RETURN:
        return return_case(case, user, data.reason)
    if action == Action.START:
        return start(case, user)
    if action == Action.REPLY:
        return reply(case, user, data.body)
    if action == Action.CLOSE:
        return close(case, user, data.note)
    if action == Action.REOPEN:
        return reopen(case, user, data.reason)
    if action == Action.MERGE:
        return merge(case, user, _primary(user, data.primary))
    raise NotFound(_("There is no action “%(action)s”.") % {"action": action})


# --- Kind and category ----------------------------------------------------------------------------------------
# Who chose a kind or category decides who may change it: the analysis only what nobody chose or what it set itself;
# the submitter's choice and staff's are final for it (staff may still change either).
SYSTEM_MAY_SET = ("", Source.SYSTEM)


def check_kind(kind: str | None) -> None:
    if kind is not None and kind not in Kind.values:
        raise ValidationFailed({"kind": [_("Unknown kind.")]})


def check_category(category: Category | None) -> None:
    if category is not None and not category.active:
        raise ValidationFailed({"category": [_("This category is no longer in use.")]})


def _by_staff(case: Case, kind: str | None, category: Category | None) -> tuple[list[str], dict[str, Any]]:
    """Set ``kind`` and/or ``category`` on the locked ``case`` as staff's choice (unsaved). Returns the fields to
    save and the changed values (``{"kind": {"from": ..., "to": ...}}``) for the event and the signal."""
    fields: list[str] = []
    changes: dict[str, Any] = {}
    if kind is not None and (kind != case.kind or case.kind_source != Source.STAFF):
        if kind != case.kind:
            changes["kind"] = {"from": case.kind, "to": kind}
        case.kind, case.kind_source, case.kind_confidence = kind, Source.STAFF, None
        fields += ["kind", "kind_source", "kind_confidence"]
    if category is not None and (category.pk != case.category_id or case.category_source != Source.STAFF):
        if category.pk != case.category_id:
            changes["category"] = {"from": case.category_id, "to": category.pk, "name": category.name}
        case.category, case.category_source, case.category_confidence = category, Source.STAFF, None
        fields += ["category", "category_source", "category_confidence"]
    return fields, changes


def _reclassified(case: Case, changes: dict[str, Any], user: User | None) -> None:
    if changes:
        signals.cases_reclassified.send(sender=Case, changes=[(case, changes)], user=user)


@transaction.atomic
def reclassify(
    case: Case, *, kind: str | None = None, category: Category | None = None, user: User | None = None
) -> Case:
    """Staff set a case's kind and/or category (a correction of the analysis): final, the analysis never changes
    them again. Not a workflow move: the state stays; the caller records the correction as an event. The SLA
    follows through ``signals.case_reclassified``."""
    check_kind(kind)
    check_category(category)
    case = _locked(case)
    fields, changes = _by_staff(case, kind, category)
    if fields:
        case.save(update_fields=fields)
    _reclassified(case, changes, user)
    return case


@dataclass
class Finding:
    """What the analysis found about a case and is sure enough of to apply (``None``: nothing to apply)."""

    kind: str | None = None
    kind_confidence: float | None = None
    category: Category | None = None
    category_confidence: float | None = None
    # {"kind": "rules-2026.11", "category": "category-2026..."}: which model said so, for the event.
    models: dict[str, str] = field(default_factory=dict)
    # The urgency before and after this analysis, when it changed (it chooses the deadlines too).
    urgency: tuple[str, str] | None = None


def classify_by_system(found: Sequence[tuple[Case, Finding]]) -> dict[int, dict[str, Any]]:
    """Apply what the analysis found to each case where nobody chose (or the analysis itself set) the kind or the
    category, inside the caller's transaction; record each change as the system's internal event with the model,
    its confidence and the old and new values; tell other apps what changed, the urgency too (the SLA re-applies
    its policies). Returns the changes by case id (cases without any are left out).

    For a whole batch of the analysis at once: the cases' current kinds and categories are read again under a row
    lock in one query (a staff correction committed since the analysis read them is never overwritten), the
    changed rows are written in one statement and the events in another."""
    cases = {case.pk: (case, finding) for case, finding in found}
    current = Case.objects.filter(pk__in=list(cases)).order_by("pk").select_for_update(of=("self",))
    changes: dict[int, dict[str, Any]] = {}
    changed: list[Case] = []
    events: list[Event] = []
    now = timezone.now()
    for pk, *values in current.values_list("pk", *CLASSIFICATION):
        case, finding = cases[pk]
        for name, value in zip(CLASSIFICATION, values, strict=True):
            setattr(case, name, value)
        kind, category_id, category = case.kind, case.category_id, finding.category
        done: dict[str, Any] = {}
        set_kind = finding.kind is not None and _set_by_system(case, "kind", finding.kind, finding.kind_confidence)
        if set_kind and finding.kind != kind:
            done["kind"] = {"from": kind, "to": finding.kind, "confidence": finding.kind_confidence}
        set_category = category is not None and _set_by_system(case, "category", category, finding.category_confidence)
        if set_category and category is not None and category.pk != category_id:
            done["category"] = {
                "from": category_id,
                "to": category.pk,
                "name": category.name,
                "confidence": finding.category_confidence,
            }
        if set_kind or set_category:
            changed.append(case)
        if done:
            models = {name: finding.models.get(name, "") for name in done}
            events.append(
                Event(
                    case=case,
                    actor_kind=Actor.SYSTEM,
                    action="reclassified",
                    data={**done, "models": models},
                    created_at=now,
                )
            )
        if finding.urgency is not None and finding.urgency[0] != finding.urgency[1]:
            done["urgency"] = {"from": finding.urgency[0], "to": finding.urgency[1]}
        if done:
            changes[pk] = done
    update_rows(changed, CLASSIFICATION[1:])
    record_events(events)
    if changes:
        signals.cases_reclassified.send(
            sender=Case, changes=[(cases[pk][0], done) for pk, done in changes.items()], user=None
        )
    return changes


# What ``classify_by_system`` reads again and writes (the state first: it is only read).
CLASSIFICATION = (
    "state",
    "kind",
    "kind_source",
    "kind_confidence",
    "category_id",
    "category_source",
    "category_confidence",
)


def _set_by_system(case: Case, name: str, value: str | Category, confidence: float | None) -> bool:
    """Set ``case``'s ``name`` (kind or category) to ``value`` as the analysis's (unsaved), unless somebody chose
    it or it is already so. True when it changed."""
    source, rate = f"{name}_source", f"{name}_confidence"
    current, wanted = (case.category_id, value.pk) if isinstance(value, Category) else (case.kind, value)
    if getattr(case, source) not in SYSTEM_MAY_SET or (isinstance(value, Category) and not value.active):
        return False
    if getattr(case, source) == Source.SYSTEM and case.state in State.terminal():
        return False  # a finished case's figures stay as counted (history imported unclassified still gets one)
    if (current, getattr(case, rate), getattr(case, source)) == (wanted, confidence, Source.SYSTEM):
        return False  # already so
    setattr(case, name, value)
    setattr(case, source, Source.SYSTEM)
    setattr(case, rate, confidence)
    return True


# --- For the analysis app ------------------------------------------------------------------------------------


@transaction.atomic
def auto_dispatch(case: Case, lead: Department, data: dict[str, Any]) -> Case:
    """Accept (if still received) and dispatch ``case`` to ``lead`` as the system: the analysis is more sure of
    the department than the organisation's threshold. ``data`` (model version, confidence) goes into the events."""
    _check_departments(lead, [])
    case = _locked(case)
    if case.state == State.RECEIVED:
        move(case, Action.ACCEPT, actor=Actor.SYSTEM, data=data)
    dispatched = {"lead_department": lead.pk, "lead_department_name": lead.name, "assist_departments": [], **data}
    return move(case, Action.DISPATCH, actor=Actor.SYSTEM, data=dispatched, changes={"lead_department": lead})
