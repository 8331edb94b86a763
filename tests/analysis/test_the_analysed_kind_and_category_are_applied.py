"""A case whose submitter chose no kind (or category) takes the analysed one when the analysis is sure enough; the
deadlines follow at once; the submitter's and staff's choices are final."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from fankui.accounts.models import User
from fankui.analysis import services, tasks
from fankui.analysis.models import CaseAnalysis, KeywordRule
from fankui.audit.models import Event
from fankui.cases.models import Case, Source
from fankui.sla.defaults import ensure_defaults
from fankui.sla.models import Clock, Stage
from tests import factories

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
THANKS = "感谢社区网格员小王帮独居老人买药送菜，特此表扬！"
QUESTION = "请问居住证办理需要多久？需要带什么材料？"


def reply_clock(case: Case) -> Clock:
    return Clock.objects.get(case=case, stage=Stage.REPLY, stopped_at__isnull=True)


def analysed(case: Case) -> Case:
    tasks.analyse_pending()
    case.refresh_from_db()
    return case


def analyse_again(case: Case) -> Case:
    CaseAnalysis.objects.filter(case=case).update(status=CaseAnalysis.Status.PENDING)
    return analysed(case)


def test_a_thank_you_note_nobody_labelled_becomes_praise_as_the_system_s_change() -> None:
    ensure_defaults()
    case = factories.case(THANKS)
    assert reply_clock(case).policy.name == "Complaint: 13 working days"
    case = analysed(case)
    assert (case.kind, case.kind_source, case.kind_confidence) == ("praise", Source.SYSTEM, 0.9)
    event = Event.objects.get(case=case, action="reclassified")
    assert event.actor_kind == "system" and event.actor is None and event.public is False
    assert event.data["kind"] == {"from": "complaint", "to": "praise", "confidence": 0.9}
    assert event.data["models"]["kind"] == "rules-2026.11"
    # Praise is answered within 3 working days, not on the complaint's 13.
    assert reply_clock(case).policy.name == "Praise: 3 working days"


def test_an_inquiry_nobody_labelled_gets_three_working_days() -> None:
    ensure_defaults()
    case = analysed(factories.case(QUESTION))
    assert case.kind == "inquiry"
    clock = reply_clock(case)
    assert clock.policy.name == "Inquiry: 3 working days"
    assert clock.deadline == dt.datetime(2026, 11, 19, 17, 30, tzinfo=SH)


def test_the_kind_the_submitter_chose_is_never_changed() -> None:
    case = analysed(factories.case(THANKS, kind="complaint"))
    assert (case.kind, case.kind_source) == ("complaint", Source.CITIZEN)
    assert not Event.objects.filter(case=case, action="reclassified").exists()


def test_a_staff_correction_is_final_whatever_later_analyses_say(dispatcher: User) -> None:
    case = analysed(factories.case(THANKS))
    assert case.kind == "praise"
    services.correct(case, dispatcher, kind="suggestion")
    case = analyse_again(case)
    assert (case.kind, case.kind_source) == ("suggestion", Source.STAFF)
    # The analysis shown beside it keeps the correction too.
    analysis = CaseAnalysis.objects.get(case=case)
    assert (analysis.kind, analysis.model_versions["kind"]) == ("suggestion", "staff")


def test_staff_choosing_the_kind_already_shown_makes_it_theirs(dispatcher: User) -> None:
    case = analysed(factories.case(THANKS))
    services.correct(case, dispatcher, kind="praise")
    case.refresh_from_db()
    assert (case.kind, case.kind_source, case.kind_confidence) == ("praise", Source.STAFF, None)


def test_below_the_threshold_the_case_keeps_its_kind(settings: pytest.FixtureRequest) -> None:
    settings.FANKUI_APPLY_KIND_CONFIDENCE = 0.95  # type: ignore[attr-defined]
    case = analysed(factories.case(THANKS))
    assert (case.kind, case.kind_source) == ("complaint", "")


def test_an_empty_setting_applies_nothing(settings: pytest.FixtureRequest) -> None:
    settings.FANKUI_APPLY_KIND_CONFIDENCE = None  # type: ignore[attr-defined]
    settings.FANKUI_APPLY_CATEGORY_CONFIDENCE = None  # type: ignore[attr-defined]
    roads = factories.category("城乡建设")
    KeywordRule.objects.create(name="路灯", keywords="路灯\n照明", category=roads)
    case = analysed(factories.case("小区门口的路灯坏了，晚上很黑，建议尽快修好"))
    assert (case.kind, case.category) == ("complaint", None)


def test_the_analysed_category_is_applied_and_a_chosen_one_is_kept() -> None:
    roads = factories.category("城乡建设")
    chosen = factories.category("环境保护")
    KeywordRule.objects.create(name="路灯", keywords="路灯\n照明", category=roads)
    unlabelled = analysed(factories.case("小区门口的路灯坏了一个月，晚上很黑。"))
    assert (unlabelled.category, unlabelled.category_source) == (roads, Source.SYSTEM)
    assert unlabelled.category_confidence == CaseAnalysis.objects.get(case=unlabelled).category_confidence
    event = Event.objects.get(case=unlabelled, action="reclassified")
    assert event.data["category"]["to"] == roads.pk and event.data["category"]["name"] == "城乡建设"
    labelled = analysed(factories.case("小区门口的路灯坏了一个月，晚上很黑。", category=chosen.pk))
    assert (labelled.category, labelled.category_source) == (chosen, Source.CITIZEN)


def test_an_emergency_found_by_the_analysis_moves_the_deadlines_at_once() -> None:
    ensure_defaults()
    case = analysed(factories.case("楼道里闻到很浓的煤气味，请马上派人！"))
    # Without waiting for the sla_follow_urgency sweep.
    assert reply_clock(case).policy.urgency == "emergency"


def test_the_case_page_says_the_analysis_set_the_kind_and_how_sure_it_was(
    dispatcher: User, client_for: Callable[[User], Client]
) -> None:
    case = analysed(factories.case(THANKS))
    client = client_for(dispatcher)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    html = client.get(f"/staff/cases/{case.pk}/").content.decode()
    assert "set by the analysis, 90%" in html
    assert "Classified by the analysis" in html
    assert "Kind: Complaint → Praise (90%)" in html
