from __future__ import annotations

import smtplib
import urllib.error
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.core import mail

from fankui.cases.models import Case
from fankui.notify import delivery, services
from fankui.notify.models import Channel, Contact, Message, Status
from fankui.portal.notices import submitter_address
from tests import factories


def tell(case: Case, subject: str, body: str, *, key: str) -> bool:
    """A message to the submitter of ``case``, addressed as the portal addresses it."""
    return services.notify_citizen(submitter_address(case), subject, body, key=key, case_id=case.pk)


pytestmark = pytest.mark.django_db


class FakeResponse:
    def __enter__(self) -> FakeResponse:
        return self

    def __exit__(self, *args: object) -> None:
        return None

    def read(self, n: int = -1) -> bytes:
        return b"ok"


def test_without_a_gateway_sms_stay_queued_and_say_so(settings: Any) -> None:
    settings.FANKUI_SMS_GATEWAY_URL = ""
    tell(factories.case(contact_phone="13800138000"), "s", "b", key="k")
    delivery.deliver_due()
    message = Message.objects.get()
    assert message.status == Status.QUEUED
    assert message.last_error == "no gateway configured"
    assert message.attempts == 0
    assert delivery.report()["sms_waiting_for_gateway"] == 1


def test_sms_go_through_the_configured_gateway(settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    settings.FANKUI_SMS_GATEWAY_URL = "http://sms.example/send"
    sent: list[Any] = []
    monkeypatch.setattr(delivery.urllib.request, "urlopen", lambda req, timeout: sent.append(req) or FakeResponse())
    tell(factories.case(contact_phone="13800138000"), "s", "b", key="k")
    assert delivery.deliver_due() == 1
    assert sent[0].full_url == "http://sms.example/send"
    assert Message.objects.get().status == Status.SENT


def test_a_temporary_failure_is_retried_later_and_does_not_block_the_others(
    settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.FANKUI_SMS_GATEWAY_URL = "http://sms.example/send"

    def flaky(req: Any, timeout: float) -> FakeResponse:
        if b"13800138000" in req.data:
            raise urllib.error.URLError("connection refused")
        return FakeResponse()

    monkeypatch.setattr(delivery.urllib.request, "urlopen", flaky)
    tell(factories.case(contact_phone="13800138000"), "s", "b", key="k")
    tell(factories.case(contact_phone="13900139000"), "s", "b", key="k")
    assert delivery.deliver_due() == 2
    failing = Message.objects.to("13800138000").get()
    assert (failing.status, failing.attempts) == (Status.QUEUED, 1)
    assert "connection refused" in failing.last_error
    assert Message.objects.to("13900139000").get().status == Status.SENT
    assert delivery.deliver_due() == 0  # not due yet: it waits for its back-off


def test_a_message_that_keeps_failing_is_given_up_and_reported(
    settings: Any, monkeypatch: pytest.MonkeyPatch, _frozen_time: time_machine.Coordinates
) -> None:
    settings.FANKUI_SMS_GATEWAY_URL = "http://sms.example/send"

    def down(req: Any, timeout: float) -> FakeResponse:
        raise urllib.error.HTTPError(req.full_url, 503, "unavailable", {}, None)  # type: ignore[arg-type]

    monkeypatch.setattr(delivery.urllib.request, "urlopen", down)
    tell(factories.case(contact_phone="13800138000"), "s", "b", key="k")
    for _ in range(delivery.MAX_ATTEMPTS):
        delivery.deliver_due()
        _frozen_time.shift(timedelta(days=1))
    message = Message.objects.get()
    assert (message.status, message.attempts) == (Status.FAILED, delivery.MAX_ATTEMPTS)
    assert delivery.report()["failures"] == [{"reason": "HTTP 503", "n": 1}]


def test_a_refused_address_is_marked_bounced_and_later_messages_fail(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(self: Any, *args: Any, **kwargs: Any) -> int:
        raise smtplib.SMTPRecipientsRefused({"gone@example.com": (550, b"no such user")})

    monkeypatch.setattr(mail.EmailMessage, "send", refuse)
    case = factories.case(contact_email="gone@example.com")
    tell(case, "s", "b", key="first")
    delivery.deliver_due()
    assert Message.objects.get(key="first").status == Status.BOUNCED
    assert Contact.objects.to("gone@example.com").get(channel=Channel.EMAIL).bounced_at is not None
    tell(case, "s", "b", key="second")
    assert Message.objects.get(key="second").status == Status.FAILED


def test_two_workers_never_send_the_same_message() -> None:
    tell(factories.case(contact_email="li@example.com"), "s", "b", key="k")
    first = delivery._claim(10)
    second = delivery._claim(10)
    assert len(first) == 1 and second == []


def test_when_the_database_goes_the_rest_of_the_batch_is_not_sent(
    settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A message sent while its "sent" cannot be recorded goes out again after its lease: with the database gone, the
    batch stops at the first such message instead of sending every other one twice."""
    from django.db import OperationalError

    settings.FANKUI_SMS_GATEWAY_URL = "http://sms.example/send"
    sent: list[Any] = []
    monkeypatch.setattr(delivery.urllib.request, "urlopen", lambda req, timeout: sent.append(req) or FakeResponse())
    for n in range(3):
        tell(factories.case(contact_phone="13800138000"), "s", f"b{n}", key=f"k{n}")

    def gone(message: Message) -> None:
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(Message, "save", lambda self, **kwargs: gone(self))
    assert delivery.deliver_due() == 1
    assert len(sent) == 1
