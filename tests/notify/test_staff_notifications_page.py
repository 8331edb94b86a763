from __future__ import annotations

from typing import Any

from fankui.accounts.models import User
from fankui.notify import services
from fankui.notify.models import Message


def test_staff_see_their_notifications_and_the_unread_count(handler: User, client_for: Any) -> None:
    services.notify_staff([handler], "Deadline near", "Case is due tomorrow", key="k")
    client = client_for(handler)
    page = client.get("/staff/notifications/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Deadline near" in text
    assert '<span class="badge count">1</span>' in text


def test_marking_all_read_clears_the_count(handler: User, client_for: Any) -> None:
    services.notify_staff([handler], "s", "b", key="k")
    client_for(handler).post("/staff/notifications/read/")
    assert Message.objects.get().read_at is not None
    assert services.unread_count(handler) == 0


def test_the_page_needs_a_login() -> None:
    from django.test import Client

    assert Client().get("/staff/notifications/").status_code == 302
