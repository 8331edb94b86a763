"""Dispatchers and supervisors set or change the category while accepting or dispatching, on the page and through
the API; the service checks it, the move's event records it, and it counts as staff's (final)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from fankui.accounts.models import Department, User
from fankui.analysis import tasks
from fankui.analysis.models import KeywordRule
from fankui.audit.models import Event
from fankui.cases.models import Case, Source
from fankui.cases.services import moves
from fankui.cases.workflow import State
from fankui.core.errors import ValidationFailed
from fankui.sla.defaults import ensure_defaults
from fankui.sla.models import Clock, Policy, Stage, Unit
from fankui.sla.services import clocks
from tests import factories

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
ApiFor = Callable[[User], Client]


def act(client: Client, case: Case, action: str, body: dict[str, Any]) -> Any:
    return client.post(f"/api/v1/cases/{case.pk}/actions/{action}", body, content_type="application/json")


def test_accepting_with_a_category_sets_it_as_staff_s_and_records_it(dispatcher: User) -> None:
    roads = factories.category("城乡建设")
    case = moves.accept(factories.case(), dispatcher, "受理", category=roads)
    case.refresh_from_db()
    assert (case.state, case.category, case.category_source) == (State.ACCEPTED, roads, Source.STAFF)
    event = Event.objects.get(case=case, action="accept")
    assert event.data["category"] == {"from": None, "to": roads.pk, "name": "城乡建设"}


def test_the_deadlines_follow_a_category_chosen_while_accepting(dispatcher: User) -> None:
    ensure_defaults()
    lights = factories.category("路灯")
    clocks.save_policy(Policy(name="路灯：5个工作日", category=lights), [(Stage.REPLY, 5, Unit.WORKING_DAYS)])
    case = moves.accept(factories.case(), dispatcher, category=lights)
    clock = Clock.objects.get(case=case, stage=Stage.REPLY, stopped_at__isnull=True)
    assert clock.policy.name == "路灯：5个工作日"
    assert clock.deadline == dt.datetime(2026, 11, 23, 17, 30, tzinfo=SH)


def test_a_category_set_while_dispatching_is_final_for_the_analysis(dispatcher: User, dept: Department) -> None:
    chosen = factories.category("环境保护")
    KeywordRule.objects.create(name="路灯", keywords="路灯", category=factories.category("城乡建设"))
    case = factories.case("小区门口的路灯坏了一个月")
    moves.accept(case, dispatcher)
    moves.dispatch(case, dispatcher, dept, category=chosen)
    tasks.analyse_pending()
    case.refresh_from_db()
    assert (case.category, case.category_source) == (chosen, Source.STAFF)
    dispatched = Event.objects.get(case=case, action="dispatch")
    assert dispatched.data["category"]["to"] == chosen.pk


def test_an_inactive_category_is_refused_and_nothing_moves(dispatcher: User) -> None:
    case = factories.case()
    with pytest.raises(ValidationFailed) as error:
        moves.accept(case, dispatcher, category=factories.category("旧", active=False))
    assert "category" in error.value.errors
    case.refresh_from_db()
    assert (case.state, case.category) == (State.RECEIVED, None)


def test_the_api_takes_a_category_with_accept_dispatch_and_redispatch(
    dispatcher: User, supervisor: User, dept: Department, other_dept: Department, api_for: ApiFor
) -> None:
    first, second, third = (factories.category(name) for name in ("城乡建设", "环境保护", "交通运输"))
    case = factories.case()
    response = act(api_for(dispatcher), case, "accept", {"category": first.pk})
    assert response.status_code == 200, response.content
    assert response.json()["category"] == {"id": first.pk, "name": "城乡建设"}
    assert response.json()["category_source"] == "staff"
    response = act(api_for(dispatcher), case, "dispatch", {"lead_department": dept.pk, "category": second.pk})
    assert response.json()["category"]["id"] == second.pk
    response = act(api_for(supervisor), case, "redispatch", {"lead_department": other_dept.pk, "category": third.pk})
    assert response.status_code == 200, response.content
    case.refresh_from_db()
    assert (case.category, case.lead_department) == (third, other_dept)


@pytest.mark.parametrize("category", [999_999, 2**70, -1])
def test_the_api_refuses_an_unknown_category_field_by_field(category: int, dispatcher: User, api_for: ApiFor) -> None:
    case = factories.case()
    response = act(api_for(dispatcher), case, "accept", {"category": category})
    assert response.status_code == 422
    case.refresh_from_db()
    assert case.state == State.RECEIVED


def test_the_api_without_a_category_leaves_it_as_it_is(dispatcher: User, api_for: ApiFor) -> None:
    chosen = factories.category("城乡建设")
    case = factories.case(category=chosen.pk)
    assert act(api_for(dispatcher), case, "accept", {"note": "好"}).status_code == 200
    case.refresh_from_db()
    assert (case.category, case.category_source) == (chosen, Source.CITIZEN)


def test_the_page_offers_the_category_tree_and_keeps_the_category_unless_one_is_chosen(
    dispatcher: User, page_for: Callable[[User], Client]
) -> None:
    roads = factories.category("城乡建设")
    lights = factories.category("路灯", roads)
    factories.category("不再使用", roads, active=False)
    case = factories.case(category=roads.pk)
    client = page_for(dispatcher)
    html = client.get(f"/staff/cases/{case.pk}/").content.decode()
    assert 'id="id_accept_category"' in html
    assert '<optgroup label="城乡建设">' in html
    assert f'<option value="{lights.pk}">路灯</option>' in html
    assert "不再使用" not in html
    assert "Keep “城乡建设” (chosen by the submitter)" in html
    assert client.post(f"/staff/cases/{case.pk}/accept/", {"category": ""}).status_code == 302
    case.refresh_from_db()
    assert (case.state, case.category, case.category_source) == (State.ACCEPTED, roads, Source.CITIZEN)
    other = factories.case()
    assert client.post(f"/staff/cases/{other.pk}/accept/", {"category": str(lights.pk)}).status_code == 302
    other.refresh_from_db()
    assert (other.category, other.category_source) == (lights, Source.STAFF)
    page = client.get(f"/staff/cases/{other.pk}/").content.decode()
    assert "Category: 路灯" in page


def test_the_dispatch_form_takes_a_category_too(
    dispatcher: User, dept: Department, page_for: Callable[[User], Client]
) -> None:
    lights = factories.category("路灯")
    case = factories.case()
    moves.accept(case, dispatcher)
    response = page_for(dispatcher).post(
        f"/staff/cases/{case.pk}/dispatch/", {"lead_department": str(dept.pk), "category": str(lights.pk)}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.state, case.category, case.category_source) == (State.DISPATCHED, lights, Source.STAFF)


def test_a_category_no_longer_offered_is_refused_on_the_page(
    dispatcher: User, page_for: Callable[[User], Client]
) -> None:
    gone = factories.category("旧", active=False)
    case = factories.case()
    response = page_for(dispatcher).post(f"/staff/cases/{case.pk}/accept/", {"category": str(gone.pk)})
    assert response.status_code == 422
    case.refresh_from_db()
    assert case.state == State.RECEIVED
