"""Alerts: a detractor or a very dissatisfied answer opens one follow-up case through intake; the person's contact
goes on it only when they left one (an invitation of a questionnaire that is not anonymous)."""

from __future__ import annotations

from typing import Any

from fankui.cases.models import Case
from fankui.questionnaires.models import FollowUp, Invitation
from fankui.questionnaires.services import alerts
from fankui.questionnaires.services.answering import submit

from .conftest import Survey, build


def invite(survey: Survey, address: str, channel: str = "sms") -> Invitation:
    return Invitation.objects.create(
        questionnaire=survey.refresh(), channel=channel, address=address, address_hash=address, nonce=address[-8:]
    )


def test_a_detractor_on_an_invitation_opens_a_case_with_the_contact(
    survey: Survey, django_capture_on_commit_callbacks: Any
) -> None:
    invitation = invite(survey, "13800138000")
    with django_capture_on_commit_callbacks(execute=True):
        response = submit(
            survey.refresh(), {survey.nps.key: "3", survey.why.key: "窗口排队两个小时"}, invitation=invitation
        )
    follow = FollowUp.objects.get(response=response)
    assert follow.reason == "detractor" and follow.with_contact
    case = Case.objects.select_related("submission").get(pk=follow.case_id)
    assert case.submission.channel == "web"
    assert case.submission.contact_phone == "13800138000" and not case.submission.anonymous
    assert "窗口排队两个小时" in case.submission.body and "3" in case.submission.body
    # Never twice for one response.
    assert alerts.follow_up(response.pk) is None
    assert Case.objects.count() == 1


def test_a_promoter_opens_nothing(survey: Survey, django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        submit(survey.refresh(), {survey.nps.key: "9", survey.csat.key: "4"})
    assert not FollowUp.objects.exists() and not Case.objects.exists()


def test_csat_1_on_the_public_link_opens_a_case_without_contact(
    survey: Survey, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = submit(survey.refresh(), {survey.nps.key: "8", survey.csat.key: "1"})
    follow = FollowUp.objects.get(response=response)
    assert follow.reason == "dissatisfied" and not follow.with_contact
    submission = Case.objects.get(pk=follow.case_id).submission
    assert submission.anonymous and not submission.contact_phone and not submission.contact_email


def test_an_anonymous_questionnaire_never_links_the_case_to_the_person(
    supervisor: Any, django_capture_on_commit_callbacks: Any
) -> None:
    survey = build(supervisor, anonymous=True)
    invitation = invite(survey, "li@example.cn", "email")
    with django_capture_on_commit_callbacks(execute=True):
        response = submit(survey.refresh(), {survey.nps.key: "0", survey.why.key: "很差"}, invitation=invitation)
    follow = FollowUp.objects.get(response=response)
    submission = Case.objects.get(pk=follow.case_id).submission
    assert submission.anonymous and submission.contact_email == "" and not follow.with_contact
    assert "example.cn" not in submission.body


def test_alerts_can_be_turned_off(survey: Survey, settings: Any, django_capture_on_commit_callbacks: Any) -> None:
    settings.FANKUI_QUESTIONNAIRE_FOLLOW_UP = False
    with django_capture_on_commit_callbacks(execute=True):
        submit(survey.refresh(), {survey.nps.key: "1", survey.why.key: "差"})
    assert not Case.objects.exists()
