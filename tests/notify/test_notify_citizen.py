from __future__ import annotations

import pytest
from django.core import mail
from django.utils import translation

from fankui.notify import delivery, services
from fankui.notify.models import Channel, Message, Status
from tests import factories

pytestmark = pytest.mark.django_db


def test_a_citizen_with_an_e_mail_is_written_to_once_per_key() -> None:
    case = factories.case(contact_email="Li@Example.com", contact_phone="13800138000")
    assert services.notify_citizen(case, "Your request", "We fixed it", key="action:1:done") is True
    assert services.notify_citizen(case, "Your request", "We fixed it", key="action:1:done") is False
    message = Message.objects.get()
    assert (message.channel, message.address) == (Channel.EMAIL, "li@example.com")
    assert "/notify/optout/" in message.body


def test_two_cases_of_the_same_person_give_one_message() -> None:
    first = factories.case(contact_phone="13800138000")
    second = factories.case(contact_phone="13800138000")
    assert services.notify_citizen(first, "s", "b", key="k") is True
    assert services.notify_citizen(second, "s", "b", key="k") is False
    assert Message.objects.get().channel == Channel.SMS


def test_anonymous_and_contactless_submitters_get_nothing() -> None:
    anonymous = factories.case(anonymous=True, contact_phone="13800138000")
    silent = factories.case()
    assert services.notify_citizen(anonymous, "s", "b", key="k") is False
    assert services.notify_citizen(silent, "s", "b", key="k") is False
    assert not Message.objects.exists()


def test_an_opted_out_citizen_gets_nothing() -> None:
    case = factories.case(contact_email="li@example.com")
    services.opt_out(services.Address(Channel.EMAIL, "li@example.com"))
    assert services.notify_citizen(case, "s", "b", key="k") is False
    assert not Message.objects.exists()


def test_a_bounced_address_fails_at_once_and_says_why() -> None:
    case = factories.case(contact_email="gone@example.com")
    services.mark_bounced(Channel.EMAIL, "gone@example.com", "550 no such user")
    with translation.override("en"):
        assert services.notify_citizen(case, "s", "b", key="k") is False
    message = Message.objects.get()
    assert message.status == Status.FAILED
    assert "bounced" in message.last_error
    assert delivery.deliver_due() == 0
    assert mail.outbox == []
