from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from fankui.core.errors import Conflict
from fankui.questionnaires.models import Invitation, Response
from fankui.questionnaires.services import building, distribution
from fankui.questionnaires.services.answering import submit

from .conftest import Survey, build


def answers(survey: Survey) -> dict[str, object]:
    return {survey.nps.key: "8"}


def test_a_closed_questionnaire_refuses_and_says_so(supervisor: object) -> None:
    now = timezone.now()
    survey = build(supervisor, opens_at=now - timedelta(days=2), closes_at=now + timedelta(days=1))  # type: ignore[arg-type]
    submit(survey.questionnaire, answers(survey))
    with (
        time_machine.travel(now + timedelta(days=1, seconds=1), tick=False),
        pytest.raises(Conflict, match="This questionnaire is closed"),
    ):
        submit(survey.questionnaire, answers(survey))
    assert Response.objects.count() == 1


def test_a_questionnaire_not_open_yet_names_the_day(supervisor: object) -> None:
    survey = build(supervisor, opens_at=timezone.now() + timedelta(days=3))  # type: ignore[arg-type]
    with pytest.raises(Conflict, match="opens on 2026-11-19"):
        submit(survey.questionnaire, answers(survey))


def test_a_closed_state_refuses(survey: Survey, supervisor: object) -> None:
    building.set_state(supervisor, survey.questionnaire, "closed")
    with pytest.raises(Conflict, match="closed"):
        submit(survey.refresh(), answers(survey))


def test_the_quota_is_never_exceeded(supervisor: object) -> None:
    survey = build(supervisor, quota=2)  # type: ignore[arg-type]
    submit(survey.questionnaire, answers(survey))
    submit(survey.questionnaire, answers(survey))
    with pytest.raises(Conflict, match="all the responses it needed"):
        submit(survey.questionnaire, answers(survey))
    assert Response.objects.count() == 2


def invite(supervisor: object, survey: Survey) -> Invitation:
    distribution.add_invitations(supervisor, survey.questionnaire, b"13800138000\n")
    return Invitation.objects.get()


def test_an_invitation_answers_once(survey: Survey, supervisor: object) -> None:
    invitation = invite(supervisor, survey)
    response = submit(survey.questionnaire, answers(survey), invitation=invitation)
    assert response.invitation == invitation and response.via == "invitation"
    stale = Invitation.objects.get()  # as a second tab would hold it
    stale.used_at = None
    with pytest.raises(Conflict, match="already been used"):
        submit(survey.questionnaire, answers(survey), invitation=stale)
    assert Response.objects.count() == 1


def test_an_anonymous_response_keeps_no_link_to_its_invitation_nor_its_time(supervisor: object) -> None:
    survey = build(supervisor, anonymous=True)  # type: ignore[arg-type]
    invitation = invite(supervisor, survey)
    response = submit(survey.questionnaire, answers(survey), invitation=invitation)
    response.refresh_from_db()
    invitation.refresh_from_db()
    assert response.invitation is None and response.via == "invitation"
    local = timezone.localtime(response.submitted_at)
    assert (local.hour, local.minute) == (0, 0)
    assert invitation.used_at == response.submitted_at  # the day only, on both sides
    with pytest.raises(Conflict, match="already been used"):
        submit(survey.questionnaire, answers(survey), invitation=Invitation.objects.get())
