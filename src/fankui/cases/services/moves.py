"""The workflow's moves. Each locks the case row, checks the move against ``workflow.TRANSITIONS`` with the
actor's role and department, changes the state and writes one event, all in one transaction; ``perform`` takes
a staff action by its name."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fankui.accounts import permissions
from fankui.accounts.models import Department, User
from fankui.audit.services import record_event
from fankui.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed

from .. import queries, signals, workflow
from ..models import Case, Category, Reply
from ..workflow import Action, Actor, SpamKind, State
from . import MAX_TEXT, locked
from .classification import by_staff, check_category, reclassified


# --- Who may act -----------------------------------------------------------------------------------------------
def can_act(user: User, case: Case, action: str) -> bool:
    """The table allows ``user``'s role to take ``action`` now; department actions also need the case's lead
    department to be the user's (a head's: in the head's subtree)."""
    transition = workflow.find(case.state, action)
    if transition is None or permissions.role(user) not in transition.actors:
        return False
    if action == Action.REOPEN and case.lead_department_id is None:
        return False  # answered at first contact: no department would handle it again (``reopen`` says why)
    if transition.actors <= workflow.DEPARTMENT:
        return permissions.in_department(user, case.lead_department)
    return True


def available_actions(case: Case, user: User) -> list[workflow.Transition]:
    return [t for t in workflow.actions_for(case.state, permissions.role(user)) if can_act(user, case, t.action)]


# --- The workflow ---------------------------------------------------------------------------------------------


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
    fields, changed = by_staff(case, None, category)
    data = {**(data or {}), **changed}
    move(
        case,
        action,
        user=user,
        message=message,
        data=data or None,
        changes={**(changes or {}), **{name: getattr(case, name) for name in fields}},
    )
    reclassified(case, changed, user)
    return case


@transaction.atomic
def accept(case: Case, user: User, note: str = "", category: Category | None = None) -> Case:
    return _move_with_category(locked(case), Action.ACCEPT, user, category, message=_reason(note))


@transaction.atomic
def reject(case: Case, user: User, reason: str) -> Case:
    return move(locked(case), Action.REJECT, user=user, message=_reason(reason))


def _check_departments(lead: Department | None, assists: Iterable[Department]) -> list[Department]:
    if lead is None:
        raise ValidationFailed({"lead_department": [_("Choose the lead department.")]})
    if not lead.active:
        raise ValidationFailed({"lead_department": [_("This department is no longer active.")]})
    others = [d for d in dict.fromkeys(assists) if d.pk != lead.pk]
    if any(not d.active for d in others):
        raise ValidationFailed({"assist_departments": [_("An assisting department is no longer active.")]})
    return others


@transaction.atomic
def dispatch(
    case: Case,
    user: User,
    lead: Department | None,
    assists: Sequence[Department] = (),
    note: str = "",
    category: Category | None = None,
    *,
    action: str = Action.DISPATCH,
) -> Case:
    """Send ``case`` to its lead department (and assisting ones); ``action=Action.REDISPATCH`` sends it elsewhere
    after a first dispatch or a return."""
    others = _check_departments(lead, assists)
    case = locked(case)
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
def return_case(case: Case, user: User, reason: str) -> Case:
    return move(
        locked(case),
        Action.RETURN,
        user=user,
        message=_reason(reason),
        data={"department": user.department_id},
    )


@transaction.atomic
def start(case: Case, user: User) -> Case:
    return move(locked(case), Action.START, user=user)


@transaction.atomic
def reply(case: Case, user: User, body: str) -> Case:
    text = _answer_text(body)
    case = locked(case)
    now = timezone.now()
    # Written before the move so its id goes into the event; a refused move rolls both back.
    answer = Reply.objects.create(case=case, author=user, department=case.lead_department, body=text, created_at=now)
    return move(case, Action.REPLY, user=user, changes={"replied_at": now}, data={"reply": answer.pk})


def _answer_text(body: str) -> str:
    text = (body or "").strip()
    if not text:
        raise ValidationFailed({"body": [_("Please write the reply.")]})
    if len(text) > MAX_TEXT:
        raise ValidationFailed({"body": [_("At most %(n)d characters.") % {"n": MAX_TEXT}]})
    return text


@transaction.atomic
def answer_at_once(case: Case, user: User, body: str) -> Case:
    """Answer at first contact (直接答复办结): the centre's operator answered the caller during the call. The answer
    is the case's reply, written by the operator for their own department (the centre), so the tracking page shows
    it and the submitter is sent it (``portal.notices``); the case closes at once."""
    text = _answer_text(body)
    case = locked(case)
    now = timezone.now()
    # Written before the move so its id goes into the event; a refused move rolls both back.
    answer = Reply.objects.create(case=case, author=user, department=user.department, body=text, created_at=now)
    return move(
        case,
        Action.ANSWER_AT_ONCE,
        user=user,
        changes={"replied_at": now, "closed_at": now},
        data={"reply": answer.pk},
    )


