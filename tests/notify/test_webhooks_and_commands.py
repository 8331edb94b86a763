from __future__ import annotations

import hashlib
import hmac
import json
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from fankui.core.errors import ValidationFailed
from fankui.notify import delivery, services
from fankui.notify.models import Channel, Contact, Message, Status

pytestmark = pytest.mark.django_db


class FakeResponse:
    def __enter__(self) -> FakeResponse:
        return self

    def __exit__(self, *args: object) -> None:
        return None

    def read(self, n: int = -1) -> bytes:
        return b""


def test_a_webhook_is_signed_with_the_secret(settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    settings.FANKUI_WEBHOOK_SECRET = "s3cret"
    seen: list[Any] = []
    monkeypatch.setattr(delivery.urllib.request, "urlopen", lambda req, timeout: seen.append(req) or FakeResponse())
    assert services.notify_webhook("https://hooks.example/in", "s", "b", key="k") is True
    assert services.notify_webhook("https://hooks.example/in", "s", "b", key="k") is False
    delivery.deliver_due()
    request = seen[0]
    expected = hmac.new(b"s3cret", request.data, hashlib.sha256).hexdigest()
    assert request.get_header("X-fankui-signature") == f"sha256={expected}"
    assert json.loads(request.data)["subject"] == "s"
    assert Message.objects.get().status == Status.SENT


def test_a_webhook_needs_an_http_address() -> None:
    with pytest.raises(ValidationFailed):
        services.notify_webhook("ftp://example", "s", "b", key="k")


def test_the_bounce_command_marks_and_clears_an_address() -> None:
    call_command("notify_bounce", "email", "Gone@Example.com", "--reason", "550", stdout=StringIO())
    contact = Contact.objects.get(channel=Channel.EMAIL, address="gone@example.com")
    assert contact.bounce_reason == "550"
    call_command("notify_bounce", "email", "gone@example.com", "--clear", stdout=StringIO())
    contact.refresh_from_db()
    assert contact.bounced_at is None


def test_the_bounce_command_refuses_an_empty_address() -> None:
    with pytest.raises(CommandError):
        call_command("notify_bounce", "sms", "  ", stdout=StringIO())


def test_the_report_command_prints_json() -> None:
    out = StringIO()
    call_command("notify_report", stdout=out)
    assert json.loads(out.getvalue())["sms_gateway_configured"] in (True, False)
