"""An emergency runs on calendar hours, day and night: a gas leak reported on a Friday evening is due within hours,
not on Monday, and never before it was reported. Installations that kept the emergency policy shipped before get
the new targets; one an organisation edited is left as it is."""

from __future__ import annotations

import datetime as dt
import importlib
from zoneinfo import ZoneInfo

import time_machine

from fankui.accounts.models import Department, User
from fankui.analysis.models import CaseAnalysis
from fankui.sla import defaults, tasks
from fankui.sla.models import Clock, Policy, PolicyTarget, Stage, Unit
from fankui.sla.services import clocks
from tests import factories

SH = ZoneInfo("Asia/Shanghai")
FRIDAY_EVENING = dt.datetime(2026, 12, 4, 21, 25, tzinfo=SH)
GAS_LEAK = "楼道里有很浓的煤气味，好像是燃气泄漏了，请马上派人来！"
migration = importlib.import_module("fankui.sla.migrations.0004_emergency_on_calendar_hours")


def running(case: object) -> dict[str, dt.datetime | None]:
    return {c.stage: c.deadline for c in Clock.objects.filter(case=case, stopped_at__isnull=True)}


def test_an_emergency_filed_on_a_friday_evening_is_due_within_hours(
    policies: int, _frozen_time: time_machine.Coordinates
) -> None:
    _frozen_time.move_to(FRIDAY_EVENING)
    case = factories.case(GAS_LEAK, kind="help")
    # The analysis finds the emergency after intake; the worker's urgency sweep re-applies the policies.
    CaseAnalysis.objects.filter(case=case).update(urgency="emergency")
    assert tasks.follow_urgency() == 1
    deadlines = running(case)
    assert deadlines[Stage.ACCEPT] == FRIDAY_EVENING + dt.timedelta(hours=1)
    assert deadlines[Stage.REPLY] == FRIDAY_EVENING + dt.timedelta(hours=24)
    assert all(d is not None and d >= FRIDAY_EVENING for d in deadlines.values())
    assert Clock.objects.get(case=case, stage=Stage.REPLY).policy.name == defaults.EMERGENCY


def test_an_emergency_dispatched_at_night_must_be_answered_by_the_department_within_two_hours(
    policies: int, _frozen_time: time_machine.Coordinates, dispatcher: User, dept: Department
) -> None:
    from fankui.cases.services import moves

    _frozen_time.move_to(FRIDAY_EVENING)
    case = factories.case(GAS_LEAK)
    CaseAnalysis.objects.filter(case=case).update(urgency="emergency")
    clocks.reapply(case)
    _frozen_time.move_to(FRIDAY_EVENING + dt.timedelta(minutes=20))
    moves.accept(case, dispatcher)
    moves.dispatch(case, dispatcher, dept)
    first = Clock.objects.get(case=case, stage=Stage.FIRST_RESPONSE)
    assert first.deadline == FRIDAY_EVENING + dt.timedelta(minutes=20, hours=2)


def _old_emergency() -> Policy:
    """The emergency policy as installations before this change have it."""
    Policy.objects.filter(name=defaults.EMERGENCY).delete()
    return clocks.save_policy(
        Policy(name=defaults.OLD_EMERGENCY, urgency="emergency"), defaults.OLD_EMERGENCY_TARGETS, reapply=False
    )


def _targets(policy: Policy) -> set[tuple[str, int, str]]:
    return {(t.stage, t.amount, t.unit) for t in PolicyTarget.objects.filter(policy=policy)}


def test_the_migration_moves_the_shipped_emergency_policy_to_calendar_hours(policies: int) -> None:
    from django.apps import apps

    policy = _old_emergency()
    migration.forwards(apps, None)
    policy.refresh_from_db()
    assert policy.name == defaults.EMERGENCY
    assert _targets(policy) == {(s, a, u) for s, a, u in defaults.EMERGENCY_TARGETS}
    migration.backwards(apps, None)
    policy.refresh_from_db()
    assert policy.name == defaults.OLD_EMERGENCY
    assert _targets(policy) == {(s, a, u) for s, a, u in defaults.OLD_EMERGENCY_TARGETS}


def test_the_migration_keeps_an_emergency_policy_the_organisation_edited(policies: int) -> None:
    from django.apps import apps

    policy = _old_emergency()
    edited = [(s, 2 if s == Stage.ACCEPT else a, u) for s, a, u in defaults.OLD_EMERGENCY_TARGETS]
    clocks.save_policy(policy, edited, reapply=False)
    migration.forwards(apps, None)
    policy.refresh_from_db()
    assert policy.name == defaults.OLD_EMERGENCY
    assert _targets(policy) == set(edited)
    # Setting up the defaults again does not add a second emergency policy that would clash with it.
    assert defaults.ensure_defaults() == 0
    assert Policy.objects.filter(urgency="emergency").count() == 1


def test_open_emergencies_are_counted_again_after_the_migration(
    policies: int, _frozen_time: time_machine.Coordinates
) -> None:
    from django.apps import apps

    _old_emergency()
    _frozen_time.move_to(FRIDAY_EVENING)
    case = factories.case(GAS_LEAK)
    CaseAnalysis.objects.filter(case=case).update(urgency="emergency")
    clocks.reapply(case)
    # The same day, counted after office hours: the close of Monday.
    assert running(case)[Stage.REPLY] == dt.datetime(2026, 12, 7, 17, 30, tzinfo=SH)
    migration.forwards(apps, None)
    plan = [(type("M", (), {"app_label": "sla", "name": "0004_emergency_on_calendar_hours"})(), False)]
    from fankui.sla.apps import _migrated

    _migrated(sender=None, plan=plan)
    assert running(case)[Stage.REPLY] == FRIDAY_EVENING + dt.timedelta(hours=24)


def test_the_default_emergency_policy_counts_calendar_hours_for_triage_and_reply(policies: int) -> None:
    policy = Policy.objects.get(urgency="emergency")
    units = {t.stage: (t.amount, t.unit) for t in policy.targets.all()}
    for stage in (Stage.ACCEPT, Stage.DISPATCH, Stage.FIRST_RESPONSE, Stage.REPLY):
        assert units[stage][1] == Unit.HOURS
    assert units[Stage.REPLY] == (24, Unit.HOURS)
