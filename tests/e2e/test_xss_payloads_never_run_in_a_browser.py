"""XSS payloads typed into the public form and every staff text, then every page showing the case opened in a real
browser: no dialog opens (an ``alert`` from a payload would), and no payload element lands in the page."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.cache import cache

from fankui.accounts.models import Department, Role
from fankui.cases.models import Case
from tests import factories
from tests.xss import SUBMITTED, work_through

pytestmark = pytest.mark.django_db(transaction=True)


def watch(page: Any, dialogs: list[str]) -> Any:
    def record(dialog: Any) -> None:
        dialogs.append(f"{page.url}: {dialog.message}")
        dialog.dismiss()

    page.on("dialog", record)
    return page


INJECTED = """() => [
  ...document.querySelectorAll("img[src=x], svg[onload], [onerror], [onload], a[href^='javascript:']"),
  ...[...document.scripts].filter(s => s.type !== "application/json" && s.text.includes("xss")),
].map(e => e.outerHTML.slice(0, 80))"""


def injected(page: Any) -> list[str]:
    """Elements a payload would have made, had the text been parsed as markup."""
    return list(page.evaluate(INJECTED))


def test_no_payload_runs_on_any_page_showing_the_case(new_context: Any, live_server: Any) -> None:
    base = live_server.url
    cache.clear()
    factories.department("12345热线", is_dispatch_centre=True, code="centre")
    dept: Department = factories.department("市住房和城乡建设局", code="housing")
    dispatcher = factories.user(Role.DISPATCHER, username="disp")
    handler = factories.user(Role.HANDLER, dept, username="hand")
    supervisor = factories.user(Role.SUPERVISOR, username="super")
    dialogs: list[str] = []

    citizen = watch(new_context(locale="zh-CN").new_page(), dialogs)
    citizen.goto(f"{base}/")
    citizen.check('input[name=kind][value="complaint"]')
    for name in ("title", "body", "contact_name", "contact_phone", "address"):
        citizen.fill(f"#id_{name}", SUBMITTED[name])
    citizen.click("#submit-button")
    code = citizen.locator("#tracking-code").inner_text().strip()
    planted = work_through(Case.objects.get(), dept, dispatcher, handler, supervisor)

    for path in (f"/track/{code}/", "/board/", f"/board/{planted.action.pk}/", "/board/widget/"):
        citizen.goto(base + path)
        assert "xss1" in citizen.content(), path
        assert injected(citizen) == [], path

    staff = watch(new_context(locale="en-US").new_page(), dialogs)
    staff.goto(f"{base}/accounts/login/")
    staff.fill("input[name=username]", supervisor.username)
    staff.fill("input[name=password]", factories.PASSWORD)
    staff.click('form[action$="/accounts/login/"] button[type=submit]')
    staff.wait_for_url(re.compile(r"/staff/"))
    for path in (
        f"/staff/cases/{planted.case.pk}/",
        "/staff/cases/",
        f"/staff/topics/{planted.topic.pk}/",
        f"/staff/actions/{planted.action.pk}/",
        "/staff/dashboard/",
    ):
        staff.goto(base + path)
        staff.wait_for_load_state("networkidle")
        assert "xss1" in staff.content(), path
        for chart in staff.locator(".echart").all():  # a chart's tooltip is HTML: show each one
            chart.hover()
        assert injected(staff) == [], path
    assert dialogs == []
