"""Supervision (督办): a supervisor flags a case with an instruction to its lead department."""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fankui.accounts.models import User
from fankui.audit.services import record_event
from fankui.cases.models import Case
from fankui.cases.services import locked
from fankui.core.errors import Conflict, PermissionDenied

from ..models import Supervision
from . import MAX_TEXT, may_supervise, required_text


def _check_supervisor(user: User) -> None:
    if not may_supervise(user):
        raise PermissionDenied(_("Only supervisors supervise cases."))


@transaction.atomic
def supervise(case: Case, user: User, instruction: str) -> Supervision:
    _check_supervisor(user)
    case = locked(case)
    instruction = required_text(instruction, "instruction")
    now = timezone.now()
    supervision, created = Supervision.objects.get_or_create(
        case=case, defaults={"flagged_by": user, "flagged_at": now, "instruction": instruction}
    )
    if not created:
        supervision.active = True
        supervision.instruction = instruction
        supervision.save()
    event = record_event(case, "sla_supervised", actor=user, message=instruction)
    _tell_lead_department_of_supervision(case, instruction, event.pk, user)
    return supervision


def _tell_lead_department_of_supervision(case: Case, instruction: str, event_id: int, user: User) -> None:
    """督办 is addressed to the lead department: its handlers and heads are told, with the instruction."""
    from fankui.cases import notices

    facts = {"number": case.number, "instruction": instruction}

    def compose() -> tuple[str, str]:
        subject = _("Case %(number)s is under supervision") % facts
        body = _("A supervisor put case %(number)s under supervision. Instruction: %(instruction)s") % facts
        return subject, body

    recipients = notices.department_staff([case.lead_department])
    key = f"sla:supervised:{event_id}"
    notices.tell(recipients, "staff:sla:supervised", facts, compose, case=case, key=key, actor=user)


@transaction.atomic
def add_instruction(case: Case, user: User, instruction: str) -> Supervision:
    _check_supervisor(user)
    instruction = required_text(instruction, "instruction")
    supervision = Supervision.objects.select_for_update().filter(case=case, active=True).first()
    if supervision is None:
        raise Conflict(_("This case is not under supervision."))
    supervision.instruction = instruction
    supervision.save()
    record_event(case, "sla_instruction", actor=user, message=instruction)
    return supervision


@transaction.atomic
def unsupervise(case: Case, user: User, note: str = "") -> None:
    _check_supervisor(user)
    updated = Supervision.objects.filter(case=case, active=True).update(active=False)
    if not updated:
        raise Conflict(_("This case is not under supervision."))
    record_event(case, "sla_unsupervised", actor=user, message=(note or "").strip()[:MAX_TEXT])


def mask_instructions(case: Case, mask: Callable[[str], str]) -> None:
    """Pass the supervisor's instruction on ``case`` through ``mask``: the submitter's personal data was erased
    (privacy.services); a supervisor may have quoted it."""
    for supervision in Supervision.objects.filter(case=case):
        supervision.instruction = mask(supervision.instruction)
        supervision.save(update_fields=["instruction"])
