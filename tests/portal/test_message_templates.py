"""Issue 15, "Out": the wording of each message to submitters is editable per message and language in the admin. An
active template replaces the built-in wording for people who wrote in its language; the admin refuses a template
with a placeholder the message does not have (a form error, never a failure at send time), shows a preview with sample
values (escaped: messages are plain text) and records every change in the audit trail."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from fankui.accounts.models import Role, User
from fankui.analysis import tasks as analysis
from fankui.audit.models import Entry
from fankui.cases.services import moves
from fankui.notify.models import Message, MessageTemplate
from tests import factories

pytestmark = pytest.mark.django_db

EMAIL = "li@example.cn"
ADD = "/admin/notify/messagetemplate/add/"


def _form(**changes: Any) -> dict[str, Any]:
    return {
        "key": "case:accept",
        "language": "en",
        "active": "on",
        "subject": "Accepted: {code}",
        "body": "Dear citizen, {code} is with the right department now.\nTrack it: {link}",
        **changes,
    }


def _admin(client_for: Callable[[User], Client]) -> Client:
    client = client_for(factories.user(Role.ADMIN))
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def _accepted(language: str, dispatcher: User) -> Message:
    case = factories.case(contact_email=EMAIL, language=language)
    moves.accept(case, dispatcher)
    return Message.objects.get(case_id=case.pk, key__endswith=":accept")


def test_an_active_template_replaces_the_built_in_wording_in_its_language(dispatcher: User) -> None:
    MessageTemplate.objects.create(**{k: v for k, v in _form().items() if k != "active"})
    english = _accepted("en", dispatcher)
    assert english.subject.startswith("Accepted: ") and "is with the right department now." in english.body
    assert "/track/" in english.body and "/notify/optout/" in english.body  # the way out is always added
    chinese = _accepted("zh-hans", dispatcher)
    assert "已受理" in chinese.subject  # no template in Chinese: the built-in wording


def test_an_inactive_template_is_not_used(dispatcher: User) -> None:
    MessageTemplate.objects.create(**{k: v for k, v in _form().items() if k != "active"}, active=False)
    assert "was accepted" in _accepted("en", dispatcher).subject


def test_a_template_broken_behind_the_admins_back_falls_back_to_the_built_in_wording(dispatcher: User) -> None:
    MessageTemplate.objects.create(key="case:accept", language="en", subject="{nope}", body="{code.__class__}")
    message = _accepted("en", dispatcher)
    assert "was accepted" in message.subject and "__class__" not in message.body


def test_an_emergency_receipt_keeps_the_advice_to_call_for_help() -> None:
    MessageTemplate.objects.create(key="case:receipt", language="en", subject="Got it: {code}", body="Thanks. {link}")
    factories.case("楼道里着火了，浓烟很大，有人被困，快来救火！", contact_email=EMAIL, language="en", receipt=True)
    analysis.analyse_pending()
    receipt = Message.objects.get(key__endswith=":receipt")
    assert receipt.subject.startswith("Got it:") and "call 110" in receipt.body and "Thanks." in receipt.body


def test_the_admin_saves_a_template_and_previews_it(client_for: Callable[[User], Client]) -> None:
    client = _admin(client_for)
    answer = client.post(ADD, _form(body="<b>{code}</b> {link}"))
    assert answer.status_code == 302, answer.content.decode()[-3000:]
    template = MessageTemplate.objects.get()
    page = client.get(f"/admin/notify/messagetemplate/{template.pk}/change/").content.decode()
    assert "&lt;b&gt;2026-ABCD-1234&lt;/b&gt;" in page and "<b>2026-ABCD-1234</b>" not in page


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"body": "Your request {code} by {name}"}, "“{name}” is not a placeholder of this message"),
        ({"subject": "Refused: {reason}"}, "“{reason}” is not a placeholder of this message"),
        ({"body": "{code.__class__.__init__}"}, "is not a placeholder: write a name alone in braces"),
        ({"body": "{code!r}"}, "is not a placeholder: write a name alone in braces"),
        ({"body": "{code:>40}"}, "is not a placeholder: write a name alone in braces"),
        ({"body": "{0}"}, "is not a placeholder: write a name alone in braces"),
        ({"body": "a { brace"}, "A brace is not closed or not opened"),
        ({"body": "bell \x07"}, "control character"),
        ({"subject": "two\nlines"}, "The subject is one line."),
    ],
)
def test_the_admin_refuses_what_could_not_be_filled(
    client_for: Callable[[User], Client], changes: dict[str, str], error: str
) -> None:
    answer = _admin(client_for).post(ADD, _form(**changes))
    assert answer.status_code == 200 and error in answer.content.decode()
    assert not MessageTemplate.objects.exists()


def test_the_reason_is_a_placeholder_of_a_refusal(client_for: Callable[[User], Client]) -> None:
    answer = _admin(client_for).post(ADD, _form(key="case:reject", body="{code}: {reason} {link}"))
    assert answer.status_code == 302


def test_only_one_active_template_per_message_and_language(client_for: Callable[[User], Client]) -> None:
    client = _admin(client_for)
    client.post(ADD, _form())
    answer = client.post(ADD, _form())
    assert (
        answer.status_code == 200 and "Another active template of this message and language" in answer.content.decode()
    )
    assert client.post(ADD, _form(active="")).status_code == 302  # a draft beside it is fine


def test_every_change_is_audited(client_for: Callable[[User], Client]) -> None:
    client = _admin(client_for)
    client.post(ADD, _form())
    template = MessageTemplate.objects.get()
    client.post(f"/admin/notify/messagetemplate/{template.pk}/change/", _form(subject="Now: {code}"))
    client.post(f"/admin/notify/messagetemplate/{template.pk}/delete/", {"post": "yes"})
    entries = list(Entry.objects.filter(kind="message_template").order_by("id"))
    assert len(entries) == 3
    assert entries[0].data["created"] is True
    assert entries[1].data["changes"] == {"subject": ["Accepted: {code}", "Now: {code}"]}
    assert entries[2].data["deleted"] is True and entries[2].actor is not None
