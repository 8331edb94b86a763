from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from fankui.notify.models import Channel, Contact

pytestmark = pytest.mark.django_db


def test_the_bounce_command_marks_and_clears_an_address() -> None:
    call_command("notify_bounce", "email", "Gone@Example.com", "--reason", "550", stdout=StringIO())
    contact = Contact.objects.to("gone@example.com").get(channel=Channel.EMAIL)
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
