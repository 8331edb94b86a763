"""Issue 14, "Tests that must exist": XSS payloads in every text field a citizen or staff fill, submitted through
intake and the staff's steps, and every page that shows the case checked for live markup (the same case in a real
browser: ``tests/e2e/test_xss_payloads_never_run_in_a_browser.py``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from fankui.accounts.models import Department, User
from fankui.analysis.models import CaseAnalysis
from fankui.insights import builders, periods, queries
from tests.xss import Planted, live_markup, plant

pytestmark = pytest.mark.django_db


def pages(p: Planted) -> dict[str, tuple[str, str]]:
    """Every page showing the case: path -> (who looks, the text that must show there)."""
    code = p.case.tracking_code
    return {
        f"/track/{code}/": ("citizen", "reply"),
        f"/staff/cases/{p.case.pk}/": ("staff", "body"),
        "/staff/cases/": ("staff", "title"),
        "/staff/triage/": ("staff", ""),
        "/staff/topics/": ("staff", "topic"),
        f"/staff/topics/{p.topic.pk}/": ("staff", "topic"),
        "/staff/actions/": ("staff", "action"),
        f"/staff/actions/{p.action.pk}/": ("staff", "measures"),
        f"/staff/actions/new/?topic={p.topic.pk}": ("staff", "topic"),
        "/staff/dashboard/?period=2026-11": ("staff", "topic"),
        "/board/": ("public", "action"),
        f"/board/{p.action.pk}/": ("public", "progress"),
        "/board/widget/": ("public", "action"),
        "/board/feed/": ("public", "measures"),
        "/staff/inbox/": ("handler", ""),
    }


def test_no_page_showing_the_case_holds_live_markup(
    en: Client,
    dept: Department,
    dispatcher: User,
    handler: User,
    supervisor: User,
    client_for: Callable[[User], Client],
) -> None:
    cache.clear()
    planted = plant(en, dept, dispatcher, handler, supervisor)
    viewers: dict[str, Any] = {"citizen": en, "public": Client(), "staff": client_for(supervisor)}
    viewers["handler"] = client_for(handler)
    for path, (who, shown) in pages(planted).items():
        response = viewers[who].get(path)
        assert response.status_code == 200, path
        html = response.content.decode()
        assert live_markup(html) == [], path
        if shown:
            assert shown in html and "xss1" in html, f"{path} does not show the {shown}"


def test_the_html_report_holds_no_live_markup(
    en: Client, dept: Department, dispatcher: User, handler: User, supervisor: User
) -> None:
    plant(en, dept, dispatcher, handler, supervisor)
    CaseAnalysis.objects.update(status=CaseAnalysis.Status.DONE)
    report = queries.build(queries.whole_organisation(), periods.parse("2026-11"))
    html = builders.html(report).decode()
    assert live_markup(html) == []
    assert "topic" in html and "xss1" in html
