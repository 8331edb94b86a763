from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from fankui.accounts.models import Department, User
from fankui.analysis import services, tasks
from fankui.analysis.models import CaseAnalysis
from fankui.audit.models import Event
from fankui.core.errors import PermissionDenied, ValidationFailed
from tests import factories

pytestmark = pytest.mark.django_db
ClientFor = Callable[[User], Client]


def english(client: Client) -> Client:
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def test_the_case_page_shows_the_analysis_with_confidences(dispatcher: User, client_for: ClientFor) -> None:
    case = factories.case("楼道里闻到很浓的煤气味，请马上派人！")
    tasks.analyse_pending()
    page = english(client_for(dispatcher)).get(f"/staff/cases/{case.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Emergency: handle immediately." in html
    assert "gas leak" in html
    assert "Correct the analysis" in html
    assert "%" in html


def test_a_pending_analysis_says_so(dispatcher: User, client_for: ClientFor) -> None:
    case = factories.case()
    page = english(client_for(dispatcher)).get(f"/staff/cases/{case.pk}/")
    assert "Not analysed yet" in page.content.decode()


def test_a_likely_duplicate_offers_a_one_click_merge(dispatcher: User, client_for: ClientFor) -> None:
    first = factories.case("幸福小区3栋门口的路灯坏了一个月，晚上很黑，请尽快修理。")
    second = factories.case("幸福小区3栋门口的路灯坏了一个月，晚上很黑，请尽快修理！")
    tasks.analyse_pending()
    analysis = CaseAnalysis.objects.get(case=second)
    assert analysis.duplicate_of_id == first.pk
    client = english(client_for(dispatcher))
    html = client.get(f"/staff/cases/{second.pk}/").content.decode()
    assert f"Merge into {first.number}" in html
    response = client.post(f"/staff/cases/{second.pk}/merge/", {"primary": first.number})
    assert response.status_code == 302
    second.refresh_from_db()
    assert second.merged_into_id == first.pk


def test_a_dispatcher_corrects_kind_category_and_department(dispatcher: User, dept: Department) -> None:
    case = factories.case("请问公积金怎么提取？")
    tasks.analyse_pending()
    category = factories.category("劳动和社会保障")
    services.correct(case, dispatcher, kind="inquiry", category=category, department=dept)
    case.refresh_from_db()
    assert case.category == category
    analysis = CaseAnalysis.objects.get(case=case)
    assert analysis.department == dept and analysis.department_confidence == 1.0
    assert analysis.model_versions["category"] == "staff"
    event = Event.objects.get(case=case, action="analysis_corrected")
    assert event.public is False
    assert event.data["category"]["to"] == category.pk
    assert event.data["department"]["to"] == dept.pk


def test_a_handler_may_not_correct(handler: User) -> None:
    case = factories.case()
    with pytest.raises(PermissionDenied):
        services.correct(case, handler, kind="inquiry")


def test_an_unknown_kind_is_refused(dispatcher: User) -> None:
    with pytest.raises(ValidationFailed):
        services.correct(factories.case(), dispatcher, kind="nonsense")


def test_the_correction_form_saves_and_bad_input_is_a_message(
    dispatcher: User, dept: Department, client_for: ClientFor
) -> None:
    case = factories.case()
    client = english(client_for(dispatcher))
    response = client.post(f"/staff/analysis/cases/{case.pk}/correct/", {"department": str(dept.pk)}, follow=True)
    assert response.status_code == 200
    assert "the correction is saved" in response.content.decode()
    response = client.post(f"/staff/analysis/cases/{case.pk}/correct/", {"department": "99999999999999999999999"})
    assert response.status_code == 302
    assert CaseAnalysis.objects.get(case=case).department == dept


def test_emergencies_head_the_triage_inbox_and_are_marked(dispatcher: User, client_for: ClientFor) -> None:
    ordinary = factories.case("小区路灯坏了")
    emergency = factories.case("电梯困人，里面有老人")
    tasks.analyse_pending()
    html = english(client_for(dispatcher)).get("/staff/triage/").content.decode()
    assert html.index(emergency.number) < html.index(ordinary.number)
    assert 'class="badge emergency"' in html


def test_lists_show_the_masked_title_to_everyone(dispatcher: User, client_for: ClientFor) -> None:
    factories.case("请回电", title="电话13812345678找我")
    tasks.analyse_pending()
    # Even a dispatcher, who calls people back: the number is on the case page, not in the list.
    html = english(client_for(dispatcher)).get("/staff/cases/").content.decode()
    assert "13812345678" not in html
    assert "138****5678" in html
