"""The builder's services hold the rules their forms hold, for any caller (a command, a template's copy, a forged
POST that a form lets through): control characters are refused by name, and a title stays one line, since it is
the subject of the invitations' e-mails and a line break there is refused when the e-mail is built."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.mail import EmailMessage

from fankui.core.errors import ValidationFailed
from fankui.notify.models import Message
from fankui.questionnaires.models import Question
from fankui.questionnaires.services import building, distribution
from fankui.questionnaires.services.building import ChoiceInput, QuestionInput, Settings

from .conftest import Survey


def test_control_characters_are_refused_by_the_services_themselves(survey: Survey, supervisor: Any) -> None:
    q = survey.questionnaire
    page = survey.nps.page
    with pytest.raises(ValidationFailed) as refused:
        building.save_question(supervisor, q, QuestionInput(kind="text", text_zh="窗口\x0b号", page_key=page.key))
    assert "text_zh" in refused.value.errors
    choices = [ChoiceInput("一"), ChoiceInput("二\x00")]
    with pytest.raises(ValidationFailed) as refused:
        building.save_question(supervisor, q, QuestionInput(kind="single", text_zh="窗口", options=choices))
    assert "options" in refused.value.errors
    with pytest.raises(ValidationFailed):
        building.add_page(supervisor, q, "第\x1b三页")
    with pytest.raises(ValidationFailed) as refused:
        building.create(supervisor, Settings(title_zh="调查", intro_en="\x85"))
    assert "intro_en" in refused.value.errors
    assert Question.objects.filter(version=q.current_version_id).count() == 6


def test_a_title_with_a_line_break_stays_one_line_and_its_invitations_can_be_sent(
    survey: Survey, supervisor: Any
) -> None:
    # The settings form's title is one line, but a forged POST (or a paste) can carry a line break.
    settings = Settings(title_zh="服务满意度\r\nBcc: everyone@example.cn", title_en="Survey\n")
    questionnaire = building.update_settings(supervisor, survey.questionnaire, settings)
    assert questionnaire.title_zh == "服务满意度 Bcc: everyone@example.cn" and questionnaire.title_en == "Survey"
    distribution.add_invitations(supervisor, questionnaire, b"a@example.cn\n")
    assert distribution.send_invitations(supervisor, questionnaire) == 1
    message = Message.objects.get()
    EmailMessage(message.subject, message.body, "fankui@example.cn", [message.address]).message()
