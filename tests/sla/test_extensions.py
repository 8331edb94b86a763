"""延期: the lead department asks for more time before the deadline; a supervisor approves or refuses."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from fankui.accounts.models import Department, User
from fankui.audit.models import Event
from fankui.core.errors import Conflict, PermissionDenied, ValidationFailed
from fankui.notify.models import Message
from fankui.sla.models import Clock, Extension, Stage
from fankui.sla.services import extensions
from tests import factories

SH = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def case(policies: int, dispatcher: User, handler: User, dept: Department) -> object:
    return factories.case_in("in_progress", dispatcher=dispatcher, lead=dept, handler=handler)


def test_an_approved_extension_moves_the_reply_deadline_and_tells_the_citizen(
    case: object, handler: User, supervisor: User
) -> None:
    extension = extensions.request_extension(case, handler, 5, "需要协调供电公司。")
    extensions.decide_extension(extension.pk, supervisor, approve=True, note="同意")
    clock = Clock.objects.get(case=case, stage=Stage.REPLY, stopped_at__isnull=True)
    # 3 December + 5 working days = 10 December.
    assert clock.deadline == dt.datetime(2026, 12, 10, 17, 30, tzinfo=SH)
    extension.refresh_from_db()
    assert extension.status == "approved" and extension.new_deadline == clock.deadline
    event = Event.objects.get(case=case, action="sla_extension_approved")
    assert event.public and event.data["new_deadline"] == "2026-12-10 17:30"


def test_a_refused_extension_changes_nothing(case: object, handler: User, supervisor: User) -> None:
    before = Clock.objects.get(case=case, stage=Stage.REPLY, stopped_at__isnull=True).deadline
    extension = extensions.request_extension(case, handler, 5, "需要协调。")
    extensions.decide_extension(extension.pk, supervisor, approve=False, note="请按期办理")
    assert Clock.objects.get(case=case, stage=Stage.REPLY, stopped_at__isnull=True).deadline == before
    assert not Event.objects.get(case=case, action="sla_extension_refused").public


def test_an_extension_must_be_asked_before_the_deadline(case: object, handler: User) -> None:
    with time_machine.travel(dt.datetime(2026, 12, 4, 9, 0, tzinfo=SH), tick=False), pytest.raises(Conflict):
        extensions.request_extension(case, handler, 5, "来不及了")


@pytest.mark.parametrize(("days", "reason"), [(0, "x"), (-1, "x"), (61, "x"), (None, "x"), (3, "  ")])
def test_bad_requests_are_refused(case: object, handler: User, days: int | None, reason: str) -> None:
    with pytest.raises(ValidationFailed):
        extensions.request_extension(case, handler, days, reason)


def test_only_the_lead_department_asks_and_only_supervisors_decide(
    case: object, handler: User, dispatcher: User, other_dept: Department
) -> None:
    from fankui.accounts.models import Role

    with pytest.raises(PermissionDenied):
        extensions.request_extension(case, factories.user(Role.HANDLER, other_dept), 3, "x")
    extension = extensions.request_extension(case, handler, 3, "x")
    with pytest.raises(PermissionDenied):
        extensions.decide_extension(extension.pk, handler, approve=True)
    with pytest.raises(PermissionDenied):
        extensions.decide_extension(extension.pk, dispatcher, approve=True)


def test_one_pending_request_at_a_time_and_one_decision(case: object, handler: User, supervisor: User) -> None:
    extension = extensions.request_extension(case, handler, 3, "x")
    with pytest.raises(Conflict):
        extensions.request_extension(case, handler, 3, "y")
    extensions.decide_extension(extension.pk, supervisor, approve=True)
    with pytest.raises(Conflict):
        extensions.decide_extension(extension.pk, supervisor, approve=False)
    assert Extension.objects.filter(case=case).count() == 1


def test_the_citizen_with_an_address_is_told_the_new_date(
    policies: int, dispatcher: User, handler: User, dept: Department, supervisor: User
) -> None:
    from fankui.cases.services import moves

    case = factories.case(contact_email="a@example.org", contact_name="王")
    moves.accept(case, dispatcher)
    moves.dispatch(case, dispatcher, dept)
    extension = extensions.request_extension(case, handler, 2, "x")
    extensions.decide_extension(extension.pk, supervisor, approve=True)
    message = Message.objects.get(case_id=case.pk, key=f"sla:extension:{extension.pk}")
    assert "2026-12-07" in message.body


def test_the_citizen_reads_the_new_date_not_the_supervisors_note(case: object, handler: User, supervisor: User) -> None:
    from fankui.audit import labels

    extension = extensions.request_extension(case, handler, 5, "需要协调。")
    extensions.decide_extension(extension.pk, supervisor, approve=True, note="内部：下不为例")
    event = labels.with_words([Event.objects.get(case=case, action="sla_extension_approved")])[0]
    assert event.message == "2026-12-10 17:30"
    words = labels.words("sla_extension_approved")
    assert words is not None and words.detail is not None
    assert "内部：下不为例" in words.detail(event)
