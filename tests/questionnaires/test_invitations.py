from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from fankui.core.errors import Conflict, ValidationFailed
from fankui.core.management.commands.worker import sweeps
from fankui.notify import services as notify
from fankui.notify.models import Message
from fankui.questionnaires.models import Draft, Invitation
from fankui.questionnaires.services import building, distribution
from fankui.questionnaires.services.answering import submit

from .conftest import Survey, build

LIST = "手机号\n13800138000\n138 0013 8000\nzhang.san@Example.cn\nnot an address\n13900139000\n".encode("gbk")


def test_a_csv_list_is_read_once_per_address_and_stored_encrypted(survey: Survey, supervisor: Any) -> None:
    report = distribution.add_invitations(supervisor, survey.questionnaire, LIST)
    assert (report.added, report.already) == (3, 1)
    assert report.problems == ["Line 5: neither an e-mail address nor a mobile number."]
    assert sorted(Invitation.objects.values_list("channel", flat=True)) == ["email", "sms", "sms"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT address FROM questionnaires_invitation")
        stored = " ".join(row[0] for row in cursor.fetchall())
    assert "13800138000" not in stored and "example.cn" not in stored
    again = distribution.add_invitations(supervisor, survey.questionnaire, b"13800138000\n")
    assert (again.added, again.already) == (0, 1)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"nothing here\n", "No e-mail address or mobile number was found in the first column."),
        (b"\xff\xfe\x00\x01\x02" * 10, "No e-mail address or mobile number was found in the first column."),
        (b"1" * (3 * 1024 * 1024), "The file is larger than 2 MB. Please split it."),
    ],
)
def test_a_bad_file_is_refused_with_a_message(survey: Survey, supervisor: Any, data: bytes, message: str) -> None:
    with pytest.raises(ValidationFailed) as error:
        distribution.add_invitations(supervisor, survey.questionnaire, data)
    assert error.value.errors["file"] in ([message], ["Please upload a CSV file saved as UTF-8 or GBK text."])
    assert not Invitation.objects.exists()


def test_invitations_go_through_the_outbox_once_and_one_reminder_to_those_who_did_not_answer(
    survey: Survey, supervisor: Any, _frozen_time: Any
) -> None:
    distribution.add_invitations(supervisor, survey.questionnaire, b"13800138000\nli@example.cn\n")
    assert distribution.send_invitations(supervisor, survey.questionnaire) == 2
    assert distribution.send_invitations(supervisor, survey.questionnaire) == 0
    sms = Message.objects.get(channel="sms")
    sms_invitation = Invitation.objects.get(channel="sms")
    assert distribution.invitation_link(sms_invitation) in sms.body
    assert "13800138000" not in sms.body
    submit(survey.questionnaire, {survey.nps.key: "9"}, invitation=sms_invitation)
    _frozen_time.shift(timedelta(days=3))
    assert distribution.send_reminders(supervisor, survey.questionnaire) == 1
    assert distribution.send_reminders(supervisor, survey.questionnaire) == 0
    reminder = Message.objects.get(key__contains=":remind:")
    # Written in the site's language (an invited address has none of its own), whatever the sender's page was in.
    assert reminder.channel == "email" and reminder.subject == "提醒：服务满意度"
    assert Message.objects.count() == 3


def test_an_address_that_opted_out_gets_no_invitation(survey: Survey, supervisor: Any) -> None:
    notify.opt_out(notify.Address("sms", "13800138000"))
    distribution.add_invitations(supervisor, survey.questionnaire, b"13800138000\n")
    assert distribution.send_invitations(supervisor, survey.questionnaire) == 0
    assert not Message.objects.exists()


def test_a_closed_questionnaire_sends_nothing(supervisor: Any) -> None:
    survey = build(supervisor)
    building.set_state(supervisor, survey.questionnaire, "closed")
    distribution.add_invitations(supervisor, survey.questionnaire, b"13800138000\n")
    with pytest.raises(Conflict, match="Publish the questionnaire"):
        distribution.send_invitations(supervisor, survey.refresh())


def test_the_list_page_shows_addresses_masked(client_for: Any, survey: Survey, supervisor: Any) -> None:
    client: Client = client_for(supervisor)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    upload = client.post(
        f"/staff/questionnaires/{survey.questionnaire.pk}/invitations/",
        {"file": __import__("io").BytesIO(b"13800138000\n")},
    )
    assert upload.status_code == 302
    page = client.get(upload["Location"]).content.decode()
    assert "13800138000" not in page and "138****8000" in page
    sent = client.post(f"/staff/questionnaires/{survey.questionnaire.pk}/invitations/send/", follow=True)
    assert "Messages queued for sending: 1." in sent.content.decode()


def test_old_drafts_are_forgotten_by_the_sweep(survey: Survey, _frozen_time: Any) -> None:
    version = survey.questionnaire.current_version
    assert version is not None
    Draft.objects.create(key="k1", questionnaire=survey.questionnaire, version=version)
    names = dict(sweeps())
    assert names["questionnaires_forget_drafts"]() == 0
    _frozen_time.shift(timedelta(days=8))
    assert names["questionnaires_forget_drafts"]() == 1
    assert names["questionnaires_forget_drafts"]() == 0
