"""Issue 15, "Out": message templates per message and language are editable in the admin, for what staff are told
as for what submitters are told. An active template of a staff notice replaces the built-in wording for staff who
read that language (the link to the case stays under it); the admin offers the staff notices with their own
placeholders and refuses others; every notice has a built-in wording in Chinese and English."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from fankui.accounts.models import Department, Role, User
from fankui.cases.services import moves
from fankui.notify import wording
from fankui.notify.models import Channel, Message, MessageTemplate
from fankui.sla import tasks as sla_tasks
from fankui.sla.defaults import ensure_defaults
from tests import factories

pytestmark = pytest.mark.django_db
ADD = "/admin/notify/messagetemplate/add/"


def _inbox(user: User) -> list[Message]:
    return list(Message.objects.filter(user=user, channel=Channel.IN_APP).order_by("id"))


def test_an_edited_staff_template_is_used_in_its_language(dispatcher: User, dept: Department) -> None:
    english = factories.user(Role.HANDLER, dept, language="en")
    chinese = factories.user(Role.HANDLER, dept, language="zh-hans")
    MessageTemplate.objects.create(
        key="staff:case:dispatch",
        language="en",
        subject="[{lead}] New case {number}",
        body="Case {number} is yours now. Triage says: {note}",
    )
    case = factories.case()
    moves.accept(case, dispatcher)

    moves.dispatch(case, dispatcher, dept, note="请三日内处理")

    [notice] = _inbox(english)
    assert notice.subject == f"[{dept.name}] New case {case.number}"
    assert notice.body.startswith(f"Case {case.number} is yours now. Triage says: 请三日内处理")
    assert f"/staff/cases/{case.pk}/" in notice.body  # the link is added under any template
    [built_in] = _inbox(chinese)  # no template in Chinese: the shipped Chinese wording
    assert built_in.subject != notice.subject and case.number in built_in.subject


def test_a_deadline_notice_is_worded_by_its_template_in_the_recipients_language(dispatcher: User) -> None:
    ensure_defaults()
    dispatcher.language = "en"
    dispatcher.save(update_fields=["language"])
    MessageTemplate.objects.create(
        key="staff:sla:urge", language="en", subject="DUE: {number} ({stage})", body="Was due {deadline}."
    )
    case = factories.case(kind="complaint")
    # The acceptance deadline (1 working day from Monday 10:00) has passed: triage is urged.
    with time_machine.travel(datetime(2026, 11, 17, 18, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False):
        sla_tasks.sweep()
        sla_tasks.send_notices()

    [urged] = [m for m in _inbox(dispatcher) if m.key.endswith(":urge")]
    assert urged.subject == f"DUE: {case.number} (Accept)"  # the stage's name in the reader's language
    assert urged.body.startswith("Was due 2026-11-17 ")


def test_the_admin_offers_staff_notices_and_refuses_a_placeholder_they_do_not_have(
    client_for: Callable[[User], Client],
) -> None:
    admin = factories.user(Role.ADMIN)
    client = client_for(admin)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"

    page = client.get(ADD).content.decode()
    assert 'value="staff:case:supplement"' in page and 'value="case:accept"' in page

    refused = client.post(
        ADD, {"key": "staff:case:return", "language": "en", "active": "on", "subject": "{code}", "body": "{reason}"}
    )
    assert refused.status_code == 200 and "“{code}” is not a placeholder of this message" in refused.content.decode()
    saved = client.post(
        ADD,
        {
            "key": "staff:case:return",
            "language": "zh-hans",
            "active": "on",
            "subject": "退单：{number}",
            "body": "{reason}",
        },
    )
    assert saved.status_code == 302 and MessageTemplate.objects.get().key == "staff:case:return"


def test_every_message_has_its_placeholders_described_and_a_sample() -> None:
    staff = [kind for kind in wording.KINDS.values() if kind.audience == wording.Audience.STAFF]
    assert len(staff) >= 15
    for kind in wording.KINDS.values():
        assert kind.placeholders and all(str(text) for text in kind.placeholders.values())
        assert all(name in wording.SAMPLE for name in kind.names), kind.key
