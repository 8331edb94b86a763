"""One rule names a case in every list (the case list, an action's cases, the API; ``queries.shown_title``): staff
who may see personal data read the title as written, everyone else the masked one, and nothing before analysis."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from fankui.accounts import permissions
from fankui.accounts.models import Department, Role, User
from fankui.analysis.models import CaseAnalysis
from fankui.cases.models import Case
from fankui.cases.queries import shown_title
from tests import factories

pytestmark = pytest.mark.django_db

WRITTEN = "张三 13812345678 家门口路灯不亮"
MASKED = "张* 138****5678 家门口路灯不亮"
EN = {"Accept-Language": "en"}


def _case_with_an_action(dept: Department) -> tuple[Case, int, User]:
    case = factories.case("晚上很黑，请尽快修理。", title=WRITTEN)
    analyst = factories.user(Role.ANALYST, dept)
    action = factories.action(
        analyst, analyst, dept, title="修复路灯", goal="恢复照明", measures="更换灯具", case_ids=[case.pk]
    )
    return case, action.pk, analyst


def _lists(client: Client, api: Client, action_id: int) -> list[str]:
    return [
        client.get("/staff/cases/", headers=EN).content.decode(),
        client.get(f"/staff/actions/{action_id}/", headers=EN).content.decode(),
        api.get("/api/v1/cases").json()["items"][0]["title"],
    ]


def test_staff_who_may_see_personal_data_read_the_title_as_written(
    dept: Department, client_for: Callable[[User], Client], api_for: Callable[[User], Client]
) -> None:
    case, action_id, analyst = _case_with_an_action(dept)
    CaseAnalysis.objects.filter(case=case).update(status=CaseAnalysis.Status.DONE, masked_title=MASKED)
    assert permissions.may_see_personal_data(analyst)

    for shown in _lists(client_for(analyst), api_for(analyst), action_id):
        assert WRITTEN in shown and MASKED not in shown


def test_everyone_else_reads_the_masked_title_and_nothing_before_the_analysis(
    dept: Department,
    client_for: Callable[[User], Client],
    api_for: Callable[[User], Client],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    case, action_id, analyst = _case_with_an_action(dept)
    # Nobody is without it today; the privacy work narrows who may see personal data, and this is what they read.
    monkeypatch.setattr(permissions, "may_see_personal_data", lambda user: False)
    client, api = client_for(analyst), api_for(analyst)

    for shown in _lists(client, api, action_id):
        assert WRITTEN not in shown and "Not analysed yet" in shown

    CaseAnalysis.objects.filter(case=case).update(status=CaseAnalysis.Status.DONE, masked_title=MASKED)
    for shown in _lists(client, api, action_id):
        assert MASKED in shown and WRITTEN not in shown


def test_a_case_without_a_title_is_named_by_the_start_of_its_text(dispatcher: User) -> None:
    case = factories.case("路" * 60)
    assert shown_title(case, dispatcher) == "路" * 40 + "…"
