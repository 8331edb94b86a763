"""History imports: a past case brought to its recorded state, checked against the workflow table."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from fankui.accounts.models import User
from fankui.audit.models import Event
from fankui.audit.services import record_events
from fankui.core.errors import Conflict

from .. import workflow
from ..models import Case, Reply
from ..workflow import Action, State


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
        if step.action in (Action.MARK_SPAM, Action.UNMARK_SPAM):
            case.spam_kind = step.data.get("kind", "") if step.action == Action.MARK_SPAM else ""
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
