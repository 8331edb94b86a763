"""New cases by e-mail count against the web form's limit per contact ("submit_contact"): thirty messages with a
forged From: become ten cases (ten receipts), the rest are recorded as ignored, "throttled". Follow-ups on a case
are not limited. The SMTP listener also counts per connecting address ("submit") and answers 451 when over."""

from __future__ import annotations

import smtplib
from collections.abc import Iterator
from typing import Any

import pytest

from fankui.cases.models import Case
from fankui.mail import services, smtpd
from fankui.mail.models import InboundMail, Status

from .conftest import free_port, message


@pytest.fixture
def limits(settings: Any) -> None:
    settings.FANKUI_RATE_LIMITS = {"submit": (3, 3600), "submit_contact": (2, 3600)}


@pytest.mark.django_db
def test_new_cases_from_one_sender_stop_at_the_contact_limit(limits: None) -> None:
    records = [services.handle(message(f"第{n}次", sender="Victim <Victim@example.org>")) for n in range(5)]

    assert [record.status for record in records] == [Status.CASE] * 2 + [Status.IGNORED] * 3
    assert {record.reason for record in records[2:]} == {"throttled: too many new cases from this sender"}
    assert Case.objects.count() == 2
    # Another sender is not affected.
    assert services.handle(message(sender="other@example.org")).status == Status.CASE


@pytest.mark.django_db
def test_a_throttled_message_seen_again_stays_ignored(limits: None) -> None:
    for n in range(2):
        services.handle(message(f"第{n}次", sender="victim@example.org"))
    raw = message("第三次", sender="victim@example.org", message_id="<third@example.org>")

    first, again = services.handle(raw), services.handle(raw)

    assert (first.pk, again.status, Case.objects.count()) == (again.pk, Status.IGNORED, 2)


@pytest.mark.django_db
def test_follow_ups_on_a_case_are_not_limited(limits: None) -> None:
    original = services.handle(message(sender="zhangsan@example.cn", message_id="<orig@example.cn>"))
    replies = [
        services.handle(message(f"补充{n}", sender="zhangsan@example.cn", headers={"In-Reply-To": "<orig@example.cn>"}))
        for n in range(4)
    ]

    assert {(record.status, record.case_id) for record in replies} == {(Status.FOLLOW_UP, original.case_id)}


@pytest.fixture
def listener(settings: Any, limits: None) -> Iterator[int]:
    port = free_port()
    running = smtpd.controller(f"127.0.0.1:{port}", workers=1)
    running.start()
    yield port
    running.stop()
    running.handler.close()


def _send(port: int, raw: bytes) -> None:
    with smtplib.SMTP("127.0.0.1", port, timeout=60) as client:
        client.sendmail("someone@example.net", ["12345@fankui.example.cn"], raw)


@pytest.mark.django_db(transaction=True)
def test_the_listener_answers_451_to_an_address_over_its_limit(listener: int) -> None:
    for n in range(3):
        _send(listener, message(f"第{n}次", sender=f"person{n}@example.net"))

    with pytest.raises(smtplib.SMTPDataError) as refused:
        _send(listener, message("第四次", sender="person9@example.net"))

    assert refused.value.smtp_code == 451
    assert b"4.7.1 Too many messages from your address" in refused.value.smtp_error
    assert InboundMail.objects.count() == 3 and Case.objects.count() == 3


@pytest.mark.django_db(transaction=True)
def test_a_relay_named_in_the_settings_is_not_counted(listener: int, settings: Any) -> None:
    settings.FANKUI_SMTPD_RELAYS = ["127.0.0.1"]

    for n in range(4):
        _send(listener, message(f"第{n}次", sender=f"person{n}@example.net"))

    assert Case.objects.count() == 4
