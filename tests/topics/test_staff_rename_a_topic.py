"""Staff rename a hot topic; the label they wrote is what actions and messages use, and neither a new case nor the
hourly recount overwrites it, until they hand it back to the analysis."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from fankui.accounts.models import Role, User
from fankui.analysis import pipeline
from fankui.analysis.models import CaseAnalysis
from fankui.cases.services import moves
from fankui.topics import duplicates, services
from fankui.topics.models import Topic
from fankui.topics.tasks import refresh_topics
from tests import factories

pytestmark = pytest.mark.django_db

PLANT = [
    ("投诉丽发新城附近建搅拌站噪音扰民", "丽发新城小区旁边新建了搅拌站，日夜施工，噪音扰民，灰尘很大。"),
    ("丽发新城搅拌站噪音太大", "搅拌站就在丽发新城小区旁边，晚上噪音吵得睡不着觉，请关停搅拌站。"),
]


def plant_topic() -> Topic:
    duplicates.reset_index()
    factories.case(PLANT[0][1], title=PLANT[0][0])
    pipeline.analyse_pending()
    return Topic.objects.get()


def analyst() -> User:
    return factories.user(Role.ANALYST, factories.department("12345热线服务中心", is_dispatch_centre=True))


def test_an_analyst_renames_a_topic_on_its_page(client_for: Callable[[User], Client]) -> None:
    topic = plant_topic()
    user = analyst()
    client = client_for(user)

    page = client.get(reverse("topics:detail", args=[topic.pk]))
    assert b'name="label"' in page.content
    response = client.post(reverse("topics:label", args=[topic.pk]), {"label": "  丽发新城旁搅拌站噪音粉尘扰民 "})

    assert response.status_code == 302
    topic.refresh_from_db()
    assert topic.label == "丽发新城旁搅拌站噪音粉尘扰民"
    assert topic.label_edited and topic.label_edited_by == user and topic.label_edited_at is not None


def test_a_written_label_survives_new_cases_and_the_hourly_recount() -> None:
    topic = plant_topic()
    services.rename(topic, analyst(), "丽发新城搅拌站扰民")
    factories.case(PLANT[1][1], title=PLANT[1][0])
    pipeline.analyse_pending()
    assert CaseAnalysis.objects.filter(topic=topic).count() == 2
    Topic.objects.filter(pk=topic.pk).update(refreshed_at=timezone.now() - timedelta(days=1))
    refresh_topics()

    topic.refresh_from_db()
    assert topic.label == "丽发新城搅拌站扰民"
    assert topic.size == 2


def test_a_recount_that_read_the_topic_before_the_edit_does_not_undo_it() -> None:
    topic = plant_topic()
    stale = Topic.objects.get(pk=topic.pk)
    services.rename(topic, analyst(), "丽发新城搅拌站扰民")
    services.refresh_topic(stale, relabel=True)

    topic.refresh_from_db()
    assert topic.label == "丽发新城搅拌站扰民" and topic.label_edited


def test_handing_the_label_back_makes_it_from_the_cases_again(client_for: Callable[[User], Client]) -> None:
    topic = plant_topic()
    automatic = topic.label
    client = client_for(analyst())
    client.post(reverse("topics:label", args=[topic.pk]), {"label": "随便写的"})

    client.post(reverse("topics:label", args=[topic.pk]), {"automatic": "1"})

    topic.refresh_from_db()
    assert topic.label == automatic and not topic.label_edited


def test_a_handler_may_not_rename_and_an_empty_label_is_refused(
    handler: User, dispatcher: User, client_for: Callable[[User], Client]
) -> None:
    topic = plant_topic()
    automatic = topic.label
    # The handler sees the topic only through its case.
    case = CaseAnalysis.objects.get(topic=topic).case
    moves.accept(case, dispatcher)
    moves.dispatch(case, dispatcher, handler.department)

    handler_client = client_for(handler)
    assert b'name="label"' not in handler_client.get(reverse("topics:detail", args=[topic.pk])).content
    handler_client.post(reverse("topics:label", args=[topic.pk]), {"label": "处理人改的"})
    client_for(dispatcher).post(reverse("topics:label", args=[topic.pk]), {"label": "   "})

    topic.refresh_from_db()
    assert topic.label == automatic and not topic.label_edited


def test_a_new_action_from_the_topic_takes_its_written_label(client_for: Callable[[User], Client]) -> None:
    topic = plant_topic()
    user = factories.user(Role.SUPERVISOR, factories.department("12345热线服务中心", is_dispatch_centre=True))
    services.rename(topic, user, "丽发新城搅拌站扰民")

    page = client_for(user).get(reverse("actions:new") + f"?topic={topic.pk}")

    assert page.status_code == 200
    assert "丽发新城搅拌站扰民" in page.content.decode()


def test_an_administrator_renames_a_topic_in_the_admin(client_for: Callable[[User], Client]) -> None:
    topic = plant_topic()
    admin = factories.user(Role.ADMIN)  # administrators are made staff and superusers
    client = client_for(admin)
    url = reverse("admin:topics_topic_change", args=[topic.pk])
    assert client.get(url).status_code == 200

    response = client.post(url, {"label": "丽发新城搅拌站扰民", "label_edited": "on"})

    assert response.status_code == 302
    topic.refresh_from_db()
    assert topic.label == "丽发新城搅拌站扰民" and topic.label_edited and topic.label_edited_by == admin


def test_a_label_with_a_control_character_is_refused(client_for: Callable[[User], Client]) -> None:
    # Issue 14, item 5: the one text rule (core.text) for a text read without a form; never a 500 on PostgreSQL.
    topic = plant_topic()
    before = topic.label
    client = client_for(analyst())
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    response = client.post(reverse("topics:label", args=[topic.pk]), {"label": "搅拌站\x00噪音"}, follow=True)
    assert "invisible control character" in response.content.decode()
    topic.refresh_from_db()
    assert topic.label == before
