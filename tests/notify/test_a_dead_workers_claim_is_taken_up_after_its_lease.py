"""A worker claims messages by moving their next attempt past a lease; one killed mid-send leaves its claim behind.
Another worker leaves those messages alone until the lease expired, then sends them, with the same SMS id and the
same e-mail Message-ID, by which the gateway and mail systems know a repeat (issue 17; docs/operations.md)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.core import mail

from fankui.notify import delivery
from fankui.notify.models import Message, Status
from fankui.notify.services import Address, notify_citizen

pytestmark = pytest.mark.django_db


def test_a_claim_is_left_alone_until_its_lease_expires(settings: Any, _frozen_time: time_machine.Coordinates) -> None:
    settings.FANKUI_NOTIFY_LEASE_SECONDS = 60
    notify_citizen(Address("email", "a@example.com"), "s", "b", key="k1")
    notify_citizen(Address("email", "b@example.com"), "s", "b", key="k2")
    first = delivery._claim(1)  # worker 1 claims one message, then is killed before sending it
    assert len(first) == 1
    # Worker 2, now: only the message nobody holds.
    assert delivery.deliver_due() == 1
    assert Message.objects.get(pk=first[0].pk).status == Status.QUEUED
    _frozen_time.shift(timedelta(seconds=59))
    assert delivery.deliver_due() == 0
    _frozen_time.shift(timedelta(seconds=2))
    assert delivery.deliver_due() == 1
    assert Message.objects.get(pk=first[0].pk).status == Status.SENT


def test_a_message_sent_again_carries_the_same_message_id(settings: Any) -> None:
    notify_citizen(Address("email", "a@example.com"), "s", "b", key="k1")
    message = Message.objects.get()
    delivery.deliver(message)
    message.status = Status.QUEUED  # as if the worker died before it wrote "sent"
    delivery.deliver(message)
    first, second = mail.outbox
    assert (
        first.extra_headers["Message-ID"]
        == second.extra_headers["Message-ID"]
        == f"<fankui.message.{message.pk}@localhost>"
    )


def test_two_workers_never_claim_the_same_message() -> None:
    for n in range(6):
        notify_citizen(Address("email", f"p{n}@example.com"), "s", "b", key=f"k{n}")
    one, two = delivery._claim(3), delivery._claim(10)
    assert len(one) == 3 and len(two) == 3
    assert not {m.pk for m in one} & {m.pk for m in two}
