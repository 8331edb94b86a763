"""Auto-replies, bounces, lists and loops open no case (and so get no receipt: no mail loop)."""

from __future__ import annotations

import pytest

from fankui.cases.models import Case
from fankui.mail import services
from fankui.mail.models import Status

from .conftest import message

pytestmark = pytest.mark.django_db

DSN = (
    b"From: MAILER-DAEMON@mx.example.cn\r\nTo: fankui@localhost\r\nSubject: Undelivered Mail\r\n"
    b"Message-ID: <dsn-1@mx.example.cn>\r\nMIME-Version: 1.0\r\n"
    b'Content-Type: multipart/report; report-type=delivery-status; boundary="b"\r\n\r\n'
    b"--b\r\nContent-Type: text/plain\r\n\r\nThe mail could not be delivered.\r\n"
    b"--b\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.cn\r\n\r\n"
    b"Final-Recipient: rfc822; nobody@example.cn\r\nAction: failed\r\nStatus: 5.1.1\r\n\r\n--b--\r\n"
)


@pytest.mark.parametrize(
    "headers",
    [
        {"Auto-Submitted": "auto-replied"},
        {"Auto-Submitted": "auto-generated"},
        {"Precedence": "bulk"},
        {"Precedence": "junk"},
        {"Precedence": "list"},
        {"Precedence": "auto_reply"},
        {"X-Autoreply": "yes"},
        {"X-Autorespond": "Out of office"},
        {"List-Id": "<news.example.cn>"},
    ],
)
def test_an_automatic_message_is_ignored(headers: dict[str, str]) -> None:
    record = services.handle(message("我正在休假，将于下周回复。", headers=headers))

    assert record.status == Status.IGNORED and record.reason
    assert not Case.objects.exists()


def test_a_delivery_report_is_ignored() -> None:
    assert services.handle(DSN).status == Status.IGNORED
    assert not Case.objects.exists()


def test_our_own_mail_coming_back_is_ignored(settings: object) -> None:
    record = services.handle(message(sender="Fankui <fankui@localhost>"))

    assert (record.status, record.reason) == (Status.IGNORED, "sent by ourselves (a loop)")


def test_auto_submitted_no_is_a_person() -> None:
    assert services.handle(message(headers={"Auto-Submitted": "no"})).status == Status.CASE
