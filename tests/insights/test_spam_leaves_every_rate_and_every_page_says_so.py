"""Cases marked as spam or abuse are in no case figure, numerator or denominator, on the board, the dashboard, the
report and the figures API; and each of them says how many were left out. Before, a spam case counted as received and
unanswered (response rate), and its clocks, stopped by the end of the case, as closed on time. A rating given before
the mark still counts in 满意率, as in the five 好差评 rates, until an appeal takes it out
(tests/surveys/test_a_spam_case_s_rating_counts_until_an_appeal_takes_it_out.py)."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone, translation

from fankui.accounts.models import User
from fankui.accounts.services import issue_token
from fankui.actions import rates
from fankui.cases.models import Case
from fankui.cases.services import moves
from fankui.insights import builders, layout, periods, queries
from fankui.portal import board
from fankui.sla.defaults import ensure_defaults
from fankui.surveys.services import rate
from tests import factories

pytestmark = pytest.mark.django_db
MOMENT = "2026-11-20 10:00"
NOTE = "2 more cases were marked as spam or abuse and are not counted."


@pytest.fixture
def month(
    walk: Callable[..., Case],
    dispatcher: User,
    supervisor: User,
    handler: User,
    at: Callable[[str], AbstractContextManager[object]],
) -> list[Case]:
    """November so far, seen on 20 November: one inquiry answered and closed on time, one rejected, and two spam."""
    ensure_defaults()
    walk("2026-11-02 09:00", to="closed", kind="inquiry", level=5)
    walk("2026-11-02 09:30", to="rejected", kind="inquiry")
    advert = walk("2026-11-03 09:00", to="received", kind="inquiry")
    with at("2026-11-03 09:10"):
        moves.mark_spam(advert, dispatcher, "spam", "推销广告")
    # Rated badly, reopened, then found to be a malicious repeat: the case leaves the case figures; its rating is a
    # rating and stays in 满意率 until an appeal takes it out (one rule with the 好差评 rates).
    insult = walk("2026-11-04 09:00", to="replied", kind="inquiry")
    with at("2026-11-04 10:00"):
        rate(insult, 1)
        moves.start(insult, handler)
        moves.mark_spam(insult, supervisor, "abuse", "反复恶意投诉")
    return [advert, insult]


def test_spam_is_in_no_rate(month: list[Case], at: Callable[[str], AbstractContextManager[object]]) -> None:
    november = periods.parse("2026-11")
    with at(MOMENT):
        start, end = november.start, november.end
        assert rates.received(None, start, end).count() == 2
        response = rates.response(None, start, end)
        assert (response.numerator, response.denominator) == (2, 2)
        satisfaction = rates.satisfaction(None, start, end)
        assert (satisfaction.numerator, satisfaction.denominator) == (1, 2)
        on_time = rates.on_time(start, end, now=timezone.now() + timedelta(days=60))
        assert on_time.denominator == 1  # the closed inquiry only: the spam cases' stopped clocks are not on time
        assert rates.excluded(None, start, end) == 2


def test_the_board_the_dashboard_the_report_and_the_api_say_how_many_were_left_out(
    month: list[Case],
    supervisor: User,
    client_for: Callable[[User], Client],
    at: Callable[[str], AbstractContextManager[object]],
) -> None:
    token = issue_token(supervisor, "figures")
    with at(MOMENT):
        cache.clear()
        assert board.headline().excluded == 2
        public_page = Client().get("/board/", headers={"Accept-Language": "en"}).content.decode()
        dashboard = client_for(supervisor).get("/staff/dashboard/?period=2026-11", headers={"Accept-Language": "en"})
        report = queries.build(queries.whole_organisation(), periods.parse("2026-11"))
        api = Client().get("/api/v1/figures/rates?period=2026-11", headers={"Authorization": f"Bearer {token}"})
    assert "2 more requests were marked as spam or abuse and are not counted." in public_page
    assert NOTE in dashboard.content.decode()
    with translation.override("en"):
        assert layout.summary(report).note == NOTE
        assert NOTE in builders.html(report).decode()
    assert api.status_code == 200 and api.json()["excluded"] == 2


def test_nothing_is_said_when_nothing_was_left_out(walk: Callable[..., Case], supervisor: User) -> None:
    walk("2026-11-02 09:00", to="closed", kind="inquiry", level=5)
    report = queries.build(queries.whole_organisation(), periods.parse("2026-11"))
    assert report.excluded == 0 and layout.summary(report).note == ""
    assert "spam" not in builders.html(report).decode()


def test_a_taken_back_mark_counts_again(dispatcher: User, supervisor: User) -> None:
    case = factories.case()
    moves.mark_spam(case, dispatcher, "spam", "看着像广告")
    november = periods.parse("2026-11")
    assert rates.received(None, november.start, november.end).count() == 0
    moves.unmark_spam(case, supervisor, "是正常诉求")
    assert rates.received(None, november.start, november.end).count() == 1
    assert rates.excluded(None, november.start, november.end) == 0
