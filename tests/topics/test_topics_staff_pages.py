"""Staff pages of hot topics: hottest first, filters, a topic's cases as masked text, scoped by who sees what."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from fankui.accounts.models import Department, User
from fankui.analysis.models import CaseAnalysis
from fankui.cases.models import Case
from fankui.cases.services import moves
from fankui.topics.models import Topic
from tests import factories

pytestmark = pytest.mark.django_db


def topic(label: str, *, heat: float, active: bool = True, **kwargs: object) -> Topic:
    now = timezone.now()
    return Topic.objects.create(
        label=label, heat=heat, active=active, first_seen_at=now - timedelta(days=3), last_seen_at=now, **kwargs
    )


def member(t: Topic, body: str = "丽发新城搅拌站噪音扰民，联系电话13800138000", masked: str = "") -> Case:
    case = factories.case(body)
    CaseAnalysis.objects.filter(case=case).update(topic=t, masked_body=masked)
    return case


def english(client: Client) -> Client:
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def test_the_list_shows_visible_topics_hottest_first(dispatcher: User, client_for: Callable[[User], Client]) -> None:
    cool = topic("魅力之城 油烟 烧烤", heat=20, keywords=["油烟", "烧烤"], size=2)
    hot = topic("丽发新城 搅拌站 噪音", heat=50, keywords=["搅拌站", "噪音"], size=30, growth=3.5)
    old = topic("伊景园 车位", heat=90, active=False)
    for t in (cool, hot, old):
        member(t)
    topic("nobody's cases", heat=99)

    page = english(client_for(dispatcher)).get("/staff/topics/")

    html = page.content.decode()
    assert page.status_code == 200
    assert html.index("丽发新城 搅拌站 噪音") < html.index("魅力之城 油烟 烧烤")
    assert "伊景园" not in html and "nobody" not in html
    assert "搅拌站 噪音" in html and "×3.5" in html
    retired = english(client_for(dispatcher)).get("/staff/topics/?show=retired").content.decode()
    assert "伊景园" in retired and "丽发新城" not in retired
    everything = english(client_for(dispatcher)).get("/staff/topics/?show=nonsense").content.decode()
    assert "丽发新城" in everything  # an unknown filter falls back to active topics


def test_a_topic_page_lists_its_cases_as_masked_text_with_the_actions_panel(
    dispatcher: User, client_for: Callable[[User], Client]
) -> None:
    t = topic("丽发新城 搅拌站 噪音", heat=50, place="丽发新城", keywords=["搅拌站"])
    case = member(t, masked="丽发新城搅拌站噪音扰民，联系电话[手机号]")
    pending = member(t)

    page = english(client_for(dispatcher)).get(f"/staff/topics/{t.pk}/")

    html = page.content.decode()
    assert page.status_code == 200
    assert "[手机号]" in html and "13800138000" not in html
    assert case.number in html and pending.number in html
    assert "Not analysed yet" in html
    assert "Improvement actions" in html  # the actions app's panel is included


def test_a_department_sees_only_topics_and_cases_of_its_own_cases(
    dispatcher: User, handler: User, dept: Department, other_dept: Department, client_for: Callable[[User], Client]
) -> None:
    mine, theirs = topic("ours", heat=10), topic("theirs", heat=20)
    ours = member(mine, masked="我们的")
    moves.accept(ours, dispatcher)
    moves.dispatch(ours, dispatcher, dept)
    other = member(theirs, masked="别人的")
    moves.accept(other, dispatcher)
    moves.dispatch(other, dispatcher, other_dept)
    hidden = member(mine, masked="未派单的")

    client = english(client_for(handler))
    listing = client.get("/staff/topics/").content.decode()

    assert "ours" in listing and "theirs" not in listing
    assert client.get(f"/staff/topics/{theirs.pk}/").status_code == 404
    detail = client.get(f"/staff/topics/{mine.pk}/").content.decode()
    assert ours.number in detail and hidden.number not in detail


def test_unknown_topics_and_strangers_get_no_page(dispatcher: User, client_for: Callable[[User], Client]) -> None:
    client = client_for(dispatcher)

    assert client.get("/staff/topics/999/").status_code == 404
    assert client.get(f"/staff/topics/{2**70}/").status_code == 404
    assert Client().get("/staff/topics/").status_code == 302


def test_the_topic_lists_are_paged_and_the_filter_survives_paging(
    dispatcher: User, client_for: Callable[[User], Client], settings: object
) -> None:
    settings.FANKUI_PAGE_SIZE = 1  # type: ignore[attr-defined]
    retired = [topic(f"旧话题{n}", heat=10 - n, active=False) for n in range(2)]
    for t in retired:
        member(t)
    for n in range(2):
        member(retired[0], masked=f"第{n}件")

    first = english(client_for(dispatcher)).get("/staff/topics/", {"show": "retired"}).content.decode()
    assert "旧话题0" in first and "旧话题1" not in first
    assert "Page 1 of 2" in first and 'href="?show=retired&amp;page=2"' in first and "Previous" not in first
    second = english(client_for(dispatcher)).get("/staff/topics/", {"show": "retired", "page": "2"}).content.decode()
    assert "旧话题1" in second and 'href="?show=retired&amp;page=1"' in second and "Next" not in second
    detail = english(client_for(dispatcher)).get(f"/staff/topics/{retired[0].pk}/").content.decode()
    assert "Page 1 of 3" in detail and 'href="?page=2"' in detail
