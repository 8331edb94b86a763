"""The workflow as data: which actor role may take which action in which state, and where it leads.

``cases.services`` is the only code that applies it; the tests walk every (state, action, role) combination.

Spam and abuse (垃圾信息, 恶意诉求) have a state of their own, ``spam``, not a rejection with a flag: a rejection is
an answer the submitter is owed and told (with its reason), counts as a response in the 响应率 and ends for good,
while a case marked as spam is owed nothing, is told nothing, leaves every rate, and a supervisor may take the
mark back (``unmark_spam``, back to ``received``). As a state, all of that is one row each in this table and one
value to filter on (rates, lists, the SLA), and the undo cannot reach a real rejection. Which of the two it is
(``Case.spam_kind``) is recorded on the case; the submitter's tracking page shows it as "not accepted"
(``portal.queries.PUBLIC_STATE``), without the staff's reason (the events are not public). docs/security.md.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

from fankui.accounts.models import Role


class State(models.TextChoices):
    RECEIVED = "received", _("Received")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")
    DISPATCHED = "dispatched", _("Dispatched")
    RETURNED = "returned", _("Returned")
    IN_PROGRESS = "in_progress", _("In progress")
    REPLIED = "replied", _("Replied")
    CLOSED = "closed", _("Closed")
    REOPENED = "reopened", _("Reopened")
    MERGED = "merged", _("Merged")
    SPAM = "spam", _("Spam or abuse")

    @classmethod
    def terminal(cls) -> frozenset[str]:
        return frozenset({cls.REJECTED, cls.CLOSED, cls.MERGED, cls.SPAM})


class Action(models.TextChoices):
    ACCEPT = "accept", _("Accept")
    REJECT = "reject", _("Reject")
    DISPATCH = "dispatch", _("Dispatch")
    REDISPATCH = "redispatch", _("Redispatch")
    RETURN = "return", _("Return")
    START = "start", _("Start handling")
    REPLY = "reply", _("Reply")
    RATE_SATISFIED = "rate_satisfied", _("Rated satisfied")
    RATE_UNSATISFIED = "rate_unsatisfied", _("Rated unsatisfied")
    CLOSE = "close", _("Close")
    REOPEN = "reopen", _("Reopen")
    MERGE = "merge", _("Merge")
    MARK_SPAM = "mark_spam", _("Mark as spam or abuse")
    UNMARK_SPAM = "unmark_spam", _("Undo the spam mark")
    # 直接答复办结: the operator answers the caller during the call (an inquiry, most often) and the case ends there.
    ANSWER_AT_ONCE = "answer_at_once", _("Answer at first contact")


class SpamKind(models.TextChoices):
    """Why a case was marked (``Action.MARK_SPAM``)."""

    SPAM = "spam", _("Spam")  # 垃圾信息: advertising, gibberish, test messages
    ABUSE = "abuse", _("Abuse")  # 恶意诉求: insults, harassment, repeated malicious submissions


class Actor(models.TextChoices):
    """Who may act besides the staff, whose roles are ``accounts.Role``: the submitter and the system itself."""

    CITIZEN = "citizen", _("Submitter")
    SYSTEM = "system", _("System")


S, A, R = State, Action, Role
TRIAGE = frozenset({R.DISPATCHER, R.SUPERVISOR})
DEPARTMENT = frozenset({R.HANDLER, R.DEPT_HEAD})
# Triage moves the system may also take: the analysis dispatches a case whose routing it is sure of, when the
# organisation turned that on (FANKUI_AUTO_DISPATCH_CONFIDENCE; see analysis.pipeline).
TRIAGE_OR_SYSTEM = TRIAGE | frozenset({Actor.SYSTEM})


@dataclass(frozen=True)
class Transition:
    source: State
    action: Action
    target: State
    # Staff roles (``accounts.Role``) and ``Actor``s.
    actors: frozenset[str]
    # The action is shown on the submitter's timeline.
    public: bool = True
    # The action needs a reason that is stored with its event.
    needs_reason: bool = False


TRANSITIONS: tuple[Transition, ...] = (
    Transition(S.RECEIVED, A.ACCEPT, S.ACCEPTED, TRIAGE_OR_SYSTEM),
    Transition(S.RECEIVED, A.REJECT, S.REJECTED, TRIAGE, needs_reason=True),
    Transition(S.RECEIVED, A.MERGE, S.MERGED, TRIAGE),
    Transition(S.ACCEPTED, A.DISPATCH, S.DISPATCHED, TRIAGE_OR_SYSTEM),
    Transition(S.ACCEPTED, A.REJECT, S.REJECTED, TRIAGE, needs_reason=True),
    Transition(S.ACCEPTED, A.MERGE, S.MERGED, TRIAGE),
    Transition(S.DISPATCHED, A.START, S.IN_PROGRESS, DEPARTMENT),
    Transition(S.DISPATCHED, A.RETURN, S.RETURNED, DEPARTMENT, public=False, needs_reason=True),
    Transition(S.DISPATCHED, A.REDISPATCH, S.DISPATCHED, TRIAGE),
    Transition(S.DISPATCHED, A.MERGE, S.MERGED, TRIAGE),
    Transition(S.RETURNED, A.REDISPATCH, S.DISPATCHED, TRIAGE),
    Transition(S.RETURNED, A.REJECT, S.REJECTED, TRIAGE, needs_reason=True),
    Transition(S.RETURNED, A.MERGE, S.MERGED, TRIAGE),
    Transition(S.IN_PROGRESS, A.REPLY, S.REPLIED, DEPARTMENT),
    Transition(S.IN_PROGRESS, A.RETURN, S.RETURNED, DEPARTMENT, public=False, needs_reason=True),
    Transition(S.REPLIED, A.RATE_SATISFIED, S.CLOSED, frozenset({Actor.CITIZEN})),
    Transition(S.REPLIED, A.RATE_UNSATISFIED, S.REOPENED, frozenset({Actor.CITIZEN})),
    Transition(S.REPLIED, A.CLOSE, S.CLOSED, frozenset({Actor.SYSTEM, R.SUPERVISOR})),
    Transition(S.REPLIED, A.REOPEN, S.REOPENED, frozenset({R.SUPERVISOR}), needs_reason=True),
    Transition(S.CLOSED, A.REOPEN, S.REOPENED, frozenset({R.SUPERVISOR}), needs_reason=True),
    Transition(S.REOPENED, A.START, S.IN_PROGRESS, DEPARTMENT),
    Transition(S.REOPENED, A.REPLY, S.REPLIED, DEPARTMENT),
    # Spam and abuse: never public (the submitter is told nothing), always with the staff's reason. Triage marks
    # what it still holds; a case already with a department only a supervisor, who alone takes a mark back.
    *(
        Transition(state, A.MARK_SPAM, S.SPAM, TRIAGE, public=False, needs_reason=True)
        for state in (S.RECEIVED, S.ACCEPTED, S.RETURNED)
    ),
    *(
        Transition(state, A.MARK_SPAM, S.SPAM, frozenset({R.SUPERVISOR}), public=False, needs_reason=True)
        for state in (S.DISPATCHED, S.IN_PROGRESS)
    ),
    Transition(S.SPAM, A.UNMARK_SPAM, S.RECEIVED, frozenset({R.SUPERVISOR}), public=False, needs_reason=True),
    # Answered at first contact (直接答复办结): the centre's operator answers while the caller is on the line, the
    # answer is the case's reply (the submitter is sent it and reads it on the tracking page) and the case is closed
    # at once: no department is involved and no rating is asked (the caller heard the answer; 回访 may follow by
    # phone). Counted in the figures as "answered at first contact" (docs/desk.md).
    *(Transition(state, A.ANSWER_AT_ONCE, S.CLOSED, TRIAGE) for state in (S.RECEIVED, S.ACCEPTED)),
)

# The workflow steps whose message is written for the submitter: a rejection's reason (they are told it) and their
# own rating comment. Every other step's note (accept, dispatch, redispatch, close, reopen) is written by staff for
# staff: the submitter sees the step on their timeline, never its note. Other apps' public events carry only words
# for the submitter in their message (staff notes go in ``data``).
CITIZEN_MESSAGES = frozenset({A.REJECT, A.RATE_SATISFIED, A.RATE_UNSATISFIED})


def message_is_public(action: str) -> bool:
    """Whether a public event's message is for the submitter's eyes (``CITIZEN_MESSAGES``)."""
    return action not in Action.values or action in CITIZEN_MESSAGES


_BY_KEY: dict[tuple[str, str], Transition] = {(t.source, t.action): t for t in TRANSITIONS}
assert len(_BY_KEY) == len(TRANSITIONS), "one transition per (state, action)"


def find(state: str, action: str) -> Transition | None:
    return _BY_KEY.get((state, action))


def allowed(state: str, action: str, actor: str) -> bool:
    transition = find(state, action)
    return transition is not None and actor in transition.actors


def actions_for(state: str, actor: str) -> list[Transition]:
    return [t for t in TRANSITIONS if t.source == state and actor in t.actors]
