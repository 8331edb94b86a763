"""For the same month and moment the public board, the staff dashboard, the report and the API show the same value of
every rate they share. The public board once showed 71.4% closed on time where the dashboard showed 95.8%: the
dashboard counted clocks that had stopped before a deadline still to come, the board only deadlines already passed."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager

import pytest
from django.core.cache import cache
from django.test import Client

from fankui.accounts.models import User
from fankui.accounts.services import issue_token
from fankui.cases.models import Case
from fankui.cases.services import moves
from fankui.insights import layout, periods, queries
from fankui.portal import board
from fankui.sla.defaults import ensure_defaults

pytestmark = pytest.mark.django_db
MOMENT = "2026-11-20 10:00"


@pytest.fixture
def month(walk: Callable[..., Case], dispatcher: User, at: Callable[[str], AbstractContextManager[object]]) -> None:
    """November so far, seen on 20 November. An inquiry must be closed within 10 working days."""
    ensure_defaults()
    walk("2026-11-02 09:00", to="replied", kind="inquiry")  # deadline 16 Nov passed, still open: late
    primary = walk("2026-11-03 09:00", to="closed", kind="inquiry", level=5)  # closed by its deadline: on time
    duplicate = walk("2026-11-03 09:10", to="received", kind="inquiry")
    with at("2026-11-03 09:20"):
        moves.merge(duplicate, dispatcher, primary)  # merged: its primary counts, not it
    walk("2026-11-02 09:30", to="rejected", kind="inquiry")  # rejected: never handled, not counted
    walk("2026-11-09 09:00", to="closed", kind="inquiry", level=5)  # closed, but its deadline (23 Nov) is to come
    walk("2026-11-10 09:00", to="closed", kind="inquiry", level=2)  # reopened by the bad rating, deadline to come


def _dashboard(client: Client) -> dict[str, float | None]:
    response = client.get("/staff/dashboard/?period=2026-11", headers={"Accept-Language": "en"})
    assert response.status_code == 200
    return {r.key: r.value for r in response.context["rates"]}


def _report() -> dict[str, float | None]:
    report = queries.build(queries.whole_organisation(), periods.parse("2026-11"))
    table = layout.summary(report).tables[1]
    keys = [r.key for r in report.rates]
    return {key: row[1] for key, row in zip(keys, table.rows, strict=True)}


def _api(client: Client, token: str) -> dict[str, float | None]:
    response = client.get("/api/v1/figures/rates?period=2026-11", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.content
    return {r["key"]: r["value"] for r in response.json()["rates"]}


def test_every_place_gives_the_same_on_time_and_satisfaction_rates(
    month: None,
    supervisor: User,
    client_for: Callable[[User], Client],
    at: Callable[[str], AbstractContextManager[object]],
) -> None:
    token = issue_token(supervisor, "figures")
    with at(MOMENT):
        cache.clear()
        headline = board.headline()
        dashboard = _dashboard(client_for(supervisor))
        report = _report()
        api = _api(Client(), token)
        public_page = Client().get("/board/", headers={"Accept-Language": "en"}).content.decode()
    # Two closing deadlines have passed: one case closed by it, one still open. Before, the board said 75% (it
    # counted the rejected and the merged case as closed on time) and the dashboard 80% (also the case closed
    # early whose deadline is still to come).
    assert (headline.on_time.numerator, headline.on_time.denominator) == (1, 2)
    assert headline.on_time_rate == dashboard["on_time"] == report["on_time"] == api["on_time"] == 50.0
    assert headline.satisfaction_rate == dashboard["satisfaction"] == report["satisfaction"] == api["satisfaction"]
    assert headline.satisfaction_rate == 66.7
    assert dashboard == report == api
    assert "1 of 2 due so far" in public_page and "2 of 3 ratings" in public_page


def test_the_board_counts_the_same_cases_received_as_the_dashboard(
    month: None, supervisor: User, at: Callable[[str], AbstractContextManager[object]]
) -> None:
    with at(MOMENT):
        received = board.headline().received
        report = queries.build(queries.scope_for(supervisor), periods.parse("2026-11"))
    assert received == report.volume.total == 6
