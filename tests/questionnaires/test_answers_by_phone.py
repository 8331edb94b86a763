"""Answers by phone (services.phone): the same rules as the public page (answering.submit), channel ``phone``, the
operator's act in the audit trail, the anonymous mode kept, and the results counting phone answers by channel."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from fankui.accounts.models import Role
from fankui.audit.models import Entry, Event
from fankui.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from fankui.questionnaires.models import Invitation, Response, State, Via
from fankui.questionnaires.services import building, distribution, phone, results
from fankui.questionnaires.services.answering import submit
from fankui.questionnaires.services.crosstab import cross_tab

from .. import factories
from .conftest import Survey, build, choice


def _values(survey: Survey, nps: str = "9") -> dict[str, Any]:
    return {survey.nps.key: nps, survey.visit.key: choice(survey.visit, "Two"), survey.csat.key: "4"}


def test_an_operator_records_a_response_with_channel_phone_and_the_act_is_audited(
    survey: Survey, dispatcher: Any
) -> None:
    case = factories.case()
    response = phone.record_by_phone(dispatcher, survey.questionnaire, _values(survey), case=case)
    assert response.via == Via.PHONE
    assert sorted(a.number for a in response.answers.exclude(number=None)) == [4, 9]
    entry = Entry.objects.get(kind="questionnaire", data__do="phone_response")
    assert entry.actor == dispatcher
    assert entry.data["response"] == response.pk and entry.data["case"] == case.pk
    event = Event.objects.get(case=case, action=phone.EVENT)
    assert event.data == {"questionnaire_id": survey.questionnaire.pk, "response_id": response.pk}


def test_the_public_pages_rules_apply_required_range_and_show_if(survey: Survey, dispatcher: Any) -> None:
    with pytest.raises(ValidationFailed) as error:
        phone.record_by_phone(dispatcher, survey.questionnaire, {survey.csat.key: "4"})
    assert error.value.errors == {survey.nps.field: ["Please answer this question."]}
    with pytest.raises(ValidationFailed) as error:
        phone.record_by_phone(dispatcher, survey.questionnaire, {survey.nps.key: "11", survey.csat.key: "9"})
    assert set(error.value.errors) == {survey.nps.field, survey.csat.field}
    # A detractor must say what went wrong (shown by show-if); a promoter's answer to it is not stored.
    with pytest.raises(ValidationFailed) as error:
        phone.record_by_phone(dispatcher, survey.questionnaire, {survey.nps.key: "3"})
    assert error.value.errors == {survey.why.field: ["Please answer this question."]}
    response = phone.record_by_phone(
        dispatcher, survey.questionnaire, {survey.nps.key: "10", survey.why.key: "排队太久"}
    )
    assert not response.answers.filter(question=survey.why).exists()
    assert Response.objects.count() == 1
    assert Entry.objects.filter(data__do="phone_response").count() == 1


def test_one_response_per_invitation_whether_by_phone_or_by_the_link(survey: Survey, supervisor: Any) -> None:
    distribution.add_invitations(supervisor, survey.questionnaire, b"13800138000\n13900139000\n")
    first, second = Invitation.objects.order_by("id")
    response = phone.record_by_phone(supervisor, survey.questionnaire, _values(survey), invitation=first)
    assert response.invitation == first and response.via == Via.PHONE
    with pytest.raises(Conflict):
        phone.record_by_phone(supervisor, survey.questionnaire, _values(survey), invitation=first)
    with pytest.raises(Conflict):
        submit(survey.questionnaire, _values(survey), invitation=first)
    submit(survey.questionnaire, _values(survey), invitation=second)
    with pytest.raises(Conflict):
        phone.record_by_phone(supervisor, survey.questionnaire, _values(survey), invitation=second)
    assert Response.objects.count() == 2


def test_an_anonymous_questionnaires_phone_answer_stores_nobody(supervisor: Any, dispatcher: Any) -> None:
    survey = build(supervisor, anonymous=True)
    distribution.add_invitations(supervisor, survey.questionnaire, b"13800138000\n")
    invitation = Invitation.objects.get()
    case = factories.case()
    response = phone.record_by_phone(
        dispatcher, survey.questionnaire, _values(survey), invitation=invitation, case=case
    )
    response.refresh_from_db()
    invitation.refresh_from_db()
    assert response.invitation is None and response.via == Via.PHONE
    assert timezone.localtime(response.submitted_at).strftime("%H:%M:%S") == "00:00:00"  # the day only
    assert invitation.used_at is not None  # answered: no second response on it
    entry = Entry.objects.get(data__do="phone_response")
    assert entry.data == {"do": "phone_response", "anonymous": True}
    assert not Event.objects.filter(case=case, action=phone.EVENT).exists()


def test_who_may_record_and_another_departments_questionnaire_or_invitation(
    supervisor: Any, dept: Any, other_dept: Any, handler: Any
) -> None:
    head = factories.user(Role.DEPT_HEAD, dept)
    other_head = factories.user(Role.DEPT_HEAD, other_dept)
    survey = build(supervisor, department=dept)
    other = build(supervisor, department=other_dept)
    distribution.add_invitations(supervisor, other.questionnaire, b"13800138000\n")
    invitation = Invitation.objects.get(questionnaire=other.questionnaire)
    assert phone.may_record(head, survey.questionnaire)
    assert not phone.may_record(other_head, survey.questionnaire)
    assert not phone.may_record(handler, survey.questionnaire)  # neither a caller nor a builder
    with pytest.raises(PermissionDenied):
        phone.record_by_phone(other_head, survey.questionnaire, _values(survey))
    with pytest.raises(PermissionDenied):
        phone.record_by_phone(head, other.questionnaire, _values(other), invitation=invitation)
    with pytest.raises(NotFound):  # an invitation of another questionnaire
        phone.record_by_phone(head, survey.questionnaire, _values(survey), invitation=invitation)
    with pytest.raises(NotFound):
        phone.find_invitation(survey.questionnaire, invitation.pk)
    assert list(phone.open_for_phone(head)) == [survey.questionnaire]
    assert not Response.objects.exists()
    invitation.refresh_from_db()
    assert invitation.used_at is None


def test_a_closed_or_full_questionnaire_takes_no_phone_answer(survey: Survey, supervisor: Any) -> None:
    building.set_state(supervisor, survey.questionnaire, State.CLOSED)
    survey.refresh()
    with pytest.raises(Conflict):
        phone.record_by_phone(supervisor, survey.questionnaire, _values(survey))
    assert not phone.open_for_phone(supervisor).exists()


def test_results_and_cross_tabs_count_phone_answers_by_channel(survey: Survey, dispatcher: Any) -> None:
    submit(survey.questionnaire, _values(survey, "10"))
    phone.record_by_phone(dispatcher, survey.questionnaire, _values(survey, "9"))
    phone.record_by_phone(dispatcher, survey.questionnaire, _values(survey, "8"))
    rollup = results.rollup(survey.questionnaire)
    assert rollup.by_via == {Via.PUBLIC: 1, Via.PHONE: 2}
    only_phone = results.rollup(survey.questionnaire, results.Filters(via=Via.PHONE))
    assert only_phone.responses == 2
    table = cross_tab(rollup, "via", survey.nps.key)
    assert table is not None
    assert [(row.label, row.answered) for row in table.rows] == [("Public link", 1), ("Phone", 2)]