@transaction.atomic
def reopen(case: Case, user: User, reason: str) -> Case:
    case = locked(case)
    if case.state == State.CLOSED and case.lead_department_id is None:
        # Answered at first contact: no department ever had it, so a reopened case would wait for nobody. The
        # caller's next call is a new case (the desk shows this one in their history).
        raise Conflict(_("This case was answered at first contact and has no department to handle it again."))
    return move(case, Action.REOPEN, user=user, message=_reason(reason), changes={"closed_at": None})


@transaction.atomic
def close(case: Case, user: User, note: str = "") -> Case:
    return move(locked(case), Action.CLOSE, user=user, message=_reason(note), changes={"closed_at": timezone.now()})


def apply_rating(case: Case, satisfied: bool, data: dict[str, Any]) -> Case:
    """The submitter's rating moves the case: satisfied closes it, unsatisfied reopens it (called by surveys,
    inside its transaction, with ``case`` locked). The comment is not copied into the event: ``data`` refers to the
    rating's row."""
    if satisfied:
        return move(
            case,
            Action.RATE_SATISFIED,
            actor=Actor.CITIZEN,
            data=data,
            changes={"closed_at": timezone.now()},
        )
    return move(case, Action.RATE_UNSATISFIED, actor=Actor.CITIZEN, data=data)


@transaction.atomic
def merge(case: Case, user: User, primary: Case) -> Case:
    """Make ``case`` a duplicate (并单) of ``primary``; its submitter follows the primary from now on."""
    if primary.pk == case.pk:
        raise ValidationFailed({"primary": [_("A case cannot be merged into itself.")]})
    primary = Case.objects.select_for_update().get(pk=primary.pk)
    if primary.state in (State.MERGED, State.REJECTED, State.SPAM):
        raise Conflict(
            _("Case %(number)s cannot take duplicates: it is “%(state)s”.")
            % {"number": primary.number, "state": State(primary.state).label}
        )
    case = locked(case)
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


@transaction.atomic
def mark_spam(case: Case, user: User, kind: str, reason: str) -> Case:
    """Mark ``case`` as spam or abuse (``kind``, a ``SpamKind``): it ends without a reply, its clocks stop, its
    submitter is told nothing and it leaves the rates (``actions.rates``). The reason stays with the staff."""
    if kind not in SpamKind.values:
        raise ValidationFailed({"spam_kind": [_("Choose spam or abuse.")]})
    return move(
        locked(case),
        Action.MARK_SPAM,
        user=user,
        message=_reason(reason),
        data={"kind": kind},
        changes={"spam_kind": kind},
    )


@transaction.atomic
def unmark_spam(case: Case, user: User, reason: str) -> Case:
    """Take back a wrong spam or abuse mark: the case is received again and its clocks start again."""
    case = locked(case)
    kind = case.spam_kind
    return move(
        case, Action.UNMARK_SPAM, user=user, message=_reason(reason), data={"kind": kind}, changes={"spam_kind": ""}
    )


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
    Action.MARK_SPAM,
    Action.UNMARK_SPAM,
    Action.ANSWER_AT_ONCE,
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
    # mark_spam: ``SpamKind``.
    spam_kind: str = ""


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
        return dispatch(case, user, lead, assists, data.note, _category(data), action=action)
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
    if action == Action.MARK_SPAM:
        return mark_spam(case, user, data.spam_kind, data.reason)
    if action == Action.UNMARK_SPAM:
        return unmark_spam(case, user, data.reason)
    if action == Action.ANSWER_AT_ONCE:
        return answer_at_once(case, user, data.body)
    raise NotFound(_("There is no action “%(action)s”.") % {"action": action})


# --- For the analysis app ------------------------------------------------------------------------------------


@transaction.atomic
def auto_dispatch(case: Case, lead: Department, data: dict[str, Any]) -> Case:
    """Accept (if still received) and dispatch ``case`` to ``lead`` as the system: the analysis is more sure of
    the department than the organisation's threshold. ``data`` (model version, confidence) goes into the events."""
    _check_departments(lead, [])
    case = locked(case)
    if case.state == State.RECEIVED:
        move(case, Action.ACCEPT, actor=Actor.SYSTEM, data=data)
    dispatched = {"lead_department": lead.pk, "lead_department_name": lead.name, "assist_departments": [], **data}
    return move(case, Action.DISPATCH, actor=Actor.SYSTEM, data=dispatched, changes={"lead_department": lead})


def mask_replies(case: Case, mask: Callable[[str], str]) -> None:
    """Pass the case's replies through ``mask``: the submitter's personal data was erased (privacy.services)."""
    for reply in Reply.objects.filter(case=case):
        reply.body = mask(reply.body)
        reply.save(update_fields=["body"])
