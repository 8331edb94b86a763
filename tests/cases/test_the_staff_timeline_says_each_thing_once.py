"""The staff timeline names each step once: no "Received → Received", no extension date printed twice."""

from __future__ import annotations

import re
from collections.abc import Callable

from django.test import Client
from django.utils import timezone

from fankui.accounts.models import Department, User
from fankui.cases.models import Case
from fankui.sla.defaults import ensure_defaults
from fankui.sla.services import extensions


def _timeline(page: str) -> str:
    start = page.index('<ol class="timeline">')
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page[start : page.index("</ol>", start)]))


def test_a_step_named_like_its_state_shows_no_arrow_and_a_change_of_state_does(
    case_in: Callable[[str], Case], page_for: Callable[[User], Client], dispatcher: User
) -> None:
    case = case_in("in_progress")
    text = _timeline(page_for(dispatcher).get(f"/staff/cases/{case.pk}/").content.decode())
    assert "Received → Received" not in text and "Accepted → Accepted" not in text
    assert "Dispatched → Dispatched" not in text
    assert "Handling started → In progress" in text


def test_an_approved_extensions_new_date_is_printed_once(
    case_in: Callable[[str], Case],
    page_for: Callable[[User], Client],
    handler: User,
    supervisor: User,
    dept: Department,
) -> None:
    ensure_defaults()
    case = case_in("in_progress")
    extension = extensions.request_extension(case, handler, 5, "需要协调供电公司")
    extension = extensions.decide_extension(extension.pk, supervisor, approve=True)
    text = _timeline(page_for(supervisor).get(f"/staff/cases/{case.pk}/").content.decode())
    assert extension.new_deadline is not None
    new_date = timezone.localtime(extension.new_deadline).strftime("%Y-%m-%d %H:%M")
    assert "Extension approved" in text and text.count(new_date) == 1
