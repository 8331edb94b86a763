from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from fankui.accounts.models import Department, User
from fankui.analysis import services, tasks
from fankui.analysis.models import CaseAnalysis, TrainedModel
from fankui.cases.services import moves
from tests import factories

pytestmark = pytest.mark.django_db

ROADS = ["路灯坏了很多天", "马路上有个大坑", "人行道地砖松动", "井盖缺失很危险", "道路积水严重", "路灯不亮了"]
SCHOOLS = ["学校乱收费", "孩子入学学位不够", "幼儿园收费太高", "学校食堂卫生差", "校车超载", "老师体罚学生"]


def dispatched_cases(dispatcher: User, roads: Department, schools: Department) -> None:
    for i in range(4):
        for text in ROADS:
            case = factories.case(f"{text}，第{i}次反映")
            moves.accept(case, dispatcher)
            moves.dispatch(case, dispatcher, roads)
        for text in SCHOOLS:
            case = factories.case(f"{text}，第{i}次反映")
            moves.accept(case, dispatcher)
            moves.dispatch(case, dispatcher, schools)


def test_routing_is_learned_from_where_cases_were_dispatched(dispatcher: User, tmp_path: Path) -> None:
    roads, schools = factories.department("市政局"), factories.department("教育局")
    dispatched_cases(dispatcher, roads, schools)
    texts, labels = services.training_rows("routing")
    assert len(texts) == 48 and set(labels) == {str(roads.pk), str(schools.pk)}
    result = services.retrain("routing")
    assert result.replaced and result.new_f1 is not None
    new = factories.case("路灯坏了，晚上很黑")
    tasks.analyse_pending()
    analysis = CaseAnalysis.objects.get(case=new)
    assert analysis.department == roads
    assert analysis.model_versions["routing"].startswith("routing-")


def test_a_correction_of_an_undispatched_case_counts_for_routing(dispatcher: User) -> None:
    schools = factories.department("教育局")
    case = factories.case("学校乱收费")
    services.correct(case, dispatcher, department=schools)
    texts, labels = services.training_rows("routing")
    assert labels == [str(schools.pk)]
    assert texts == ["学校乱收费"]


def test_categories_are_learned_at_the_first_level(dispatcher: User) -> None:
    top = factories.category("城乡建设")
    leaf = factories.category("路灯", parent=top)
    factories.case("路灯坏了", category=leaf.pk)
    _, labels = services.training_rows("category")
    assert labels == [str(top.pk)]


def test_too_few_cases_leave_the_rules_in_place() -> None:
    result = services.retrain("category")
    assert not result.replaced
    assert "too few" in result.message


def test_a_worse_model_does_not_replace_the_current_one(dispatcher: User) -> None:
    roads, schools = factories.department("市政局"), factories.department("教育局")
    dispatched_cases(dispatcher, roads, schools)
    assert services.retrain("routing").replaced
    current = TrainedModel.objects.get(name="routing")
    # The current model claims to be better than anything can be.
    current.metadata = {**current.metadata, "cv_macro_f1": 1.01}
    current.save(update_fields=["metadata"])
    result = services.retrain("routing")
    assert not result.replaced
    assert "kept the current" in result.message
    assert TrainedModel.objects.get(name="routing").sha256 == current.sha256


def test_the_weekly_sweep_retrains_only_when_due(dispatcher: User) -> None:
    out = StringIO()
    call_command("retrain", stdout=out)
    assert "too few" in out.getvalue()
    assert not services.retrain_due()
    assert tasks.retrain_models() == 0


def test_new_models_requeue_triage_cases_that_had_no_suggestion(dispatcher: User) -> None:
    roads, schools = factories.department("市政局"), factories.department("教育局")
    waiting = factories.case("路灯坏了好几天")
    tasks.analyse_pending()
    assert CaseAnalysis.objects.get(case=waiting).department is None
    dispatched_cases(dispatcher, roads, schools)
    tasks.analyse_pending()
    out = StringIO()
    call_command("retrain", "routing", stdout=out)
    assert "queued for analysis again" in out.getvalue()
    tasks.analyse_pending()
    assert CaseAnalysis.objects.get(case=waiting).department == roads


def test_the_sweep_that_replaces_a_model_analyses_the_requeued_cases_at_once(dispatcher: User) -> None:
    roads, schools = factories.department("市政局"), factories.department("教育局")
    waiting = factories.case("路灯坏了好几天")
    dispatched_cases(dispatcher, roads, schools)
    tasks.analyse_pending()
    assert tasks.retrain_models() >= 1
    analysis = CaseAnalysis.objects.get(case=waiting)
    assert analysis.status == CaseAnalysis.Status.DONE
    assert analysis.department == roads
