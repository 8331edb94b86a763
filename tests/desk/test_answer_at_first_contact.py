"""直接答复办结: the operator answers the caller during the call and the case closes at once (a workflow move)."""

from __future__ import annotations

import pytest

from fankui.accounts.models import Department, User
from fankui.audit.models import Event
from fankui.cases.services import moves
from fankui.cases.workflow import Action, State
from fankui.core.errors import Conflict, PermissionDenied, ValidationFailed
from fankui.notify.models import Message
from fankui.portal.queries import tracking
from tests import factories

ANSWER = "办理居住证需携带身份证、租房合同，到社区服务中心办理，当场受理。"


@pytest.mark.django_db
def test_the_answer_is_the_reply_and_the_case_closes_at_once(dispatcher: User, centre: Department) -> None:
    case = factories.case("请问居住证怎么办理？", contact_phone="13812345678")
    moves.answer_at_once(case, dispatcher, ANSWER)
    case.refresh_from_db()
    assert case.state == State.CLOSED
    assert case.closed_at is not None and case.replied_at == case.closed_at
    reply = case.replies.get()
    assert (reply.body, reply.author, reply.department) == (ANSWER, dispatcher, centre)
    event = Event.objects.filter(case=case).order_by("-id").first()
    assert event is not None and event.action == Action.ANSWER_AT_ONCE and event.public
    assert event.data == {"reply": reply.pk}


@pytest.mark.django_db
def test_the_submitter_reads_the_answer_on_the_tracking_page_and_is_sent_it(dispatcher: User) -> None:
    case = factories.case("请问居住证怎么办理？", contact_phone="13812345678")
    moves.answer_at_once(case, dispatcher, ANSWER)
    view = tracking(case)
    assert [r.body for r in view.replies] == [ANSWER]
    assert view.timeline[-1].action == Action.ANSWER_AT_ONCE and view.timeline[-1].reply_id is not None
    assert not view.can_rate
    message = Message.objects.get(case_id=case.pk, key__contains="reply")
    assert ANSWER in message.body and case.display_code in message.body


@pytest.mark.django_db
def test_an_empty_answer_is_refused_and_changes_nothing(dispatcher: User) -> None:
    case = factories.case("请问居住证怎么办理？")
    with pytest.raises(ValidationFailed) as refused:
        moves.answer_at_once(case, dispatcher, "   ")
    assert "body" in refused.value.errors
    case.refresh_from_db()
    assert case.state == State.RECEIVED and not case.replies.exists()


@pytest.mark.django_db
def test_a_department_handler_may_not_answer_at_first_contact(handler: User) -> None:
    case = factories.case("请问居住证怎么办理？")
    with pytest.raises(PermissionDenied):
        moves.answer_at_once(case, handler, ANSWER)
    case.refresh_from_db()
    assert case.state == State.RECEIVED and not case.replies.exists()


@pytest.mark.django_db
def test_a_case_answered_at_first_contact_is_not_reopened_for_nobody(dispatcher: User, supervisor: User) -> None:
    case = factories.case("请问居住证怎么办理？")
    moves.answer_at_once(case, dispatcher, ANSWER)
    with pytest.raises(Conflict):
        moves.reopen(case, supervisor, "答复有误")
    case.refresh_from_db()
    assert case.state == State.CLOSED
