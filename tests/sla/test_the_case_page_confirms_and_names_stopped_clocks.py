"""The deadline panel's forms confirm what they did where staff see it; clocks a merge or a rejection stopped are
not called "on time"."""

from __future__ import annotations

from collections.abc import Callable

from django.test import Client

from fankui.accounts.models import Department, User
from tests import factories

EN = {"Accept-Language": "en"}


def test_an_extension_request_lands_on_the_confirmation(
    policies: int, client_for: Callable[[User], Client], dispatcher: User, handler: User, dept: Department
) -> None:
    case = factories.case_in("in_progress", dispatcher=dispatcher, lead=dept, handler=handler)
    response = client_for(handler).post(
        f"/staff/sla/cases/{case.pk}/extension/", {"days": "3", "reason": "需要协调"}, headers=EN, follow=True
    )
    [(location, status)] = response.redirect_chain
    # Not "#sla": the browser would scroll past the confirmation at the top of the page.
    assert (location, status) == (f"/staff/cases/{case.pk}/", 302)
    assert "The extension request was sent to the supervisors." in response.content.decode()


def test_supervision_lands_on_the_confirmation(
    policies: int, client_for: Callable[[User], Client], dispatcher: User, handler: User, dept: Department,
    supervisor: User,
) -> None:  # fmt: skip
    case = factories.case_in("in_progress", dispatcher=dispatcher, lead=dept, handler=handler)
    response = client_for(supervisor).post(
        f"/staff/sla/cases/{case.pk}/supervise/", {"instruction": "今天内联系诉求人"}, headers=EN, follow=True
    )
    assert response.redirect_chain == [(f"/staff/cases/{case.pk}/", 302)]
    assert "The supervision instruction was recorded." in response.content.decode()


def test_a_merged_or_rejected_cases_clocks_are_not_on_time(
    policies: int, client_for: Callable[[User], Client], dispatcher: User, handler: User, dept: Department
) -> None:
    client = client_for(dispatcher)
    for state, words in (("merged", "stopped (merged)"), ("rejected", "stopped (not accepted)")):
        case = factories.case_in(state, dispatcher=dispatcher, lead=dept, handler=handler)
        page = client.get(f"/staff/cases/{case.pk}/", headers=EN).content.decode()
        panel = page[page.index('id="sla"') : page.index("</section>", page.index('id="sla"'))]
        assert words in panel
        # Only the acceptance clock (a rejection or a merge is a response) may say "on time".
        assert panel.count("on time") <= 1
