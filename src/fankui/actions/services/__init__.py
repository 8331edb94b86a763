"""Every write of the actions app, one module a job:

- ``creating``: a new action, its fields checked one by one;
- ``moves``: the workflow's steps (each checks who may take it, ``workflow.TRANSITIONS`` and the department scope,
  changes the row and writes one ``ActionEvent``, in one transaction) and progress updates;
- ``linking``: cases linked by hand (through ``cases.queries.visible_cases``: nobody links a case they may not see)
  and a hot topic's new cases;
- ``sweeps``: warnings before deadlines and the verification once the effect is known.

This module holds what they share: who may act, the event record and the visible actions.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from fankui.accounts import permissions
from fankui.accounts.models import Department, Role, User
from fankui.core.errors import NotFound

from .. import workflow
from ..models import Action, ActionEvent, State
from ..workflow import MANAGER, OWNER, Step

MAX_TEXT = 10_000


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
    from ..indicators import result_due

    actors = actors_of(user, action)
    due = result_due(action)
    early = due is not None and timezone.now() < due
    return [
        t
        for t in workflow.TRANSITIONS
        if t.source == action.state and t.actors & actors and not (early and t.step == Step.VERIFY)
    ]


def may_change_cases(user: User, action: Action) -> bool:
    """Link cases to the action and unlink them: its managers and its owner."""
    return bool(actors_of(user, action) & (MANAGER | {OWNER}))


def cases_can_change(action: Action) -> bool:
    """A finished action's cases are its record: they no longer change."""
    return action.state not in (State.VERIFIED, State.ABANDONED)


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


def get_visible(user: User, pk: int) -> Action:
    if not 0 < pk < 2**63:
        raise NotFound(_("There is no such action."))
    action = visible_actions(user).select_related("owner", "department", "topic", "created_by").filter(pk=pk).first()
    if action is None:
        raise NotFound(_("There is no such action."))
    return action


def local_today() -> date:
    """Today where the organisation is (deadlines and milestones are days there)."""
    return timezone.localdate()


def plain_text(value: object, limit: int = MAX_TEXT) -> str:
    """Typed text without NUL bytes (no database stores them) and at most ``limit`` characters."""
    return str(value or "").replace("\x00", "").strip()[:limit]
