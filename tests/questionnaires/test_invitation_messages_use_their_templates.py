"""A questionnaire's invitation and reminder are message templates (notify.wording): written in the site's language
(Chinese), an active template of it replaces the built-in wording; the title is filled in as plain text."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.test import Client

from fankui.accounts.models import Role, User
from fankui.notify.models import Message, MessageTemplate
from fankui.questionnaires.models import Invitation
from fankui.questionnaires.services import distribution

from .. import factories
from .conftest import build

ADD = "/admin/notify/messagetemplate/add/"


def test_the_invitation_and_the_reminder_use_their_templates(supervisor: Any) -> None:
    survey = build(supervisor, title_zh="满意度 {link} <b>调查</b>")
    MessageTemplate.objects.create(
        key="questionnaire:invite", language="zh-hans", subject="邀请：{title}", body="请填写《{title}》：{link}"
    )
    MessageTemplate.objects.create(
        key="questionnaire:remind", language="zh-hans", subject="提醒：{title}", body="还差您的意见：{link}"
    )
    distribution.add_invitations(supervisor, survey.questionnaire, b"li@example.cn\n")
    distribution.send_invitations(supervisor, survey.questionnaire)
    link = distribution.invitation_link(Invitation.objects.get())
    invite = Message.objects.get(key__endswith=":invite:" + str(Invitation.objects.get().pk))
    assert invite.subject == "邀请：满意度 {link} <b>调查</b>"
    assert invite.body.startswith(f"请填写《满意度 {{link}} <b>调查</b>》：{link}")
    distribution.send_reminders(supervisor, survey.questionnaire)
    remind = Message.objects.get(key__contains=":remind:")
    assert remind.subject == "提醒：满意度 {link} <b>调查</b>" and remind.body.startswith(f"还差您的意见：{link}")


def test_without_a_template_the_built_in_wording_in_chinese(supervisor: Any) -> None:
    survey = build(supervisor)
    distribution.add_invitations(supervisor, survey.questionnaire, b"li@example.cn\n")
    distribution.send_invitations(supervisor, survey.questionnaire)
    invite = Message.objects.get()
    assert invite.subject == "服务满意度"
    assert distribution.invitation_link(Invitation.objects.get()) in invite.body


def test_the_admin_refuses_a_placeholder_an_invitation_does_not_have(
    db: None, client_for: Callable[[User], Client]
) -> None:
    client = client_for(factories.user(Role.ADMIN))
    data = {"key": "questionnaire:invite", "language": "zh-hans", "active": "on", "subject": "{title}", "body": ""}
    answer = client.post(ADD, {**data, "body": "{code} {link}"}, HTTP_ACCEPT_LANGUAGE="en")
    assert answer.status_code == 200 and "“{code}” is not a placeholder of this message" in answer.content.decode()
    assert client.post(ADD, {**data, "body": "{title}: {link}"}, HTTP_ACCEPT_LANGUAGE="en").status_code == 302
