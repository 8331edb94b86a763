from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from fankui.accounts.models import Department, User
from fankui.cases.models import Case

from .. import factories

pytestmark = pytest.mark.django_db


def _get(client: Client, url: str) -> object:
    return client.get(url, headers={"Accept-Language": "en"})


def test_the_dashboard_shows_this_months_figures_with_charts(
    walk: Callable[..., Case], supervisor: User, client_for: Callable[[User], Client]
) -> None:
    walk("2026-11-02 09:00", to="closed", level=5)
    response = _get(client_for(supervisor), "/staff/dashboard/")
    assert response.status_code == 200  # type: ignore[attr-defined]
    page = response.content.decode()  # type: ignore[attr-defined]
    assert "2026-11" in page and "Satisfaction rate" in page
    assert "vendor/echarts.min.js" in page and 'class="echart"' in page
    assert 'href="/staff/dashboard/"' in page  # the staff nav links here


def test_its_query_count_does_not_grow_with_the_number_of_cases(
    walk: Callable[..., Case], supervisor: User, client_for: Callable[[User], Client], settings: Any
) -> None:
    settings.FANKUI_DASHBOARD_CACHE_SECONDS = 0
    client = client_for(supervisor)
    walk("2026-11-02 09:00", to="closed", level=5)
    with CaptureQueriesContext(connection) as few:
        _get(client, "/staff/dashboard/")
    for day in range(3, 9):
        walk(f"2026-11-0{day} 09:00", to="reopened", level=1)
        walk(f"2026-10-0{day} 09:00", to="closed", level=4)
    with CaptureQueriesContext(connection) as many:
        _get(client, "/staff/dashboard/")
    assert len(many) == len(few)


def test_a_filter_it_does_not_understand_is_named_and_the_default_shown(
    supervisor: User, client_for: Callable[[User], Client]
) -> None:
    response = _get(client_for(supervisor), "/staff/dashboard/?period=2026-99&department=999999999999999999999")
    assert response.status_code == 200  # type: ignore[attr-defined]
    page = response.content.decode()  # type: ignore[attr-defined]
    assert "not understood" in page and "YYYY-MM" in page and "2026-11" in page


def test_a_head_cannot_choose_a_department_outside_their_subtree(
    walk: Callable[..., Case], dept: Department, other_dept: Department, client_for: Callable[[User], Client]
) -> None:
    head = factories.user("dept_head", dept)
    walk("2026-11-02 09:00", to="closed", level=5)
    response = _get(client_for(head), f"/staff/dashboard/?department={other_dept.pk}")
    assert response.status_code == 200  # type: ignore[attr-defined]
    assert "not understood" in response.content.decode()  # type: ignore[attr-defined]
    assert response.context["report"].scope_label == dept.name  # type: ignore[attr-defined]


def test_the_report_page_downloads_the_chosen_format(
    walk: Callable[..., Case], supervisor: User, client_for: Callable[[User], Client]
) -> None:
    walk("2026-10-02 09:00", to="closed", level=5)
    client = client_for(supervisor)
    assert _get(client, "/staff/reports/").status_code == 200  # type: ignore[attr-defined]
    response = _get(client, "/staff/reports/?download=1&period=2026-10&format=xlsx")
    assert response["Content-Disposition"] == 'attachment; filename="fankui-report-2026-10.xlsx"'  # type: ignore[index]
    assert response.content.startswith(b"PK")  # type: ignore[attr-defined]
    refused = _get(client, "/staff/reports/?download=1&period=soon&format=doc")
    assert refused.status_code == 200 and "YYYY-MM" in refused.content.decode()  # type: ignore[attr-defined]


def test_people_without_a_staff_role_do_not_see_it(client_for: Callable[[User], Client]) -> None:
    nobody = User.objects.create_user("nobody", password="x-long-password")
    assert _get(client_for(nobody), "/staff/dashboard/").status_code == 403  # type: ignore[attr-defined]
    assert Client().get("/staff/reports/").status_code == 302


def test_the_figures_are_kept_for_a_few_minutes_per_scope_and_period(
    walk: Callable[..., Case], supervisor: User, analyst: User, client_for: Callable[[User], Client]
) -> None:
    walk("2026-11-02 09:00", to="closed", level=5)
    first = _get(client_for(supervisor), "/staff/dashboard/")
    walk("2026-11-03 09:00", to="received")
    again = _get(client_for(analyst), "/staff/dashboard/")  # the same scope: the whole organisation
    assert again.context["report"].volume.total == first.context["report"].volume.total == 1  # type: ignore[attr-defined]
    other_period = _get(client_for(analyst), "/staff/dashboard/?period=2026-W45")
    assert other_period.context["report"].period.key == "2026-W45"  # type: ignore[attr-defined]
