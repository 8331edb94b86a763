from __future__ import annotations

import pytest
from django.test import Client

from fankui.cases.models import Case
from fankui.notify import services
from fankui.notify.models import Channel, Contact, Message, Status
from fankui.portal.notices import submitter_address
from tests import factories


def tell(case: Case, subject: str, body: str, *, key: str) -> bool:
    """A message to the submitter of ``case``, addressed as the portal addresses it."""
    return services.notify_citizen(submitter_address(case), subject, body, key=key, case_id=case.pk)


pytestmark = pytest.mark.django_db


def _link_path() -> str:
    body = Message.objects.get().body
    return "/notify/optout/" + body.split("/notify/optout/")[1].split("/")[0] + "/"


def test_the_link_in_a_message_opts_out_without_login_and_stops_queued_messages() -> None:
    tell(factories.case(contact_email="li@example.com"), "s", "b", key="k")
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    page = client.get(_link_path())
    assert page.status_code == 200
    assert "Stop sending me messages" in page.content.decode()
    assert Contact.objects.filter(opted_out_at__isnull=False).count() == 0  # a GET changes nothing
    client.post(_link_path(), {"choice": "out"})
    assert Contact.objects.to("li@example.com").get(channel=Channel.EMAIL).opted_out_at is not None
    assert Message.objects.get().status == Status.FAILED


def test_a_tampered_link_is_refused_politely() -> None:
    response = Client(HTTP_ACCEPT_LANGUAGE="en").get("/notify/optout/not-a-token/")
    assert response.status_code == 404
    assert "This link is not valid" in response.content.decode()


def test_opting_in_again_works() -> None:
    tell(factories.case(contact_email="li@example.com"), "s", "b", key="k")
    client = Client()
    client.post(_link_path(), {"choice": "out"})
    client.post(_link_path(), {"choice": "in"})
    assert Contact.objects.get().opted_out_at is None
