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
from fankui.core.rows import insert_objects, update_rows

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


Move = tuple[str, str, datetime]


def replay(case: Case, steps: Sequence[Step]) -> Case:
    """Bring a freshly created case to its recorded state, writing the events with their original times (the demo).
    ``replay_many`` of one."""
    replay_many([(case, steps)])
    return case


def replay_many(histories: Sequence[tuple[Case, Sequence[Step]]]) -> dict[int, list[Move]]:
    """Bring freshly created cases to their recorded states: the paths are validated against the workflow table, and
    the replies, the events (with their original times) and the cases' rows are each written in one statement for
    the whole batch. Side records follow the live services: a dispatch sets the lead department, a reply writes its
    Reply row, a merge points at the primary and notes it on the primary. No signal is sent: a caller that opens the
    cases passes the moves returned (``(source, target, at)`` per case id) on with ``cases_created``."""
    events: list[Event] = []
    answers: list[tuple[Reply, Step]] = []
    moved: list[Case] = []
    moves: dict[int, list[Move]] = {}
    for case, steps in histories:
        state = case.state
        path: list[Move] = []
        for step in steps:
            transition = workflow.find(state, step.action)
            if transition is None or step.actor not in transition.actors:
                raise Conflict(f"{step.action} by {step.actor} is not possible in state {state}")
            if step.action in (Action.DISPATCH, Action.REDISPATCH) and step.data.get("lead_department"):
                case.lead_department_id = step.data["lead_department"]
            elif step.action == Action.REPLY and step.reply.strip():
                answer = Reply(
                    case_id=case.pk,
                    author=step.user,
                    department_id=case.lead_department_id,
                    body=step.reply.strip(),
                    created_at=step.at,
                )
                # The event's data is this very dict: the Reply's id goes in once the batch is inserted.
                answers.append((answer, step))
            elif step.action == Action.MERGE and step.data.get("primary"):
                case.merged_into_id = step.data["primary"]
                events.append(
                    Event(
                        case_id=step.data["primary"],
                        actor_id=step.user.pk if step.user else None,
                        actor_kind="staff" if step.user else step.actor,
                        action="merge_in",
                        data={"duplicate": case.pk, "duplicate_number": case.number},
                        created_at=step.at,
                    )
                )
            events.append(
                Event(
                    case_id=case.pk,
                    actor_id=step.user.pk if step.user else None,
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
            path.append((state, transition.target, step.at))
            state = transition.target
            if step.action in (Action.MARK_SPAM, Action.UNMARK_SPAM):
                case.spam_kind = step.data.get("kind", "") if step.action == Action.MARK_SPAM else ""
            if step.action == Action.REPLY:
                case.replied_at = step.at
            if transition.target == State.CLOSED:
                case.closed_at = step.at
            elif transition.target == State.REOPENED:
                case.closed_at = None
        moves[case.pk] = path
        if steps:
            case.state = state
            case.state_changed_at = steps[-1].at
            moved.append(case)
    if answers:
        insert_objects([answer for answer, _step in answers])
        for answer, step in answers:
            step.data["reply"] = answer.pk
    record_events(events)
    update_rows(moved, CHANGED)
    return moves


# What a replay may change in a case's row.
CHANGED = ("state", "state_changed_at", "lead_department", "replied_at", "closed_at", "merged_into", "spam_kind")
