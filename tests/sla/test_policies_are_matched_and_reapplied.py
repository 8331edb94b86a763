"""The most specific policy wins; open clocks follow a policy change and the urgency the analysis sets later."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from fankui.accounts.models import Department, User
from fankui.analysis.models import CaseAnalysis
from fankui.sla.models import Clock, Policy, Stage, Unit
from fankui.sla.services import clocks
from tests import factories

SH = ZoneInfo("Asia/Shanghai")
WD = Unit.WORKING_DAYS


def reply(case: object) -> Clock:
    return Clock.objects.get(case=case, stage=Stage.REPLY, stopped_at__isnull=True)


def test_the_most_specific_policy_wins(policies: int, dept: Department) -> None:
    parent = factories.category("城乡建设")
    child = factories.category("路灯", parent)
    clocks.save_policy(Policy(name="建设类", category=parent), [(Stage.REPLY, 8, WD)])
    clocks.save_policy(Policy(name="路灯投诉", category=child, kind="complaint"), [(Stage.REPLY, 5, WD)])
    assert clocks.policy_for(factories.case(kind="complaint", category=child.pk)).name == "路灯投诉"
    assert clocks.policy_for(factories.case(kind="inquiry", category=child.pk)).name == "建设类"
    assert clocks.policy_for(factories.case(kind="praise")).name == "Praise: 3 working days"
    Policy.objects.filter(kind="praise").delete()
    assert clocks.policy_for(factories.case(kind="praise")).name == "Everything else: 13 working days"


def test_an_emergency_found_later_by_the_analysis_gets_a_reply_within_24_hours(policies: int) -> None:
    case = factories.case(kind="complaint")
    assert reply(case).deadline == dt.datetime(2026, 12, 3, 17, 30, tzinfo=SH)
    CaseAnalysis.objects.filter(case=case).update(urgency="emergency")
    case.refresh_from_db()
    assert clocks.reapply(case) >= 1
    clock = reply(case)
    assert clock.policy.name == "Emergency: reply within 24 hours"
    assert clock.deadline == dt.datetime(2026, 11, 17, 10, 0, tzinfo=SH)
    assert clocks.reapply(case) == 0


def test_changing_a_policy_recomputes_open_clocks_only(
    policies: int, dispatcher: User, handler: User, dept: Department
) -> None:
    open_case = factories.case(kind="inquiry")
    done = factories.case_in("replied", dispatcher=dispatcher, lead=dept, handler=handler)
    stopped_before = Clock.objects.get(case=done, stage=Stage.REPLY).deadline
    policy = Policy.objects.get(name="Inquiry: 3 working days")
    clocks.save_policy(policy, [(Stage.REPLY, 5, WD), (Stage.CLOSE, 10, WD)])
    assert reply(open_case).deadline == dt.datetime(2026, 11, 23, 17, 30, tzinfo=SH)
    assert Clock.objects.get(case=done, stage=Stage.REPLY).deadline == stopped_before


def test_a_new_holiday_moves_the_deadlines_of_open_cases(policies: int, client_for: object) -> None:
    from fankui.accounts.models import Role

    case = factories.case(kind="inquiry")
    assert reply(case).deadline == dt.datetime(2026, 11, 19, 17, 30, tzinfo=SH)
    admin = factories.user(Role.ADMIN, None)
    admin.is_staff = admin.is_superuser = True
    admin.save()
    response = client_for(admin).post(  # type: ignore[operator]
        "/admin/sla/calendarday/add/", {"day": "2026-11-18", "note": "local day off"}
    )
    assert response.status_code == 302
    assert reply(case).deadline == dt.datetime(2026, 11, 20, 17, 30, tzinfo=SH)


def test_the_worker_follows_an_urgency_set_after_the_clocks_started(policies: int) -> None:
    from fankui.sla import tasks

    calm = factories.case(kind="complaint")
    urgent = factories.case(kind="complaint")
    CaseAnalysis.objects.filter(case=urgent).update(urgency="emergency")
    CaseAnalysis.objects.filter(case=calm).update(urgency="normal")
    assert tasks.follow_urgency() == 1
    assert reply(urgent).deadline == dt.datetime(2026, 11, 17, 10, 0, tzinfo=SH)
    assert reply(calm).deadline == dt.datetime(2026, 12, 3, 17, 30, tzinfo=SH)
    # Seen once: the next run has nothing to do.
    assert tasks.follow_urgency() == 0
