"""The paths a citizen and the staff take, in a browser: submit on a phone, triage, handle, reply, rate."""

from __future__ import annotations

import re
from typing import Any

import pytest

from fankui.accounts.models import Department, Role, User
from fankui.analysis.pipeline import analyse_pending
from fankui.cases.models import Case
from fankui.cases.workflow import State
from fankui.notify.models import Message
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)
PHONE = {"viewport": {"width": 375, "height": 740}, "is_mobile": True, "has_touch": True}


def sign_in(new_context: Any, base: str, user: User) -> Any:
    page = new_context(locale="en-US").new_page()
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", factories.PASSWORD)
    page.click('form[action$="/accounts/login/"] button[type=submit]')
    page.wait_for_url(re.compile(r"/staff/"))
    return page


def act(page: Any, action: str, fields: dict[str, str] | None = None) -> None:
    form = page.locator(f'form[action$="/{action}/"]')
    summary = page.locator(f'details:has(form[action$="/{action}/"]) > summary')
    if summary.count():
        summary.click()
    for name, value in (fields or {}).items():
        field = form.locator(f'[name="{name}"]')
        if field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()


def test_a_complaint_goes_round_the_whole_loop(new_context: Any, live_server: Any, settings: Any) -> None:
    base = live_server.url
    settings.FANKUI_PUBLIC_URL = base  # the links in the messages point at this server
    factories.department("12345热线", is_dispatch_centre=True, code="centre")
    housing: Department = factories.department("市住房和城乡建设局", code="housing")
    dispatcher = factories.user(Role.DISPATCHER, username="disp")
    handler = factories.user(Role.HANDLER, housing, username="hand")

    # A citizen on a phone, in the default language (Chinese).
    citizen = new_context(**PHONE, locale="zh-CN").new_page()
    citizen.goto(f"{base}/")
    assert citizen.evaluate("document.documentElement.scrollWidth") <= 375  # nothing wider than the phone
    citizen.check('input[name=kind][value="complaint"]')
    citizen.fill("#id_title", "小区夜间施工噪音")
    citizen.fill("#id_body", "幸福小区旁边的工地每天晚上十一点以后还在施工，噪音很大，影响休息。")
    assert citizen.locator("#body-count-n").inner_text() == "33"  # static/portal/portal.js runs under the CSP
    citizen.fill("#id_contact_phone", "13800138000")
    citizen.click("#submit-button")
    code = citizen.locator("#tracking-code").inner_text().strip()
    assert re.fullmatch(r"[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{5}", code)
    case = Case.objects.get()
    analyse_pending()  # what the worker does next: analyse it, and so queue the receipt

    # The dispatcher accepts and dispatches it.
    staff = sign_in(new_context, base, dispatcher)
    staff.goto(f"{base}/staff/triage/")
    staff.click(f"text={case.number}")
    act(staff, "accept")
    act(staff, "dispatch", {"lead_department": str(housing.pk)})
    case.refresh_from_db()
    assert (case.state, case.lead_department_id) == (State.DISPATCHED, housing.pk)

    # The handler finds it in the department inbox, starts and replies.
    staff = sign_in(new_context, base, handler)
    staff.goto(f"{base}/staff/inbox/")
    staff.click(f"text={case.number}")
    act(staff, "start")
    act(staff, "reply", {"body": "已责令施工单位夜间停工，并安排城管巡查。"})
    case.refresh_from_db()
    assert case.state == State.REPLIED

    # The citizen was sent the receipt, the acceptance and the reply by SMS; the reply's link opens the rating form.
    texts = list(Message.objects.to("13800138000").order_by("id").values_list("body", flat=True))
    assert len(texts) == 3 and code in texts[0]
    assert "已责令施工单位夜间停工" in texts[2]
    link = re.search(r"http\S+/rate/", texts[2])
    assert link is not None
    citizen.goto(link.group(0))
    citizen.wait_for_url(re.compile(r"/track/[A-Z0-9]+/"))
    assert citizen.locator("#rate-form").is_visible()

    # Or by the code, on the tracking page: the reply is there, and the rating form.
    citizen.goto(f"{base}/track/")
    citizen.fill("input[name=code]", code.lower().replace("-", " "))
    citizen.locator("input[name=code]").press("Enter")
    citizen.wait_for_url(re.compile(r"/track/[A-Z0-9]+/"))
    assert "已责令施工单位夜间停工" in citizen.content()
    citizen.check('input[name=level][value="5"]')
    citizen.click("#rate-button")
    citizen.wait_for_load_state()
    case.refresh_from_db()
    assert case.state == State.CLOSED
    assert "已办结" in citizen.content() or "Closed" in citizen.content()
