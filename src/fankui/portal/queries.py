"""What the submitter sees of a case, in one shape for the tracking page and the public API.

``cases.queries.public_view`` picks the case, the case it follows and the public events; this module turns them
into citizen wording. It never carries a staff name, an internal event or the staff-only case number.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fankui.audit import labels
from fankui.audit.models import Event
from fankui.cases.models import Case, Reply
from fankui.cases.queries import public_view
from fankui.cases.workflow import Action, Actor, State, message_is_public

# Citizen wording of the timeline: what happened to the request, in the past tense.
LABELS: dict[str, Promise] = {
    "receive": gettext_lazy("Received"),
    Action.ACCEPT: gettext_lazy("Accepted"),
    Action.REJECT: gettext_lazy("Not accepted"),
    Action.DISPATCH: gettext_lazy("Sent to the responsible department"),
    Action.REDISPATCH: gettext_lazy("Sent to another department"),
    Action.START: gettext_lazy("Being handled"),
    Action.REPLY: gettext_lazy("Replied"),
    Action.RATE_SATISFIED: gettext_lazy("Rated satisfied"),
    Action.RATE_UNSATISFIED: gettext_lazy("Rated unsatisfied; handled again"),
    Action.CLOSE: gettext_lazy("Closed"),
    Action.REOPEN: gettext_lazy("Reopened"),
    Action.MERGE: gettext_lazy("Merged with a request on the same problem"),
    Action.ANSWER_AT_ONCE: gettext_lazy("Answered during the call and closed"),
}


@dataclass(frozen=True)
class TimelineEntry:
    action: str
    label: str
    at: datetime
    message: str
    department: str
    reply_id: int | None = None


@dataclass(frozen=True)
class PublicReply:
    id: int
    body: str
    at: datetime
    department: str


@dataclass(frozen=True)
class Tracking:
    tracking_code: str
    display_code: str
    state: str
    state_label: str
    kind: str
    kind_label: str
    title: str
    submitted_text: str
    received_at: datetime
    merged: bool
    timeline: list[TimelineEntry]
    replies: list[PublicReply]
    can_rate: bool


def _label(action: str) -> str:
    if action in LABELS:
        return str(LABELS[action])
    registered = labels.words(action)
    if registered is not None:
        return str(registered.public or registered.staff)
    return str(Action(action).label) if action in Action.values else action


def _entry(event: Event, case: Case, replies: dict[int, PublicReply]) -> TimelineEntry:
    data = event.data if isinstance(event.data, dict) else {}
    # A staff note written with a public step (accept, dispatch...) is internal: only words meant for the submitter.
    message = event.message if message_is_public(event.action) else ""
    if event.case_id != case.pk and event.actor_kind == Actor.CITIZEN:
        # On the followed case, a citizen's words (a rating comment) belong to another person.
        message = ""
    elif not message and event.action == Action.CLOSE and data.get("reason") == "rating_window_passed":
        message = _("Closed automatically: the time to rate the reply has passed.")
    elif not message and event.action == "sla_resumed" and data.get("reason") == "no_answer":
        message = _("No answer came within %(days)s working days; we go on with what we have.") % {
            "days": data.get("days", "")
        }
    department = str(data.get("lead_department_name") or "")
    reply_id = data.get("reply") if event.action in (Action.REPLY, Action.ANSWER_AT_ONCE) else None
    if isinstance(reply_id, int) and reply_id in replies:
        department = department or replies[reply_id].department
    else:
        reply_id = None
    return TimelineEntry(
        action=event.action,
        label=_label(event.action),
        at=event.created_at,
        message=message,
        department=department,
        reply_id=reply_id,
    )


def _reply(reply: Reply) -> PublicReply:
    return PublicReply(
        id=reply.pk,
        body=reply.body,
        at=reply.created_at,
        department=reply.department.name if reply.department else "",
    )


# States the submitter is not shown as such: a return is the departments' internal matter (the case goes back to
# triage and on to another department), so to the submitter the request is still being handled.
# Spam and abuse are shown as "not accepted" (不予受理), neutrally: the submitter is not told what staff decided it
# was, nor why (those events are not public).
PUBLIC_STATE: dict[str, State] = {State.RETURNED: State.IN_PROGRESS, State.SPAM: State.REJECTED}


def public_state(state: str) -> State:
    return PUBLIC_STATE.get(state, State(state))


def tracking(case: Case) -> Tracking:
    """The submitter's view of ``case``: their own request, and the progress of the case they follow (the primary,
    once theirs was merged)."""
    view = public_view(case)
    followed: Case = view["followed"]
    replies = {reply.id: reply for reply in map(_reply, view["replies"])}
    state = public_state(followed.state)
    return Tracking(
        tracking_code=case.tracking_code,
        display_code=case.display_code,
        state=state.value,
        state_label=str(state.label),
        # A kind nobody set yet is the model's placeholder (complaint): a thank-you note must not read "complaint".
        kind=case.kind if case.kind_source else "",
        kind_label=str(case.get_kind_display()) if case.kind_source else "",
        title=case.submission.title,
        submitted_text=case.submission.body,
        received_at=case.created_at,
        merged=followed.pk != case.pk,
        timeline=[_entry(event, case, replies) for event in view["events"]],
        replies=list(replies.values()),
        can_rate=bool(view["can_rate"]),
    )
