"""Issue 17: a worker killed after an analysis committed and before the steps that follow it (the emergency flag,
the automatic dispatch, the duplicate and hot topic) loses none of them: they were recorded as due in the analysis's
transaction, and the follow-up sweep does each once the worker's lease has passed, once in effect (no second
dispatch, no second message), however often it runs and whichever worker runs it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine

from fankui.accounts.models import Department
from fankui.analysis import pipeline, tasks
from fankui.analysis.models import CaseAnalysis, Followup, KeywordRule
from fankui.audit.models import Event
from fankui.cases.models import Case
from fankui.cases.services import moves
from fankui.cases.workflow import State
from fankui.notify.models import Message
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)


class Killed(BaseException):
    """What SIGKILL does to a worker, as near as a test gets: nothing after this point runs, nothing catches it, and
    the open transaction is rolled back."""


def kill(*args: Any, **kwargs: Any) -> None:
    raise Killed


@pytest.fixture
def routed(settings: Any) -> Department:
    settings.FANKUI_AUTO_DISPATCH_CONFIDENCE = 0.5
    settings.FANKUI_NOTIFY_LEASE_SECONDS = 60
    lights = factories.department("市城管局")
    KeywordRule.objects.create(name="路灯", keywords="路灯", department=lights)
    return lights


def cases() -> tuple[Case, Case]:
    emergency = factories.case(
        "楼道里闻到很浓的煤气味，敲门没人应，请马上来人！", contact_phone="13800000001", receipt=True
    )
    lights = factories.case("滨江路三号门口的路灯坏了一个月，晚上很黑。", contact_phone="13800000002", receipt=True)
    return emergency, lights


def counts(case: Case) -> dict[str, int]:
    return {
        "receipt": Message.objects.filter(key=f"case:{case.pk}:receipt").count(),
        "accepted": Message.objects.filter(key=f"case:{case.pk}:accept").count(),
        "flagged": Event.objects.filter(case=case, action="flagged_emergency").count(),
        "dispatch": Event.objects.filter(case=case, action="dispatch").count(),
    }


def after_the_lease(traveller: time_machine.Coordinates) -> None:
    traveller.shift(timedelta(seconds=61))


def test_a_worker_killed_after_the_commit_leaves_every_step_to_the_sweep(
    routed: Department, monkeypatch: pytest.MonkeyPatch, _frozen_time: time_machine.Coordinates
) -> None:
    emergency, lights = cases()
    monkeypatch.setattr(pipeline, "follow_up", kill)
    with pytest.raises(Killed):
        tasks.analyse_pending()
    monkeypatch.undo()

    # The analysis and the receipt committed together; nothing after them happened.
    followups = dict(CaseAnalysis.objects.values_list("case_id", "followup"))
    assert followups == {emergency.pk: Followup.ACT, lights.pk: Followup.ACT}
    assert CaseAnalysis.objects.filter(status=CaseAnalysis.Status.DONE).count() == 2
    assert counts(emergency) == {"receipt": 1, "accepted": 0, "flagged": 0, "dispatch": 0}
    assert counts(lights) == {"receipt": 1, "accepted": 0, "flagged": 0, "dispatch": 0}
    assert not CaseAnalysis.objects.exclude(words="").exists()  # no duplicate, place or topic looked for yet

    # Within the lease the dead worker might still be alive and at it: the sweep leaves them.
    assert tasks.finish_follow_ups() == 0

    after_the_lease(_frozen_time)
    assert tasks.finish_follow_ups() == 2
    assert counts(emergency) == {"receipt": 1, "accepted": 0, "flagged": 1, "dispatch": 0}
    assert counts(lights) == {"receipt": 1, "accepted": 1, "flagged": 0, "dispatch": 1}
    lights.refresh_from_db()
    assert lights.state == State.DISPATCHED and lights.lead_department == routed
    assert set(CaseAnalysis.objects.values_list("followup", flat=True)) == {Followup.NONE}
    assert CaseAnalysis.objects.get(case=lights).topic is not None

    # Again, later, or by another worker holding the same rows as they were before: nothing is done twice.
    assert tasks.finish_follow_ups() == 0
    stale = list(CaseAnalysis.objects.select_related("case__submission"))
    for analysis in stale:
        analysis.followup = Followup.ACT
    pipeline.follow_up(stale, 0.5)
    assert counts(emergency) == {"receipt": 1, "accepted": 0, "flagged": 1, "dispatch": 0}
    assert counts(lights) == {"receipt": 1, "accepted": 1, "flagged": 0, "dispatch": 1}


def test_a_worker_killed_inside_the_dispatch_leaves_nothing_half_done(
    routed: Department, monkeypatch: pytest.MonkeyPatch, _frozen_time: time_machine.Coordinates
) -> None:
    emergency, lights = cases()
    real = moves.auto_dispatch

    def dispatch_then_die(*args: Any, **kwargs: Any) -> Case:
        real(*args, **kwargs)
        raise Killed

    monkeypatch.setattr(moves, "auto_dispatch", dispatch_then_die)
    with pytest.raises(Killed):
        tasks.analyse_pending()
    monkeypatch.undo()

    # The emergency's flag committed with its mark; the dispatch rolled back with its own.
    assert counts(emergency)["flagged"] == 1
    assert CaseAnalysis.objects.get(case=emergency).followup == Followup.SAVED
    assert counts(lights) == {"receipt": 1, "accepted": 0, "flagged": 0, "dispatch": 0}
    assert CaseAnalysis.objects.get(case=lights).followup == Followup.ACT

    after_the_lease(_frozen_time)
    assert tasks.finish_follow_ups() == 2
    assert counts(emergency) == {"receipt": 1, "accepted": 0, "flagged": 1, "dispatch": 0}
    assert counts(lights) == {"receipt": 1, "accepted": 1, "flagged": 0, "dispatch": 1}
    assert set(CaseAnalysis.objects.values_list("followup", flat=True)) == {Followup.NONE}


def test_a_worker_killed_while_looking_for_duplicates_leaves_the_topics_to_the_sweep(
    monkeypatch: pytest.MonkeyPatch, _frozen_time: time_machine.Coordinates, settings: Any
) -> None:
    settings.FANKUI_NOTIFY_LEASE_SECONDS = 60
    first = factories.case("滨江路三号门口的路灯坏了一个月，晚上很黑。")
    second = factories.case("滨江路三号门口的路灯坏了一个月了，晚上很黑！")
    from fankui.topics import placement

    monkeypatch.setattr(placement, "place_in_topics", kill)
    with pytest.raises(Killed):
        tasks.analyse_pending()
    monkeypatch.undo()
    assert set(CaseAnalysis.objects.values_list("followup", flat=True)) == {Followup.SAVED}
    assert not CaseAnalysis.objects.filter(topic__isnull=False).exists()

    after_the_lease(_frozen_time)
    assert tasks.finish_follow_ups() == 2
    first_topic, second_topic = (CaseAnalysis.objects.get(case=case).topic for case in (first, second))
    assert first_topic is not None and first_topic == second_topic
    assert first_topic.size == 2
    assert CaseAnalysis.objects.get(case=second).duplicate_of_id == first.pk
