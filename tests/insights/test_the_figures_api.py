"""GET /api/v1/figures/rates: the headline rates over what the token's user may see, refusals as JSON, never a 500."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from fankui.accounts.models import Department, User
from fankui.accounts.services import issue_token
from fankui.cases.models import Case

from .. import factories

pytestmark = pytest.mark.django_db


def _get(user: User, query: str = "") -> tuple[int, dict[str, object]]:
    token = issue_token(user, "figures")
    response = Client().get(f"/api/v1/figures/rates{query}", headers={"Authorization": f"Bearer {token}"})
    return response.status_code, response.json()


def test_it_gives_each_rate_with_numerator_denominator_and_the_previous_period(
    walk: Callable[..., Case], supervisor: User
) -> None:
    walk("2026-11-02 09:00", to="closed", level=5)
    walk("2026-11-02 10:00", to="closed", level=2)
    status, body = _get(supervisor, "?period=2026-11")
    assert status == 200
    assert (body["period"], body["previous_period"]) == ("2026-11", "2026-10")
    rates = {r["key"]: r for r in body["rates"]}  # type: ignore[attr-defined]
    assert set(rates) == {"response", "resolution", "satisfaction", "on_time"}
    satisfaction = rates["satisfaction"]
    assert (satisfaction["numerator"], satisfaction["denominator"], satisfaction["value"]) == (1, 2, 50.0)
    assert satisfaction["previous_value"] is None and satisfaction["change"] is None


def test_a_handler_gets_the_figures_of_their_department_only(
    walk: Callable[..., Case], handler: User, dept: Department, other_dept: Department, dispatcher: User
) -> None:
    walk("2026-11-02 09:00", to="closed", level=5)  # led by the handler's department
    other = factories.user("handler", other_dept)
    factories.case_in("reopened", dispatcher=dispatcher, lead=other_dept, handler=other)
    status, body = _get(handler)
    rates = {r["key"]: r for r in body["rates"]}  # type: ignore[attr-defined]
    assert status == 200 and body["scope"] == dept.name
    assert (rates["satisfaction"]["numerator"], rates["satisfaction"]["denominator"]) == (1, 1)


def test_bad_input_and_other_departments_are_refused_with_a_message(
    handler: User, other_dept: Department, supervisor: User
) -> None:
    status, body = _get(supervisor, "?period=November")
    assert status == 422 and "period" in body["errors"]  # type: ignore[operator]
    status, body = _get(handler, f"?department={other_dept.pk}")
    assert status == 403
    status, _body = _get(supervisor, f"?department={2**70}")
    assert status == 403


def test_it_needs_a_token_of_staff_with_a_role(db: None) -> None:
    assert Client().get("/api/v1/figures/rates").status_code == 401
    nobody = User.objects.create(username="nobody")  # signed up, never given a role
    status, _body = _get(nobody)
    assert status == 403


@pytest.mark.parametrize("period", ["9999-12", "0001-01", "0001-W01", "9999-W52", "1899-12"])
def test_a_period_at_the_ends_of_the_calendar_is_refused_not_a_500(
    supervisor: User, client_for: Callable[[User], Client], period: str
) -> None:
    status, body = _get(supervisor, f"?period={period}")
    assert status == 422 and "period" in body["errors"]  # type: ignore[operator]
    staff = client_for(supervisor)
    for page in ("/staff/dashboard/", "/staff/reports/"):
        assert staff.get(f"{page}?period={period}").status_code < 500


def test_a_handlers_figures_leave_out_the_cases_their_department_only_assists(
    walk: Callable[..., Case], handler: User, dept: Department, other_dept: Department, dispatcher: User
) -> None:
    from fankui.cases.services import moves
    from fankui.surveys.services import rate

    walk("2026-11-02 09:00", to="closed", level=5)  # led by the handler's department
    other = factories.user("handler", other_dept)
    assisted = factories.case()
    moves.accept(assisted, dispatcher)
    moves.dispatch(assisted, dispatcher, other_dept, [dept])  # the handler's department only assists
    moves.start(assisted, other)
    moves.reply(assisted, other, "已处理。")
    rate(assisted, 1)
    _status, body = _get(handler)
    plain = {r["key"]: (r["numerator"], r["denominator"]) for r in body["rates"]}  # type: ignore[attr-defined]
    _status, body = _get(handler, f"?department={dept.pk}")
    chosen = {r["key"]: (r["numerator"], r["denominator"]) for r in body["rates"]}  # type: ignore[attr-defined]
    assert plain == chosen
    assert plain["satisfaction"] == (1, 1)
