"""``cases.signals.cases_reclassified``: a new kind, category or urgency re-applies the policies at once."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.db import connection
from django.test.utils import CaptureQueriesContext

from fankui.accounts.models import User
from fankui.analysis.models import CaseAnalysis
from fankui.cases.models import Case
from fankui.cases.services import classification
from fankui.cases.services.classification import Finding
from fankui.sla.models import Clock, Policy, Stage, Unit
from fankui.sla.services import clocks
from tests import factories

SH = ZoneInfo("Asia/Shanghai")


def reply(case: Case) -> Clock:
    return Clock.objects.get(case=case, stage=Stage.REPLY, stopped_at__isnull=True)


def test_a_staff_correction_of_the_kind_moves_the_deadlines(policies: int, dispatcher: User) -> None:
    case = factories.case("请问居住证办理需要多久？")
    assert reply(case).deadline == dt.datetime(2026, 12, 3, 17, 30, tzinfo=SH)
    classification.reclassify(case, kind="inquiry", user=dispatcher)
    assert reply(case).policy.name == "Inquiry: 3 working days"
    assert reply(case).deadline == dt.datetime(2026, 11, 19, 17, 30, tzinfo=SH)


def test_an_urgency_no_policy_names_writes_no_clock(policies: int) -> None:
    case = factories.case(kind="complaint")
    CaseAnalysis.objects.filter(case=case).update(urgency="normal")
    case = Case.objects.select_related("submission", "analysis").get(pk=case.pk)
    with CaptureQueriesContext(connection) as queries:
        classification.classify_by_system([(case, Finding(urgency=("", "normal")))])
    assert not [q for q in queries.captured_queries if "sla_clock" in q["sql"]]
    assert reply(case).urgency == ""


def test_an_urgency_a_policy_names_applies_its_policy_at_once(policies: int) -> None:
    clocks.save_policy(Policy(name="Urgent: 5 working days", urgency="urgent"), [(Stage.REPLY, 5, Unit.WORKING_DAYS)])
    case = factories.case(kind="complaint")
    CaseAnalysis.objects.filter(case=case).update(urgency="urgent")
    case = Case.objects.select_related("submission", "analysis").get(pk=case.pk)
    classification.classify_by_system([(case, Finding(urgency=("", "urgent")))])
    assert reply(case).policy.name == "Urgent: 5 working days"
    assert reply(case).urgency == "urgent"
