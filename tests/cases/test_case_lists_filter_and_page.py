"""The case lists: filters, search, paging and order, as pages (with and without htmx) and through the API.
Input that does not parse is ignored with a notice, never an error page."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from fankui.accounts.models import Department, User
from fankui.cases.models import Case
from fankui.cases.services import moves
from tests import factories

PageFor = Callable[[User], Client]
ApiFor = Callable[[User], Client]


def listed(page: str) -> list[int]:
    """The ids of the cases a list page shows, in order (each row links its number and its title)."""
    return list(dict.fromkeys(int(pk) for pk in re.findall(r'href="/staff/cases/(\d+)/"', page)))


def received(days_ago: int, **kwargs: object) -> Case:
    return factories.case(received_at=timezone.now() - timedelta(days=days_ago), **kwargs)  # type: ignore[arg-type]


@pytest.mark.django_db
def test_triage_shows_waiting_cases_oldest_first(dispatcher: User, dept: Department, page_for: PageFor) -> None:
    new, old, older = received(0), received(3), received(10)
    accepted = received(1)
    moves.accept(accepted, dispatcher)
    dispatched = received(20)
    moves.accept(dispatched, dispatcher)
    moves.dispatch(dispatched, dispatcher, dept)
    page = page_for(dispatcher).get("/staff/triage/").content.decode()
    assert listed(page) == [older.pk, old.pk, accepted.pk, new.pk]
    assert "3\xa0days ago" in page


@pytest.mark.django_db
def test_all_cases_are_newest_first(dispatcher: User, page_for: PageFor) -> None:
    old, new = received(5), received(1)
    assert listed(page_for(dispatcher).get("/staff/cases/").content.decode()) == [new.pk, old.pk]


@pytest.mark.django_db
def test_each_filter_narrows_the_list(
    dispatcher: User, dept: Department, other_dept: Department, page_for: PageFor, api_for: ApiFor
) -> None:
    lamps = factories.category("市政设施")
    lamp = factories.category("路灯", lamps)
    noise = factories.category("噪音")
    a = received(10, kind="complaint", category=lamp.pk, title="路灯不亮")
    b = received(5, kind="suggestion", category=noise.pk, body="建议夜间施工提前公告，噪音太大")
    c = received(1, kind="praise")
    moves.accept(b, dispatcher)
    moves.dispatch(b, dispatcher, other_dept)
    today = timezone.localdate()
    cases = [
        ({"state": "received"}, {a.pk, c.pk}),
        ({"kind": "suggestion"}, {b.pk}),
        ({"category": lamps.pk}, {a.pk}),  # a parent category finds its children's cases
        ({"department": other_dept.pk}, {b.pk}),
        ({"date_from": (today - timedelta(days=6)).isoformat()}, {b.pk, c.pk}),
        ({"date_to": (today - timedelta(days=5)).isoformat()}, {a.pk, b.pk}),
        ({"q": "噪音 公告"}, {b.pk}),
        ({"q": a.number}, {a.pk}),
        ({"q": c.display_code.lower()}, {c.pk}),
        ({"state": "received", "kind": "praise"}, {c.pk}),
    ]
    client, api = page_for(dispatcher), api_for(dispatcher)
    for query, expected in cases:
        assert set(listed(client.get("/staff/cases/", query).content.decode())) == expected, query
        assert {item["id"] for item in api.get("/api/v1/cases", query).json()["items"]} == expected, query


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [
        {"date_from": "abc"},
        {"date_to": "2026-13-45"},
        {"date_from": "0001-01-01"},
        {"date_to": "9999-12-31"},
        {"state": "bogus"},
        {"state": "closed"},  # not a triage state
        {"kind": "<script>"},
        {"category": "x"},
        {"category": "99999999999999999999999"},
        {"department": "-1"},
        {"page": "999"},
        {"page": "abc"},
        {"page": "-5"},
        {"q": "x" * 500},
    ],
)
def test_bad_filter_values_are_ignored_with_a_notice_never_an_error(
    query: dict[str, str], dispatcher: User, page_for: PageFor
) -> None:
    case = factories.case()
    response = page_for(dispatcher).get("/staff/triage/", query)
    assert response.status_code == 200
    page = response.content.decode()
    assert listed(page) == [case.pk]
    if "page" not in query:
        assert "These filters were not understood and are ignored" in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [
        {"date_from": "abc"},
        {"date_to": "9999-12-31"},
        {"state": "bogus"},
        {"kind": "x"},
        {"category": "x"},
        {"department": "99999999999999999999999"},
        {"page": "0"},
        {"page_size": "1000"},
        {"q": "x" * 500},
    ],
)
def test_bad_filter_values_in_the_api_are_a_422_with_the_field(
    query: dict[str, str], dispatcher: User, api_for: ApiFor
) -> None:
    response = api_for(dispatcher).get("/api/v1/cases", query)
    assert response.status_code == 422
    data = response.json()
    assert data["code"] == "validation_failed" and set(data["errors"]) == set(query)


@pytest.mark.django_db
def test_lists_are_paged_and_the_filters_survive_paging(
    dispatcher: User, page_for: PageFor, api_for: ApiFor, settings: object
) -> None:
    settings.FANKUI_PAGE_SIZE = 2  # type: ignore[attr-defined]
    made = [received(n, kind="inquiry") for n in range(5)]
    received(9, kind="praise")
    client = page_for(dispatcher)
    first = client.get("/staff/cases/", {"kind": "inquiry"}).content.decode()
    assert listed(first) == [made[0].pk, made[1].pk]
    assert "Page 1 of 3" in first and 'href="?kind=inquiry&amp;page=2"' in first
    last = client.get("/staff/cases/", {"kind": "inquiry", "page": "3"}).content.decode()
    assert listed(last) == [made[4].pk]
    assert listed(client.get("/staff/cases/", {"kind": "inquiry", "page": "999"}).content.decode()) == [made[4].pk]

    data = api_for(dispatcher).get("/api/v1/cases", {"kind": "inquiry", "page": 2, "page_size": 2}).json()
    assert data["count"] == 5 and [i["id"] for i in data["items"]] == [made[2].pk, made[3].pk]
    assert api_for(dispatcher).get("/api/v1/cases", {"page": 99}).json()["items"] == []


@pytest.mark.django_db
def test_htmx_gets_only_the_table_and_the_browser_the_whole_page(dispatcher: User, page_for: PageFor) -> None:
    case = factories.case()
    client = page_for(dispatcher)
    full = client.get("/staff/cases/")
    assert "<html" in full.content.decode() and 'hx-get="/staff/cases/"' in full.content.decode()
    partial = client.get("/staff/cases/", headers={"HX-Request": "true"})
    body = partial.content.decode()
    assert "<html" not in body and body.strip().startswith('<div id="case-table">')
    assert listed(body) == [case.pk]
    assert "HX-Request" in partial["Vary"]
    restore = client.get("/staff/cases/", headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})
    assert "<html" in restore.content.decode()


@pytest.mark.django_db
def test_a_row_shows_number_title_kind_category_state_department_and_time(
    dispatcher: User, dept: Department, page_for: PageFor
) -> None:
    category = factories.category("路灯")
    titled = received(2, title="路灯不亮", category=category.pk)
    untitled = received(1, body="一" * 39 + "二三四五六七八九十")
    moves.accept(titled, dispatcher)
    moves.dispatch(titled, dispatcher, dept)
    page = page_for(dispatcher).get("/staff/cases/").content.decode()
    for text in (titled.number, "路灯不亮", "Complaint", "路灯", '<span class="badge dispatched">Dispatched</span>'):
        assert text in page
    assert dept.name in page and "2\xa0days ago" in page
    assert "一" * 39 + "二…" in page and "三" not in page
    assert timezone.localtime(untitled.created_at).strftime("%Y-%m-%d %H:%M") in page


@pytest.mark.django_db
def test_the_filter_form_offers_the_trees_indented(dispatcher: User, dept: Department, page_for: PageFor) -> None:
    factories.department("物业管理科", dept)
    factories.category("路灯", factories.category("市政设施"))
    page = page_for(dispatcher).get("/staff/cases/").content.decode()
    assert "\u3000物业管理科</option>" in page and "\u3000路灯</option>" in page
