"""Admin pages showed citizens' phones and e-mails without recording the look (issue 14). The outbox's messages and
contacts now show an address masked (138****5678, c***@example.cn) in lists, change pages and titles, and never
offer it for editing; the case admin shows the title masked and not the submission. Nothing personal is shown, so
there is no look to record."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.utils import timezone

from fankui.accounts.models import Role, User
from fankui.notify import services as notify
from fankui.notify.models import Channel, Contact, Message
from tests import factories

pytestmark = pytest.mark.django_db

PHONE, EMAIL = "13812345678", "citizen@example.cn"


def _pages(client: Client, case_id: int) -> list[str]:
    sms = Message.objects.to(PHONE).get()
    contact = Contact.objects.to(EMAIL).get()
    urls = [
        "/admin/notify/message/",
        f"/admin/notify/message/{sms.pk}/change/",
        "/admin/notify/contact/",
        f"/admin/notify/contact/{contact.pk}/change/",
        f"/admin/notify/contact/{contact.pk}/delete/",
        "/admin/cases/case/",
        f"/admin/cases/case/{case_id}/change/",
    ]
    pages = []
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        pages.append(response.content.decode())
    return pages


def test_the_admin_shows_citizens_addresses_masked(client_for: Callable[[User], Client]) -> None:
    case = factories.case("请回电", title=f"电话{PHONE}", contact_phone=PHONE, contact_email=EMAIL)
    notify.notify_citizen(notify.Address(Channel.SMS, PHONE), "受理", "您的诉求已受理", key="k", case_id=case.pk)
    Contact.objects.create(channel=Channel.EMAIL, address=EMAIL, opted_out_at=timezone.now())
    admin = factories.user(Role.ADMIN)

    pages = _pages(client_for(admin), case.pk)
    for page in pages:
        assert PHONE not in page and EMAIL not in page
    assert "138****5678" in pages[0] and "138****5678" in pages[1] and "c***@example.cn" in pages[2]
    assert "138****5678" in pages[6]  # the case's title, masked

    # An administrator can still find a person's messages by the full number (the admin echoes what was typed into
    # the search box); the rows found show it masked.
    found = client_for(admin).get("/admin/notify/message/", {"q": PHONE}).content.decode()
    assert '<td class="field-shown_address">138****5678</td>' in found


def test_an_opt_out_taken_on_the_phone_can_still_be_entered(client_for: Callable[[User], Client]) -> None:
    admin = factories.user(Role.ADMIN)
    response = client_for(admin).post(
        "/admin/notify/contact/add/", {"channel": Channel.SMS, "address": PHONE, "bounce_reason": ""}
    )
    assert response.status_code == 302
    assert Contact.objects.to(PHONE).filter(channel=Channel.SMS).exists()
