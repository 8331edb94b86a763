"""督办: supervisors flag cases and add instructions; nobody else can."""

from __future__ import annotations

import pytest

from fankui.accounts.models import Department, User
from fankui.audit.models import Event
from fankui.core.errors import Conflict, PermissionDenied, ValidationFailed
from fankui.sla.models import Supervision
from fankui.sla.services import supervision as sla_supervision
from tests import factories


def test_a_supervisor_flags_a_case_and_adds_instructions(policies: int, supervisor: User) -> None:
    case = factories.case()
    sla_supervision.supervise(case, supervisor, "请三日内办结。")
    sla_supervision.add_instruction(case, supervisor, "已约谈，加快进度。")
    supervision = Supervision.objects.get(case=case)
    assert supervision.active and supervision.instruction == "已约谈，加快进度。"
    actions = list(Event.objects.filter(case=case, action__startswith="sla_").values_list("action", flat=True))
    assert actions == ["sla_supervised", "sla_instruction"]
    sla_supervision.unsupervise(case, supervisor)
    assert not Supervision.objects.get(case=case).active
    with pytest.raises(Conflict):
        sla_supervision.add_instruction(case, supervisor, "x")


def test_others_may_not_supervise(policies: int, handler: User, dispatcher: User) -> None:
    case = factories.case()
    for user in (handler, dispatcher):
        with pytest.raises(PermissionDenied):
            sla_supervision.supervise(case, user, "x")


def test_an_instruction_is_required(policies: int, supervisor: User, dept: Department) -> None:
    with pytest.raises(ValidationFailed):
        sla_supervision.supervise(factories.case(), supervisor, " ")
