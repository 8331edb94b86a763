"""Issue 14, item 2: nothing built from citizens' words reaches the public board (its page, feed and widget) until
staff approved it, and a person's name never does. Three anonymous reports naming a police-station head made the
topic "青山镇 王建军 所长", and the board showed it within five minutes."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from fankui.accounts.models import Department, Role, User
from fankui.actions.models import Action
from fankui.actions.services import creating, moves
from fankui.actions.services.creating import ActionInput
from fankui.actions.workflow import Step
from fankui.analysis.models import CaseAnalysis
from fankui.core.errors import PermissionDenied
from fankui.topics import services
from fankui.topics.models import Topic, TopicEvent
from tests import factories

pytestmark = pytest.mark.django_db

LABEL = "青山镇 王建军 所长"
REPORT = "青山镇派出所所长王建军收受贿赂，多次收钱办事。"
PUBLIC_PAGES = ("/board/", "/board/feed/", "/board/widget/")


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    cache.clear()


@pytest.fixture
def topic() -> Topic:
    cases = [factories.case(REPORT, kind="report", anonymous=True) for _ in range(3)]
    now = timezone.now()
    made = Topic.objects.create(label=LABEL, place="青山镇", size=3, heat=9, first_seen_at=now, last_seen_at=now)
    CaseAnalysis.objects.filter(case__in=cases).update(topic=made)
    return made


def _public_action(dept: Department, topic: Topic, title: str = "派出所作风整顿") -> Action:
    analyst = factories.user(Role.ANALYST, dept)
    action = creating.create_action(
        analyst,
        ActionInput(
            title=title,
            goal="整顿作风",
            measures="开展专项检查",
            owner=analyst.pk,
            department=dept.pk,
            deadline="2026-12-31",
            topic=topic.pk,
            public=True,
        ),
    )
    moves.transition(action, analyst, Step.APPROVE)
    return action


def _public_text() -> str:
    return "".join(Client().get(path).content.decode() for path in PUBLIC_PAGES)


def test_an_unapproved_topic_label_is_on_no_public_page(topic: Topic, dept: Department) -> None:
    action = _public_action(dept, topic)
    text = _public_text() + Client().get(f"/board/{action.pk}/").content.decode()
    assert "派出所作风整顿" in text  # the staff-written action is there
    assert "王建军" not in text and "青山镇 王" not in text


def test_an_approved_label_is_shown_with_the_name_masked(topic: Topic, supervisor: User, dept: Department) -> None:
    action = _public_action(dept, topic)
    services.approve_for_public(topic, supervisor)
    board = Client().get("/board/").content.decode()
    assert "青山镇 王某 所长" in board
    assert "青山镇 王某 所长" in Client().get(f"/board/{action.pk}/").content.decode()
    assert "王建军" not in _public_text()
    event = TopicEvent.objects.get(topic=topic)
    assert (event.kind, event.actor, event.label) == ("public_approved", supervisor, LABEL)


def test_a_name_in_an_approved_action_never_reaches_a_public_page(topic: Topic, dept: Department) -> None:
    action = _public_action(dept, topic, title="王建军所长受贿问题整改，举报电话13812345678")
    text = _public_text() + Client().get(f"/board/{action.pk}/").content.decode()
    assert "王某所长受贿问题整改" in text
    assert "王建军" not in text and "13812345678" not in text


def test_a_new_label_withdraws_the_approval(topic: Topic, supervisor: User, dispatcher: User) -> None:
    services.approve_for_public(topic, supervisor)
    services.rename(topic, dispatcher, "青山镇 派出所 作风")
    topic.refresh_from_db()
    assert not services.is_public(topic) and topic.public_label == ""
    assert "派出所 作风" not in Client().get("/board/").content.decode()
    assert list(TopicEvent.objects.filter(topic=topic).values_list("kind", "label")) == [
        ("public_approved", LABEL),
        ("public_withdrawn", LABEL),
    ]


def test_a_label_the_analysis_makes_again_withdraws_the_approval(topic: Topic, supervisor: User) -> None:
    services.approve_for_public(topic, supervisor)
    topic.label = "青山镇 派出所 收钱"
    services.save_labels([topic])
    topic.refresh_from_db()
    assert topic.public_label == "" and TopicEvent.objects.filter(kind="public_withdrawn").count() == 1
    assert "收钱" not in Client().get("/board/").content.decode()


def test_an_approval_of_an_earlier_label_never_counts(topic: Topic, supervisor: User) -> None:
    services.approve_for_public(topic, supervisor)
    Topic.objects.filter(pk=topic.pk).update(label="青山镇 王建军 受贿")  # written past the services (admin, SQL)
    assert "受贿" not in Client().get("/board/").content.decode()


@pytest.mark.parametrize("role", [Role.DISPATCHER, Role.ANALYST, Role.HANDLER, Role.DEPT_HEAD])
def test_only_supervisors_and_administrators_approve(topic: Topic, dept: Department, role: str) -> None:
    with pytest.raises(PermissionDenied):
        services.approve_for_public(topic, factories.user(role, dept))
    assert not Topic.objects.get(pk=topic.pk).public_label


def test_the_topic_page_approves_and_withdraws(
    topic: Topic, supervisor: User, dispatcher: User, client_for: Callable[[User], Client]
) -> None:
    staff = client_for(supervisor)
    staff.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    page = staff.get(f"/staff/topics/{topic.pk}/").content.decode()
    assert "Approve this label for public pages" in page and "青山镇 王某 所长" in page
    assert staff.post(f"/staff/topics/{topic.pk}/public/", {"decision": "approve"}).status_code == 302
    assert "青山镇 王某 所长" in Client().get("/board/").content.decode()
    assert "Withdraw from public pages" in staff.get(f"/staff/topics/{topic.pk}/").content.decode()
    staff.post(f"/staff/topics/{topic.pk}/public/", {"decision": "withdraw", "reason": "涉及具体个人"})
    assert "青山镇" not in Client().get("/board/").content.decode()
    assert TopicEvent.objects.filter(kind="public_withdrawn", message="涉及具体个人").exists()

    other = client_for(dispatcher)
    other.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    assert "Approve this label" not in other.get(f"/staff/topics/{topic.pk}/").content.decode()
    other.post(f"/staff/topics/{topic.pk}/public/", {"decision": "approve"})
    assert Topic.objects.get(pk=topic.pk).public_label == ""


def test_the_feed_summary_is_text_not_html(dept: Department, topic: Topic) -> None:
    action = _public_action(dept, topic)
    Action.objects.filter(pk=action.pk).update(measures='<img src=x onerror="alert(1)"><script>alert(2)</script>')
    feed = Client().get("/board/feed/").content.decode()
    assert '<summary type="text">' in feed and 'type="html"' not in feed
    assert "<script" not in feed and "<img" not in feed
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in feed
