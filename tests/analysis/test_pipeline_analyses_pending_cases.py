from __future__ import annotations

import pytest

from fankui.accounts.models import Department
from fankui.analysis import pipeline, tasks
from fankui.analysis.models import CaseAnalysis, KeywordRule
from fankui.audit.models import Event
from fankui.cases.models import Case
from fankui.cases.workflow import State
from fankui.nlp import rules
from tests import factories

pytestmark = pytest.mark.django_db


def analysis_of(case: Case) -> CaseAnalysis:
    return CaseAnalysis.objects.get(case=case)


def test_the_sweep_fills_in_every_result_with_confidences_and_model_versions() -> None:
    case = factories.case(
        "我叫王建国，电话13812345678。投诉楼下烧烤店每天营业到凌晨两点，噪音扰民严重。",
        title="投诉烧烤店噪音",
        contact_name="王建国",
    )
    assert tasks.analyse_pending() == 1
    analysis = analysis_of(case)
    assert analysis.status == CaseAnalysis.Status.DONE
    assert analysis.analysed_at is not None
    assert "13812345678" not in analysis.masked_body and "王建国" not in analysis.masked_body
    assert analysis.personal_data == {"mobile": 1, "name": 1}
    assert analysis.kind == "complaint" and 0 < (analysis.kind_confidence or 0) <= 1
    assert analysis.nature == "problem"
    assert analysis.sentiment == "negative" and (analysis.sentiment_score or 0) < 0
    assert analysis.urgency == "normal"
    assert set(analysis.model_versions) >= {"kind", "nature", "sentiment", "urgency", "masking"}
    assert analysis.model_versions["sentiment"].startswith("sentiment-")


def test_running_the_sweep_again_does_nothing() -> None:
    factories.case()
    assert tasks.analyse_pending() == 1
    assert tasks.analyse_pending() == 0


def test_an_emergency_is_flagged_with_an_internal_event_once() -> None:
    case = factories.case("楼道里闻到很浓的煤气味，敲门没人应，请马上来人！")
    tasks.analyse_pending()
    analysis = analysis_of(case)
    assert analysis.urgency == "emergency"
    assert analysis.urgency_reasons == ["gas"]
    flagged = Event.objects.filter(case=case, action="flagged_emergency")
    assert flagged.count() == 1
    assert flagged.get().public is False
    CaseAnalysis.objects.filter(pk=analysis.pk).update(status=CaseAnalysis.Status.PENDING)
    tasks.analyse_pending()
    assert flagged.count() == 1


def test_keyword_rules_give_category_and_department_before_any_training() -> None:
    roads = factories.category("城乡建设")
    dept = factories.department("市城管局")
    rule = KeywordRule.objects.create(name="路灯", keywords="路灯\n照明", category=roads, department=dept)
    case = factories.case("小区门口的路灯坏了一个月，晚上很黑。")
    tasks.analyse_pending()
    analysis = analysis_of(case)
    assert analysis.category == roads
    assert analysis.department == dept
    assert analysis.rule == rule
    assert analysis.model_versions["category"] == f"rule-{rule.pk}"


def test_the_category_s_usual_department_is_suggested_when_no_rule_names_one() -> None:
    dept = factories.department("市交通运输局")
    transport = factories.category("交通运输", department=dept)
    KeywordRule.objects.create(name="公交", keywords="公交", category=transport)
    case = factories.case("建议增加公交线路")
    tasks.analyse_pending()
    assert analysis_of(case).department == dept


def test_a_failing_case_does_not_hold_up_the_others(monkeypatch: pytest.MonkeyPatch) -> None:
    real = rules.urgency

    def broken(text: str) -> rules.UrgencyResult:
        if "坏数据" in text:
            raise RuntimeError("model broke")
        return real(text)

    monkeypatch.setattr(rules, "urgency", broken)
    bad = factories.case("坏数据")
    good = factories.case("小区门口的路灯坏了")
    tasks.analyse_pending()
    assert analysis_of(good).status == CaseAnalysis.Status.DONE
    failed = analysis_of(bad)
    assert failed.status == CaseAnalysis.Status.FAILED
    assert failed.attempts == pipeline.MAX_ATTEMPTS
    assert "model broke" in failed.error


def test_auto_dispatch_sends_a_confidently_routed_case_as_the_system(settings: pytest.FixtureRequest) -> None:
    settings.FANKUI_AUTO_DISPATCH_CONFIDENCE = 0.7  # type: ignore[attr-defined]
    dept = factories.department("市城管局")
    KeywordRule.objects.create(name="占道", keywords="占道经营\n摆摊", department=dept)
    case = factories.case("路边占道经营，摆摊的很多")
    tasks.analyse_pending()
    case.refresh_from_db()
    assert case.state == State.DISPATCHED
    assert case.lead_department == dept
    dispatch = Event.objects.get(case=case, action="dispatch")
    assert dispatch.actor_kind == "system" and dispatch.data["auto"] is True


def test_without_the_setting_nothing_is_dispatched_automatically() -> None:
    dept = factories.department("市城管局")
    KeywordRule.objects.create(name="占道", keywords="占道经营\n摆摊", department=dept)
    case = factories.case("路边占道经营，摆摊的很多")
    tasks.analyse_pending()
    case.refresh_from_db()
    assert case.state == State.RECEIVED
    assert analysis_of(case).department == dept


def test_an_emergency_is_never_dispatched_automatically(settings: pytest.FixtureRequest) -> None:
    settings.FANKUI_AUTO_DISPATCH_CONFIDENCE = 0.5  # type: ignore[attr-defined]
    dept: Department = factories.department("燃气公司")
    KeywordRule.objects.create(name="燃气", keywords="燃气\n泄漏\n煤气", department=dept)
    case = factories.case("燃气泄漏了，煤气味很大")
    tasks.analyse_pending()
    case.refresh_from_db()
    assert case.state == State.RECEIVED
