"""A person's copy of their data lists the questionnaire invitations sent to the address they proved with the
one-time code: the questionnaire, when the invitation was sent and reminded, whether it was answered, and their
answers when the questionnaire is not anonymous. Not the invitations of another address on the request (typed, never
proven: it may be a stranger's), nor anyone else's."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.utils import timezone, translation
from pypdf import PdfReader

from fankui.accounts.models import User
from fankui.cases.models import Case
from fankui.privacy import dossier
from fankui.questionnaires.models import Invitation, Questionnaire
from fankui.questionnaires.services import alerts, distribution
from fankui.questionnaires.services.answering import submit
from tests import factories
from tests.questionnaires.conftest import Survey, build, choice

from .conftest import EMAIL, PHONE, citizen, prove


def invite(supervisor: User, questionnaire: Questionnaire, *addresses: str) -> list[Invitation]:
    distribution.add_invitations(supervisor, questionnaire, "\n".join(addresses).encode())
    distribution.send_invitations(supervisor, questionnaire)
    return list(Invitation.objects.filter(questionnaire=questionnaire).order_by("id"))


def answer_all(survey: Survey, invitation: Invitation) -> None:
    submit(
        survey.questionnaire,
        {
            survey.nps.key: "3",
            survey.visit.key: choice(survey.visit, "Two"),
            survey.why.key: "窗口只开了一个，排队太久",
            survey.csat.key: "2",
            survey.problems.key: [choice(survey.problems, "Attitude"), choice(survey.problems, "Queues")],
            survey.grid.key: {
                choice(survey.grid, "Attitude"): choice(survey.grid, "Poor"),
                choice(survey.grid, "Procedure"): choice(survey.grid, "Good"),
            },
        },
        invitation=invitation,
    )


ANSWERS = [
    {"question": "Would you recommend us?", "answer": "3"},
    {"question": "Visits", "answer": "Two"},
    {"question": "What went wrong?", "answer": "窗口只开了一个，排队太久"},
    {"question": "Satisfaction", "answer": "2"},
    {"question": "Problems", "answer": "Queues; Attitude"},
    {"question": "Please rate", "answer": "Procedure: Good; Attitude: Poor"},
]


@pytest.fixture
def invited(person_case: Case, supervisor: User) -> dict[str, Any]:
    """The person (the case's e-mail address, where the code goes) invited to a named questionnaire, which they
    answered after a reminder, and to an anonymous one, which they answered; their phone number, on the request
    but never proven, invited to a third; a neighbour invited to the named one."""
    named = build(supervisor, title_zh="政务服务满意度", title_en="Government service")
    mine, neighbour = invite(supervisor, named.questionnaire, EMAIL.upper(), "neighbour@example.cn")
    distribution.send_reminders(supervisor, named.questionnaire)
    answer_all(named, Invitation.objects.get(pk=mine.pk))
    anonymous = build(supervisor, title_zh="员工满意度", title_en="Staff survey", anonymous=True)
    (secret,) = invite(supervisor, anonymous.questionnaire, EMAIL)
    answer_all(anonymous, secret)
    phone = build(supervisor, title_zh="电话调查", title_en="Phone survey")
    invite(supervisor, phone.questionnaire, PHONE)
    return {"named": named, "anonymous": anonymous, "phone": phone, "mine": mine, "neighbour": neighbour}


def test_the_copy_lists_the_proven_address_invitations_with_the_answers(
    person_case: Case, invited: dict[str, Any]
) -> None:
    with translation.override("en"):
        listed = dossier.held(person_case)["invitations"]
    now = timezone.localtime().isoformat(timespec="seconds")
    assert [item["questionnaire"] for item in listed] == ["Government service", "Staff survey"]
    named, anonymous = listed
    assert named == {
        "questionnaire": "Government service",
        "anonymous": False,
        "channel": "E-mail",
        "address": EMAIL,
        "added_at": now,
        "sent_at": now,
        "reminded_at": now,
        "answered": True,
        "answered_at": now,
        "answers": ANSWERS,
        "follow_up": "",
    }
    # Anonymous: nothing links the answers to the invitation; the day it was used is all the invitation keeps.
    assert anonymous["anonymous"] is True and anonymous["answers"] == []
    today = timezone.localdate().isoformat()
    assert (anonymous["answered"], anonymous["answered_at"], anonymous["reminded_at"]) == (True, today, "")


def test_a_phone_proven_request_finds_the_phone_invitations(supervisor: User, invited: dict[str, Any]) -> None:
    """A request made on the phone sends its code by SMS: then the number is the proven address."""
    case: Case = factories.case(channel="phone", contact_phone=PHONE, contact_email=EMAIL)
    with translation.override("en"):
        listed = dossier.invitations(case)
    assert [(item["questionnaire"], item["channel"], item["answered"]) for item in listed] == [
        ("Phone survey", "SMS", False)
    ]


def test_the_follow_up_request_of_an_answer_is_named(person_case: Case, invited: dict[str, Any]) -> None:
    response = invited["mine"].response
    follow_up = alerts.follow_up(response.pk)  # NPS 3: a detractor
    assert follow_up is not None and follow_up.case is not None
    (named, _anonymous) = dossier.invitations(person_case)
    assert named["follow_up"] == follow_up.case.display_code


def test_the_page_and_the_downloads_show_them(person_case: Case, invited: dict[str, Any]) -> None:
    client = citizen()
    assert "Government service" not in client.get(f"/track/{person_case.tracking_code}/privacy/").content.decode()
    prove(client, person_case)
    page = client.get(f"/track/{person_case.tracking_code}/privacy/").content.decode()
    assert "Questionnaires you were invited to" in page
    assert "Government service" in page and "Staff survey" in page and "Phone survey" not in page
    assert "窗口只开了一个，排队太久" in page and "Procedure: Good; Attitude: Poor" in page
    assert "your answers are not linked to you" in page
    assert "neighbour@example.cn" not in page
    data = json.loads(client.get(f"/track/{person_case.tracking_code}/privacy/data.json").content)
    assert [item["questionnaire"] for item in data["invitations"]] == ["Government service", "Staff survey"]
    assert data["invitations"][0]["answers"] == ANSWERS
    pdf = client.get(f"/track/{person_case.tracking_code}/privacy/data.pdf")
    assert pdf.status_code == 200
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Questionnaires you were invited to" in text and "Government service" in text
    assert "Procedure: Good; Attitude: Poor" in text


def test_a_hostile_title_or_answer_is_shown_as_text(person_case: Case, supervisor: User) -> None:
    survey = build(supervisor, title_zh="<script>alert(1)</script>", title_en="")
    (mine,) = invite(supervisor, survey.questionnaire, EMAIL)
    submit(survey.questionnaire, {survey.nps.key: "2", survey.why.key: "<img src=x onerror=alert(2)>"}, invitation=mine)
    client = citizen()
    prove(client, person_case)
    page = client.get(f"/track/{person_case.tracking_code}/privacy/").content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert(1)" not in page
    assert "&lt;img src=x onerror=alert(2)&gt;" in page and "<img src=x" not in page


def test_the_number_of_queries_does_not_grow_with_the_invitations(
    person_case: Case, supervisor: User, django_assert_max_num_queries: Any
) -> None:
    for number in range(3):
        survey = build(supervisor, title_zh=f"问卷{number}")
        (mine,) = invite(supervisor, survey.questionnaire, EMAIL)
        answer_all(survey, mine)
    with django_assert_max_num_queries(6):
        listed = dossier.invitations(person_case)
    assert len(listed) == 3 and all(len(item["answers"]) == 6 for item in listed)
