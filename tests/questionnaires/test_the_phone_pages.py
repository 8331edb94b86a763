"""The staff pages of answers by phone: from a call of 回访 and from an invitation, every question on one page, no
JavaScript needed, errors beside the questions with what was chosen kept, bad input never a 500, scope kept."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from fankui.accounts.models import Role
from fankui.audit.models import Entry
from fankui.questionnaires.models import Invitation, Response, Via
from fankui.questionnaires.services import distribution

from .. import factories
from .conftest import Survey, build, choice

Login = Callable[[Any], Client]


def _url(survey: Survey) -> str:
    return f"/staff/questionnaires/{survey.questionnaire.pk}/phone/"


def test_the_call_page_links_to_the_questionnaires_and_the_answers_come_back_to_the_call(
    survey: Survey, dispatcher: Any, client_for: Login
) -> None:
    case = factories.case(contact_phone="13800138000")
    client = client_for(dispatcher)
    call = client.get(f"/staff/surveys/calls/{case.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    assert call.status_code == 200
    assert f"/staff/questionnaires/phone/?case={case.pk}".encode() in call.content
    chooser = client.get(f"/staff/questionnaires/phone/?case={case.pk}")
    assert chooser.status_code == 200
    assert f"{_url(survey)}?case={case.pk}".encode() in chooser.content
    form = client.get(f"{_url(survey)}?case={case.pk}")
    assert form.status_code == 200
    html = form.content.decode()
    # Every question on one page, the show-if one with its condition; no script needed.
    for question in (survey.nps, survey.visit, survey.why, survey.csat, survey.problems, survey.grid):
        assert f'id="{question.field}"' in html
    assert 'class="help condition"' in html
    assert f'name="case" value="{case.pk}"' in html
    posted = client.post(
        _url(survey),
        {"case": case.pk, survey.nps.field: "9", survey.visit.field: choice(survey.visit, "One")},
    )
    assert posted.status_code == 302 and posted["Location"] == f"/staff/surveys/calls/{case.pk}/"
    response = Response.objects.get()
    assert response.via == Via.PHONE


def test_a_refused_answer_is_shown_beside_its_question_with_the_choices_kept(
    survey: Survey, dispatcher: Any, client_for: Login
) -> None:
    client = client_for(dispatcher)
    page = client.post(_url(survey), {survey.nps.field: "3", survey.visit.field: choice(survey.visit, "Two")})
    assert page.status_code == 422
    html = page.content.decode()
    assert f'href="#{survey.why.field}"' in html  # the detractor's required question, in the summary
    assert f'value="{choice(survey.visit, "Two")}" checked' in html
    assert not Response.objects.exists()


@pytest.mark.parametrize(
    "query",
    ["?case=abc", "?case=99999999999999999999", "?invitation=x", "?invitation=999999", "?case=%00", "?invitation=-1"],
)
def test_bad_ids_answer_404_not_500(survey: Survey, dispatcher: Any, client_for: Login, query: str) -> None:
    client = client_for(dispatcher)
    assert client.get(_url(survey) + query).status_code == 404
    data = dict(pair.split("=") for pair in [query[1:]])
    assert client.post(_url(survey), {**data, survey.nps.field: "9"}).status_code == 404
    assert not Response.objects.exists()


def test_forged_answers_and_a_closed_questionnaire_get_a_message(
    survey: Survey, dispatcher: Any, supervisor: Any, client_for: Login
) -> None:
    client = client_for(dispatcher)
    forged = client.post(_url(survey), {survey.nps.field: "99", survey.visit.field: "nope\x00", survey.why.field: "x"})
    assert forged.status_code == 422
    client_for(supervisor).post(f"/staff/questionnaires/{survey.questionnaire.pk}/state/closed/")
    closed = client.post(_url(survey), {survey.nps.field: "9"})
    assert closed.status_code == 409 and b'id="refused"' in closed.content
    assert b'id="phone-form"' not in closed.content
    assert not Response.objects.exists()


def test_an_invitation_is_answered_once_and_its_address_look_is_audited(
    survey: Survey, supervisor: Any, dispatcher: Any, client_for: Login
) -> None:
    distribution.add_invitations(supervisor, survey.questionnaire, b"13800138000\n")
    invitation = Invitation.objects.get()
    listing = client_for(supervisor).get(f"/staff/questionnaires/{survey.questionnaire.pk}/invitations/")
    assert f"{_url(survey)}?invitation={invitation.pk}".encode() in listing.content
    client = client_for(dispatcher)
    page = client.get(f"{_url(survey)}?invitation={invitation.pk}")
    assert page.status_code == 200 and b"13800138000" in page.content
    assert Entry.objects.filter(data__do="invitation_address_look", data__invitation=invitation.pk).count() == 1
    posted = client.post(_url(survey), {"invitation": invitation.pk, survey.nps.field: "10"})
    assert posted.status_code == 302
    again = client.post(_url(survey), {"invitation": invitation.pk, survey.nps.field: "10"})
    assert again.status_code == 409
    assert Response.objects.get().invitation == invitation


def test_another_department_reaches_neither_the_form_nor_the_invitation(
    supervisor: Any, dept: Any, other_dept: Any, handler: Any, client_for: Login
) -> None:
    survey = build(supervisor, department=dept)
    distribution.add_invitations(supervisor, survey.questionnaire, b"13800138000\n")
    invitation = Invitation.objects.get()
    other_head = client_for(factories.user(Role.DEPT_HEAD, other_dept))
    assert other_head.get(f"{_url(survey)}?invitation={invitation.pk}").status_code == 404
    assert other_head.post(_url(survey), {"invitation": invitation.pk, survey.nps.field: "9"}).status_code == 404
    # Their own department's handler sees the questionnaire but neither calls nor builds: 403.
    assert client_for(handler).post(_url(survey), {survey.nps.field: "9"}).status_code == 403
    head = client_for(factories.user(Role.DEPT_HEAD, dept))
    assert head.get(f"{_url(survey)}?invitation={invitation.pk}").status_code == 200
    assert not Response.objects.exists()


def test_an_anonymous_questionnaire_says_so_on_the_operators_page(supervisor: Any, client_for: Login) -> None:
    survey = build(supervisor, anonymous=True)
    page = client_for(supervisor).get(_url(survey))
    assert page.status_code == 200 and b'id="anonymous-note"' in page.content
