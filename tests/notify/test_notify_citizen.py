from __future__ import annotations

import pytest
from django.core import mail
from django.utils import translation

from fankui.cases.models import Case
from fankui.notify import delivery, services
from fankui.notify.models import Channel, Message, Status
from fankui.portal.notices import submitter_address
from tests import factories


def tell(case: Case, subject: str, body: str, *, key: str) -> bool:
    """A message to the submitter of ``case``, addressed as the portal addresses it."""
    return services.notify_citizen(submitter_address(case), subject, body, key=key, case_id=case.pk)


pytestmark = pytest.mark.django_db


def test_a_citizen_with_an_e_mail_is_written_to_once_per_key() -> None:
    case = factories.case(contact_email="Li@Example.com", contact_phone="13800138000")
    assert tell(case, "Your request", "We fixed it", key="action:1:done") is True
    assert tell(case, "Your request", "We fixed it", key="action:1:done") is False
    message = Message.objects.get()
    assert (message.channel, message.address) == (Channel.EMAIL, "li@example.com")
    assert "/notify/optout/" in message.body


def test_two_cases_of_the_same_person_give_one_message() -> None:
    first = factories.case(contact_phone="13800138000")
    second = factories.case(contact_phone="13800138000")
    assert tell(first, "s", "b", key="k") is True
    assert tell(second, "s", "b", key="k") is False
    assert Message.objects.get().channel == Channel.SMS


def test_anonymous_and_contactless_submitters_get_nothing() -> None:
    anonymous = factories.case(anonymous=True, contact_phone="13800138000")
    silent = factories.case()
    assert tell(anonymous, "s", "b", key="k") is False
    assert tell(silent, "s", "b", key="k") is False
    assert not Message.objects.exists()


def test_an_opted_out_citizen_gets_nothing() -> None:
    case = factories.case(contact_email="li@example.com")
    services.opt_out(services.Address(Channel.EMAIL, "li@example.com"))
    assert tell(case, "s", "b", key="k") is False
    assert not Message.objects.exists()


def test_a_bounced_address_fails_at_once_and_says_why() -> None:
    case = factories.case(contact_email="gone@example.com")
    services.mark_bounced(Channel.EMAIL, "gone@example.com", "550 no such user")
    with translation.override("en"):
        assert tell(case, "s", "b", key="k") is False
    message = Message.objects.get()
    assert message.status == Status.FAILED
    assert "bounced" in message.last_error
    assert delivery.deliver_due() == 0
    assert mail.outbox == []
