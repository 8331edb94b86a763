"""The reminder to rate and a rectification's report are message templates (notify.wording, decision 0024): an
active template of the submitter's language replaces the built-in wording, its placeholders filled as plain text;
the admin refuses a placeholder the message does not have; a broken template falls back to the built-in wording."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client

from fankui.accounts.models import Role, User
from fankui.cases.models import Case
from fankui.notify.models import Message, MessageTemplate
from fankui.surveys.models import Rectification
from fankui.surveys.services import check_rectification, rate, submit_rectification
from fankui.surveys.tasks import send_rating_reminders

from .. import factories
from .conftest import EMAIL

pytestmark = pytest.mark.django_db
ADD = "/admin/notify/messagetemplate/add/"


def _reminded(replied: Callable[..., Case], clock: time_machine.Coordinates) -> tuple[Case, Message]:
    case = replied()
    clock.shift(timedelta(days=3, hours=1))
    assert send_rating_reminders() == 1
    return case, Message.objects.to(EMAIL).get(key__contains="rating-reminder")


def test_an_edited_reminder_is_sent_in_the_submitters_language(
    replied: Callable[..., Case], _frozen_time: time_machine.Coordinates
) -> None:
    MessageTemplate.objects.create(
        key="surveys:rating-reminder",
        language="en",
        subject="Rate {code}, please",
        body="Dear citizen, rate {code} here: {link} (closes after {days} days) <b>{{sic}}</b>",
    )
    case, message = _reminded(replied, _frozen_time)
    assert message.subject == f"Rate {case.display_code}, please"
    assert f"/track/{case.tracking_code}/rate/ (closes after 7 days) <b>{{sic}}</b>" in message.body
    assert "You have not rated" not in message.body and "/notify/optout/" in message.body


def test_a_template_of_another_language_or_inactive_leaves_the_built_in_wording(
    replied: Callable[..., Case], _frozen_time: time_machine.Coordinates
) -> None:
    MessageTemplate.objects.create(key="surveys:rating-reminder", language="zh-hans", subject="请评价", body="{link}")
    MessageTemplate.objects.create(
        key="surveys:rating-reminder", language="en", subject="x", body="{link}", active=False
    )
    _case, message = _reminded(replied, _frozen_time)
    assert "You have not rated the reply" in message.body


def test_a_broken_template_falls_back_to_the_built_in_wording(
    replied: Callable[..., Case], _frozen_time: time_machine.Coordinates
) -> None:
    MessageTemplate.objects.create(key="surveys:rating-reminder", language="en", subject="{measures}", body="{code}")
    _case, message = _reminded(replied, _frozen_time)
    assert "You have not rated the reply" in message.body


def test_an_edited_rectification_report_carries_the_measures_as_written(
    replied: Callable[..., Case], handler: User, head: User
) -> None:
    MessageTemplate.objects.create(
        key="surveys:rectification",
        language="en",
        subject="About {code}",
        body="Done: {measures}\nRate it: {link}",
    )
    case = replied()
    rate(case, 1, "没修好")
    rectification = Rectification.objects.get()
    submit_rectification(rectification, handler, "换了灯具 {code} <script>x</script>")
    check_rectification(rectification, head, True)
    message = Message.objects.to(EMAIL).get(key=f"case:{case.pk}:rectification:{rectification.pk}")
    assert message.subject == f"About {case.display_code}"
    # The department's words are filled in as typed: a brace in them is no placeholder, markup stays text.
    assert "Done: 换了灯具 {code} <script>x</script>\nRate it: " in message.body
    assert f"/track/{case.tracking_code}/rectification/" in message.body


@pytest.mark.parametrize(
    ("key", "body", "error"),
    [
        ("surveys:rating-reminder", "{code} {measures}", "“{measures}” is not a placeholder of this message"),
        ("surveys:rectification", "{days}", "“{days}” is not a placeholder of this message"),
        ("surveys:rectification", "{measures.__class__}", "is not a placeholder: write a name alone in braces"),
        ("surveys:rating-reminder", "{link!r}", "is not a placeholder: write a name alone in braces"),
    ],
)
def test_the_admin_refuses_a_placeholder_the_message_does_not_have(
    client_for: Callable[[User], Client], key: str, body: str, error: str
) -> None:
    client = client_for(factories.user(Role.ADMIN))
    answer = client.post(
        ADD, {"key": key, "language": "en", "active": "on", "subject": "s", "body": body}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert answer.status_code == 200 and error in answer.content.decode()
    assert not MessageTemplate.objects.exists()


def test_the_admin_offers_both_messages_and_previews_them_escaped(client_for: Callable[[User], Client]) -> None:
    client = client_for(factories.user(Role.ADMIN))
    data: dict[str, Any] = {
        "key": "surveys:rectification",
        "language": "en",
        "active": "on",
        "subject": "About {code}",
        "body": "<b>{measures}</b> {link}",
    }
    assert client.post(ADD, data, HTTP_ACCEPT_LANGUAGE="en").status_code == 302
    page = client.get(ADD, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'value="surveys:rating-reminder"' in page and 'value="surveys:rectification"' in page
    template = MessageTemplate.objects.get()
    change = client.get(f"/admin/notify/messagetemplate/{template.pk}/change/", HTTP_ACCEPT_LANGUAGE="en")
    assert "&lt;b&gt;" in change.content.decode() and "<b>已约谈" not in change.content.decode()
