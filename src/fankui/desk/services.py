"""The operator's desk records a call (or a visit at a service window) through the one door of every channel,
``cases.services.receiving.receive``, and then, in the same transaction, what the operator decided during it: an
emergency flag (``analysis.services.mark_emergency``) and an answer given at first contact
(``cases.services.moves.answer_at_once``). The desk holds no rule of its own: what makes a text, a number or an
answer valid is the services' to say, field by field."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from fankui.accounts import permissions
from fankui.accounts.models import User
from fankui.analysis.models import CaseAnalysis, Urgency
from fankui.analysis.services import mark_emergency
from fankui.cases import workflow
from fankui.cases.models import Case
from fankui.cases.services import moves
from fankui.cases.services.receiving import receive
from fankui.cases.workflow import Action, State
from fankui.core.errors import PermissionDenied, ValidationFailed
from fankui.core.vocab import Channel
from fankui.intake.services import SubmissionInput
from fankui.nlp import rules

# The desk's idempotency keys live in their own namespace: neither a web form's nor an API client's key can match.
KEY_PREFIX = "desk:"
CHANNELS = (Channel.PHONE, Channel.VISIT)


@dataclass
class Call:
    """What the operator typed during one call or visit."""

    body: str
    token: str
    caller: str = ""
    name: str = ""
    title: str = ""
    kind: str = ""
    category: int | str | None = None
    address: str = ""
    channel: str = Channel.PHONE
    # The operator kept (or ticked) "emergency": the caller was told to call 110, 119 or 120.
    emergency: bool = False
    # The answer given during the call (直接答复办结); with ``answer_now`` the case is closed with it.
    answer: str = ""
    answer_now: bool = False
    language: str = ""
    reasons: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Recorded:
    case: Case
    created: bool
    emergency: bool
    answered: bool


def emergency_reasons(title: str, body: str) -> list[str]:
    """The urgency rules' reasons when the text reads as an emergency happening now (the same rules that flag a
    case for staff and tell a web submitter to call 110/119/120), else none."""
    found = rules.urgency(f"{title} {body}".strip())
    return found.reasons if found.level == Urgency.EMERGENCY else []


def may_answer_at_once(user: User) -> bool:
    """The workflow's table lets the user's role answer a new case at first contact (administrators may not)."""
    return workflow.allowed(State.RECEIVED, Action.ANSWER_AT_ONCE, permissions.role(user))


def record_call(user: User, call: Call) -> Recorded:
    """Open the case of ``call`` and apply what the operator decided during it, in one transaction: a failure of the
    answer (say, an empty one) stores nothing, so the operator corrects it and sends the same form again.

    The token of the rendered form is the idempotency key: a second Enter, or the browser sending the form again,
    returns the first case (and applies nothing twice)."""
    if not permissions.may_use_desk(user):
        raise PermissionDenied(_("Only the 12345 centre's staff record calls at the operator's desk."))
    errors: dict[str, list[str]] = {}
    if call.channel not in CHANNELS:
        errors["channel"] = [_("Choose phone or visit.")]
    if call.answer_now and not call.answer.strip():
        errors["answer"] = [_("Write the answer you gave, or record the call without closing it.")]
    if errors:
        raise ValidationFailed(errors)
    data = SubmissionInput(
        body=call.body,
        title=call.title,
        kind=call.kind,
        category=call.category,
        channel=call.channel,
        contact_name=call.name,
        contact_phone=call.caller,
        address=call.address,
        idempotency_key=KEY_PREFIX + call.token,
        language=call.language,
    )
    with transaction.atomic():
        case, created = receive(data)
        emergency = call.emergency and not _flagged(case)
        if emergency:
            reasons = call.reasons or emergency_reasons(case.submission.title, case.submission.body)
            mark_emergency(case, user, reasons)
        answered = call.answer_now and case.state in (State.RECEIVED, State.ACCEPTED)
        if answered:
            if not moves.can_act(user, case, Action.ANSWER_AT_ONCE):
                raise PermissionDenied(_("Your role may not answer a case at first contact."))
            case = moves.answer_at_once(case, user, call.answer)
    return Recorded(case=case, created=created, emergency=emergency, answered=answered)


def _flagged(case: Case) -> bool:
    analysis = CaseAnalysis.objects.filter(case=case).only("urgency", "model_versions").first()
    # Flagged by staff already: the same form sent twice, or a correction.
    return analysis is not None and (analysis.model_versions or {}).get("urgency") == "staff"
