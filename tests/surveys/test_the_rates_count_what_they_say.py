"""The five rates from one rollup: 满意率's numerator follows FANKUI_SATISFIED_LEVELS, the grouping is any field
the ratings and their daily counts share, and the dashboard and the PDF report show them (scoped like every figure)."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from django.test import Client
from django.utils import translation

from fankui.accounts.models import Department, Role, User
from fankui.cases.models import Case
from fankui.insights import builders, charts, periods, queries
from fankui.surveys import rates
from fankui.surveys.models import Rectification
from fankui.surveys.services import check_rectification, rate, record_follow_up, submit_rectification
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def rated(
    replied: Callable[..., Case], other_dept: Department, handler: User, supervisor: User, dispatcher: User
) -> None:
    """dept: 5, 4, 3, 2 (rectified, followed up), 1; other_dept: 4."""
    for level in (5, 4, 3):
        rate(replied(), level)
    rate(replied(), 2)
    bad = Rectification.objects.get()
    submit_rectification(bad, handler, "已整改")
    check_rectification(bad, supervisor, True)
    record_follow_up(bad.rating, dispatcher, "reached")
    rate(replied(), 1)
    rate(replied(department=other_dept), 4)


def test_each_rate_by_department(rated: None, dept: Department, other_dept: Department) -> None:
    groups = rates.rollup("department")
    ours, theirs = groups[dept.pk], groups[other_dept.pk]
    assert (ours.valid, ours.satisfied, ours.good, ours.bad) == (5, 3, 2, 2)
    assert ours.satisfaction.percent == 60.0 and ours.good_rate.percent == 40.0 and ours.bad_rate.percent == 40.0
    assert ours.rectification_rate.percent == 50.0 and ours.follow_up_rate.percent == 50.0
    assert theirs.satisfaction.percent == 100.0 and theirs.rectification_rate.percent is None  # 0 of 0: no figure
    assert rates.total() == ours + theirs


def test_the_satisfied_levels_are_a_setting(rated: None, settings: object) -> None:
    settings.FANKUI_SATISFIED_LEVELS = [5, 4]  # type: ignore[attr-defined]
    assert rates.total().satisfaction.numerator == 3  # 5, 4 and the other department's 4
    report = queries.build(queries.whole_organisation(), periods.parse("2026-11"))
    assert {r.key: r for r in report.rates}["satisfaction"].numerator == 3  # the headline rate follows


def test_a_grouping_is_one_argument(rated: None) -> None:
    assert sum(t.valid for t in rates.rollup("level").values()) == 6
    assert set(rates.rollup("category")) == {None}


def test_the_dashboard_shows_the_rates_scoped(
    rated: None, client_for: Callable[[User], Client], supervisor: User, other_dept: Department
) -> None:
    client = client_for(supervisor)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    page = client.get("/staff/dashboard/?period=2026-11").content.decode()
    assert "Good and bad ratings" in page and "Follow-up rate (回访率)" in page and "Rectification rate" in page

    theirs = client_for(factories.user(Role.HANDLER, other_dept))
    theirs.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    section = theirs.get("/staff/dashboard/?period=2026-11").content.decode().split("Good and bad ratings")[1]
    report = queries.build(queries.scope_for(factories.user(Role.HANDLER, other_dept)), periods.parse("2026-11"))
    assert report.goodbad is not None and report.goodbad.now.valid == 1  # only its own case
    assert other_dept.name in section


def test_the_pdf_report_carries_the_rates(rated: None, tmp_path: Path) -> None:
    if charts.font_file() is None or shutil.which("pdftotext") is None:
        pytest.skip("the PDF's font or pdftotext (poppler-utils) is not installed")
    with translation.override("zh-hans"):
        content = builders.pdf(queries.build(queries.whole_organisation(), periods.parse("2026-11")))
    path = tmp_path / "report.pdf"
    path.write_bytes(content)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    for word in ("满意率", "好评率", "差评率", "整改率", "回访率"):
        assert word in text, word
