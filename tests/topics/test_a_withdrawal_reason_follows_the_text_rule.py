"""Issue 14, item 5: the reason for taking a topic's label off public pages is read without a form; it follows the one
text rule (core.text): a control character is refused with the message, the approval stays, never a 500."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.utils import timezone

from fankui.accounts.models import User
from fankui.analysis.models import CaseAnalysis
from fankui.topics import services
from fankui.topics.models import Topic, TopicEvent
from tests import factories


@pytest.mark.django_db
def test_a_withdrawal_reason_with_a_control_character_is_refused(
    supervisor: User, client_for: Callable[[User], Client]
) -> None:
    case = factories.case("幸福小区门口路灯坏了一个月")
    now = timezone.now()
    topic = Topic.objects.create(label="幸福小区路灯", size=1, first_seen_at=now, last_seen_at=now)
    CaseAnalysis.objects.filter(case=case).update(topic=topic)
    services.approve_for_public(topic, supervisor)
    client = client_for(supervisor)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    response = client.post(
        f"/staff/topics/{topic.pk}/public/", {"decision": "withdraw", "reason": "涉及\x00个人"}, follow=True
    )
    assert "invisible control character (U+0000)" in response.content.decode()
    topic.refresh_from_db()
    assert topic.public_label == "幸福小区路灯"
    assert not TopicEvent.objects.filter(kind="public_withdrawn").exists()
