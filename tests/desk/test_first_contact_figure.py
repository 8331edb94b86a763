"""The dashboard counts the cases answered at first contact (直接答复办结) and their share of those received."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import translation

from fankui.accounts.models import User
from fankui.actions import rates
from fankui.cases.services import moves
from fankui.insights import layout, periods, queries
from tests import factories


@pytest.mark.django_db
def test_answered_at_first_contact_is_counted_of_the_cases_received(
    dispatcher: User, supervisor: User, client_for: Any
) -> None:
    for question in ("请问居住证怎么办理？", "公积金怎么提取？"):
        moves.answer_at_once(factories.case(question), dispatcher, "请携带身份证到服务大厅办理。")
    factories.case("路灯坏了")
    factories.case("井盖丢了")
    factories.case("停水了")
    with translation.override("en"):
        report = queries.build(queries.whole_organisation(), periods.current_month())
        key_figures = layout.summary(report).tables[0].rows
    figure = report.first_contact
    assert figure is not None and (figure.numerator, figure.denominator, figure.value) == (2, 5, 40.0)
    # The monthly report's key figures (HTML, xlsx, PDF) count them too.
    assert ["Answered at first contact", 2, 0, 2] in key_figures
    client = client_for(supervisor)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    page = client.get("/staff/dashboard/").content.decode()
    assert "Answered at first contact" in page and "2 / 5" in page

    assert rates.first_contact(None, figure_period().start, figure_period().end) == rates.Figure(2, 5)


def figure_period() -> periods.Period:
    return periods.current_month()
