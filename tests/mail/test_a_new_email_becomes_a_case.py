from __future__ import annotations

import io
import json
from email.message import EmailMessage
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from PIL import Image

from fankui.cases.models import Case
from fankui.core.vocab import Channel
from fankui.mail import imap
from fankui.mail.models import InboundMail, Status

from .conftest import Box, message

pytestmark = pytest.mark.django_db


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(out, "PNG")
    return out.getvalue()


def test_a_new_email_in_the_mailbox_becomes_a_case_and_leaves_the_inbox(box: Box, settings: Any) -> None:
    box.deliver(message(subject="Re: 路灯坏了", message_id="<first@mail.example.cn>"))

    assert imap.poll() == 1

    case = Case.objects.select_related("submission").get()
    assert case.submission.channel == Channel.EMAIL
    assert case.submission.contact_email == "zhangsan@example.cn"
    assert case.submission.contact_name == "Zhang San"
    assert case.submission.title == "路灯坏了"
    assert "路灯坏了一个月" in case.submission.body
    record = InboundMail.objects.get()
    assert (record.status, record.case, record.message_id) == (Status.CASE, case, "first@mail.example.cn")
    assert box.count("INBOX") == 0
    assert box.count(settings.FANKUI_MAIL_PROCESSED_FOLDER) == 1


def test_attachments_pass_the_web_forms_checks_and_a_bad_one_costs_only_itself(box: Box) -> None:
    mail = EmailMessage()
    mail["From"] = "li@example.cn"
    mail["Subject"] = "井盖丢了"
    mail["Message-ID"] = "<with-files@example.cn>"
    mail.set_content("人民路口的井盖丢了，很危险。")
    mail.add_attachment(_png(), maintype="image", subtype="png", filename="photo.png")
    mail.add_attachment(b"MZ\x90\x00 not a picture", maintype="application", subtype="octet-stream", filename="x.exe")
    box.deliver(bytes(mail))

    imap.poll()

    case = Case.objects.select_related("submission").get()
    kept = list(case.submission.attachments.values_list("original_name", "content_type"))
    assert kept == [("photo.png", "image/png")]
    assert "x.exe" in case.submission.body  # staff are told what was not kept
    assert "1 attachment(s) not kept" in InboundMail.objects.get().reason


def test_the_same_message_twice_opens_one_case(box: Box) -> None:
    box.deliver(message(message_id="<twice@example.cn>"))
    box.deliver(message(message_id="<twice@example.cn>"))

    assert imap.poll() == 2

    assert Case.objects.count() == 1
    assert box.count("INBOX") == 0


def test_fankui_mail_poll_handles_the_mailbox_and_says_how_many(box: Box) -> None:
    box.deliver(message(message_id="<by-command@example.cn>"))
    out = io.StringIO()

    call_command("mail", "poll", stdout=out)

    assert json.loads(out.getvalue()) == {"handled": 1}
    assert Case.objects.count() == 1


def test_fankui_mail_poll_without_a_mailbox_says_what_to_set(settings: Any) -> None:
    settings.FANKUI_IMAP_URL = ""

    with pytest.raises(CommandError, match="FANKUI_IMAP_URL"):
        call_command("mail", "poll")
