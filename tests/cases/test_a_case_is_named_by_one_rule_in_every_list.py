"""One rule names a case in every list (the case list, an action's cases, the API's list; ``queries.shown_title``):
the title with personal data masked, for every reader, the dispatcher who calls people back included. Before the
analysis has run the list masks the title itself with the same masking (issue 14: the API's list gave titles with
phone and ID numbers as written, and the pages showed them raw until the analysis ran)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from fankui.accounts.models import Department, Role, User
from fankui.analysis.models import CaseAnalysis
from fankui.cases.models import Case
from fankui.cases.queries import shown_title
from tests import factories

pytestmark = pytest.mark.django_db

ID_NUMBER = "11010519491231002X"  # a valid check digit
WRITTEN = f"张三 13812345678 身份证{ID_NUMBER} 家门口路灯不亮"
ANALYSED = "张* 138****5678 身份证1101**********002X 家门口路灯不亮"
EN = {"Accept-Language": "en"}


def _case_with_an_action(dept: Department) -> tuple[Case, int]:
    case = factories.case("晚上很黑，请尽快修理。", title=WRITTEN, contact_name="张三")
    analyst = factories.user(Role.ANALYST, dept)
    action = factories.action(
        analyst, analyst, dept, title="修复路灯", goal="恢复照明", measures="更换灯具", case_ids=[case.pk]
    )
    return case, action.pk


def _lists(client: Client, api: Client, action_id: int) -> list[str]:
    return [
        client.get("/staff/cases/", headers=EN).content.decode(),
        client.get(f"/staff/actions/{action_id}/", headers=EN).content.decode(),
        api.get("/api/v1/cases").json()["items"][0]["title"],
    ]


@pytest.mark.parametrize("role", [Role.DISPATCHER, Role.SUPERVISOR, Role.ANALYST, Role.ADMIN])
def test_every_list_masks_the_title_before_and_after_the_analysis(
    dept: Department,
    client_for: Callable[[User], Client],
    api_for: Callable[[User], Client],
    role: str,
) -> None:
    case, action_id = _case_with_an_action(dept)
    reader = factories.user(role)
    client, api = client_for(reader), api_for(reader)

    for shown in _lists(client, api, action_id):  # not analysed yet: masked on the fly
        assert "13812345678" not in shown and ID_NUMBER not in shown and "张三" not in shown
        assert "138****5678" in shown and "Not analysed yet" not in shown

    CaseAnalysis.objects.filter(case=case).update(status=CaseAnalysis.Status.DONE, masked_title=ANALYSED)
    for shown in _lists(client, api, action_id):  # the analysis's own masking once it has run
        assert ANALYSED in shown and "13812345678" not in shown


def test_a_case_without_a_title_is_named_by_the_start_of_its_masked_text(dispatcher: User) -> None:
    case = factories.case("电话13812345678" + "路" * 60)
    title = shown_title(case, dispatcher)
    assert title.startswith("电话138****5678路") and "13812345678" not in title
    assert len(title) == 41
