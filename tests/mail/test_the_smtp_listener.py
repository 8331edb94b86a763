"""The inbound SMTP listener (aiosmtpd) on a free loopback port: "250" only once the case committed, "552" for a
message too big (and the next one goes on), nothing opened for an auto-reply."""

from __future__ import annotations

import smtplib
from collections.abc import Iterator
from typing import Any

import pytest

from fankui.cases.models import Case
from fankui.core.vocab import Channel
from fankui.mail import smtpd
from fankui.mail.models import InboundMail, Source, Status

from .conftest import free_port, message

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def listener(settings: Any) -> Iterator[int]:
    settings.FANKUI_MAIL_MAX_BYTES = 5 * 1024 * 1024
    port = free_port()
    running = smtpd.controller(f"127.0.0.1:{port}", workers=1)
    running.start()
    yield port
    running.stop()
    running.handler.close()


def _send(port: int, raw: bytes) -> None:
    with smtplib.SMTP("127.0.0.1", port, timeout=60) as client:
        client.sendmail("zhangsan@example.cn", ["12345@fankui.example.cn"], raw)


def test_a_message_over_smtp_becomes_a_case_before_it_is_acknowledged(listener: int) -> None:
    _send(listener, message(message_id="<smtp-1@example.cn>"))

    case = Case.objects.select_related("submission").get()  # already committed when sendmail returned
    assert case.submission.channel == Channel.EMAIL
    assert case.submission.contact_email == "zhangsan@example.cn"
    assert InboundMail.objects.get().source == Source.SMTP


def test_the_same_message_sent_twice_opens_one_case(listener: int) -> None:
    _send(listener, message(message_id="<smtp-twice@example.cn>"))
    _send(listener, message(message_id="<smtp-twice@example.cn>"))

    assert Case.objects.count() == 1


def test_a_message_too_big_is_refused_and_the_next_one_goes_on(listener: int) -> None:
    huge = message("附件很大", message_id="<smtp-huge@example.cn>") + b"X" * (50 * 1024 * 1024)
    with pytest.raises(smtplib.SMTPException) as refused:
        _send(listener, huge)
    assert "552" in str(refused.value) or getattr(refused.value, "smtp_code", 0) == 552

    _send(listener, message(message_id="<smtp-after@example.cn>"))

    assert Case.objects.count() == 1


def test_an_auto_reply_is_accepted_but_opens_nothing(listener: int) -> None:
    _send(listener, message(headers={"Auto-Submitted": "auto-replied"}))

    assert not Case.objects.exists()
    assert InboundMail.objects.get().status == Status.IGNORED


def test_a_message_that_is_no_e_mail_is_refused_with_its_reason(listener: int) -> None:
    with pytest.raises(smtplib.SMTPDataError) as refused:
        _send(listener, b"garbage without any header")

    assert refused.value.smtp_code == 554
    assert b"no From header" in refused.value.smtp_error


def test_a_bounce_with_an_empty_envelope_sender_opens_nothing(listener: int) -> None:
    with smtplib.SMTP("127.0.0.1", listener, timeout=60) as client:
        client.sendmail("<>", ["12345@fankui.example.cn"], message("Delivery failed", sender="mx@x.example"))

    assert not Case.objects.exists()
    assert InboundMail.objects.get().reason == "bounce (empty return path)"
