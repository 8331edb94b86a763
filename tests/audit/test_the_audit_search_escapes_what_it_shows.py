"""XSS payloads in every text the audit search page (/staff/audit/) shows or echoes: the usernames of the people who
acted, an entry's target (a user's name in a change of rights, an export's period), the kind of an entry, the search
terms typed into the form (echoed in its fields and in the "no user" error), and the texts staff wrote with a step
(the events' notes: the list must not show them at all). Nothing of them may reach the page as live markup."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import pytest
from django.test import Client

from fankui.accounts.models import Department, Role, User
from fankui.audit import services
from fankui.cases.services import moves
from tests import factories
from tests.xss import live_markup, payload

SHORT = "<svg onload=alert('xss4')>"  # fits Entry.kind (40 characters)


@pytest.fixture
def auditor(db: None) -> User:
    user = factories.user(Role.AUDITOR)
    user.first_name = payload("auditor name")[:150]  # shown in the staff header
    user.save()
    return user


@pytest.fixture
def planted(db: None, dispatcher: User, dept: Department) -> dict[str, Any]:
    # A username the sign-up rules would refuse, as an import or a shell could write it: the page must escape it.
    odd = User.objects.create(username=payload("username")[:150], role=Role.DISPATCHER, first_name=payload("first"))
    case = factories.case()
    moves.accept(case, odd, note=payload("accept note"))
    moves.dispatch(case, dispatcher, dept, note=payload("dispatch note"))
    services.record_rights_change(odd, odd, {"role": ["handler", payload("role")]})
    services.record_export(odd, "report", period=payload("period"), format="xlsx")
    services.record_entry(SHORT, actor=odd, target=payload("target"), data={"what": payload("data")})
    services.record_access(odd, case, SHORT)
    services.record_login(payload("typed name")[:150], False, "203.0.113.9")
    return {"case": case, "odd": odd}


def _page(client: Client, **terms: str) -> str:
    answer = client.get("/staff/audit/?" + urlencode(terms))
    assert answer.status_code == 200
    return answer.content.decode()


def test_the_trail_is_listed_and_nothing_in_it_runs(auditor: User, planted: dict[str, Any], client_for: Any) -> None:
    page = _page(client_for(auditor))
    assert live_markup(page) == []
    # The payloads are there, as text: the usernames, the target, the kind of the entry and of the look.
    for shown in ("username", "target", "export", "xss4"):
        assert shown in page, shown
    assert "&lt;script&gt;" in page
    # Staff's notes are not part of the list: the trail shows codes and names.
    assert "accept note" not in page and "dispatch note" not in page


@pytest.mark.parametrize("field", ["actor", "case", "kind"])
def test_search_terms_are_echoed_as_text(auditor: User, planted: dict[str, Any], client_for: Any, field: str) -> None:
    typed = payload(f"search {field}")[:20] if field == "case" else payload(f"search {field}")[:40]
    page = _page(client_for(auditor), **{field: typed})
    assert live_markup(page) == []
    assert f"search {field}" in page  # echoed in the form's field


def test_a_search_by_the_odd_user_finds_their_rows_and_runs_nothing(
    auditor: User, planted: dict[str, Any], client_for: Any
) -> None:
    page = _page(client_for(auditor), actor=planted["odd"].username)
    assert live_markup(page) == []
    assert "No records match." not in page and planted["case"].number in page
