"""Recording a call or a visit at the desk: one door (receive), once per form, with the operator's decisions."""

from __future__ import annotations

import uuid

import pytest

from fankui.accounts.models import Role, User
from fankui.analysis import pipeline
from fankui.analysis.models import CaseAnalysis
from fankui.audit.models import Event
from fankui.cases.models import Case
from fankui.cases.workflow import State
from fankui.core.errors import PermissionDenied, ValidationFailed
from fankui.core.vocab import Channel
from fankui.desk.services import Call, record_call
from tests import factories


def call(**kwargs: object) -> Call:
    values: dict[str, object] = {
        "body": "请问居住证怎么办理，需要什么材料？",
        "token": uuid.uuid4().hex,
        "caller": "13812345678",
    }
    values.update(kwargs)
    return Call(**values)  # type: ignore[arg-type]


@pytest.mark.django_db
def test_a_call_opens_a_phone_case_with_the_callers_number(dispatcher: User) -> None:
    recorded = record_call(dispatcher, call(name="张先生", address="芙蓉区五一大道1号"))
    case = recorded.case
    assert recorded.created and case.state == State.RECEIVED
    assert case.submission.channel == Channel.PHONE
    assert (case.submission.contact_phone, case.submission.contact_name) == ("13812345678", "张先生")
    assert str(case.submission.idempotency_key).startswith("desk:")


@pytest.mark.django_db
def test_a_visit_at_a_service_window_is_recorded_as_one(dispatcher: User) -> None:
    assert record_call(dispatcher, call(channel=Channel.VISIT)).case.submission.channel == Channel.VISIT


@pytest.mark.django_db
def test_the_same_form_sent_twice_opens_one_case(dispatcher: User) -> None:
    first = call(answer="带身份证和租房合同到社区办理。", answer_now=True, emergency=True)
    one = record_call(dispatcher, first)
    two = record_call(dispatcher, first)
    assert one.case.pk == two.case.pk and not two.created
    assert Case.objects.count() == 1
    assert one.case.replies.count() == 1
    assert Event.objects.filter(case=one.case, action="flagged_emergency").count() == 1


@pytest.mark.django_db
def test_the_operators_emergency_stays_one_whatever_the_analysis_reads(dispatcher: User) -> None:
    # The rules see no emergency in these words; the operator heard one on the line.
    case = record_call(dispatcher, call(body="我家老人在家里情况不太好，请帮忙", emergency=True)).case
    analysis = CaseAnalysis.objects.get(case=case)
    assert analysis.urgency == "emergency" and analysis.urgency_reasons == ["operator"]
    event = Event.objects.get(case=case, action="flagged_emergency")
    assert event.actor == dispatcher and event.data["by"] == "operator"
    pipeline.analyse_pending()
    analysis.refresh_from_db()
    assert analysis.status == "done" and analysis.urgency == "emergency"
    assert Event.objects.filter(case=case, action="flagged_emergency").count() == 1


@pytest.mark.django_db
def test_an_emergency_the_rules_read_keeps_their_reasons(dispatcher: User) -> None:
    case = record_call(dispatcher, call(body="楼道里燃气泄漏了，味道很大", emergency=True)).case
    assert CaseAnalysis.objects.get(case=case).urgency_reasons == ["gas"]


@pytest.mark.django_db
def test_answered_at_first_contact_closes_the_new_case(dispatcher: User) -> None:
    recorded = record_call(dispatcher, call(answer="带身份证和租房合同到社区办理。", answer_now=True))
    assert recorded.answered and recorded.case.state == State.CLOSED


@pytest.mark.django_db
def test_closing_without_an_answer_stores_nothing(dispatcher: User) -> None:
    with pytest.raises(ValidationFailed) as refused:
        record_call(dispatcher, call(answer="  ", answer_now=True))
    assert "answer" in refused.value.errors
    assert not Case.objects.exists()


@pytest.mark.django_db
def test_an_administrator_may_record_but_not_answer_at_first_contact(centre: object) -> None:
    admin = factories.user(Role.ADMIN)
    assert record_call(admin, call()).case.state == State.RECEIVED
    with pytest.raises(PermissionDenied):
        record_call(admin, call(answer="带身份证办理。", answer_now=True))
    assert Case.objects.count() == 1


@pytest.mark.django_db
def test_a_department_handler_records_no_call(handler: User) -> None:
    with pytest.raises(PermissionDenied):
        record_call(handler, call())
    assert not Case.objects.exists()
