"""The analysis sets only what nobody chose (or it set itself); the submitter's and staff's choices are final, even
against a stale read; other apps hear of every change."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from fankui.accounts.models import Department, User
from fankui.audit.models import Event
from fankui.cases import signals
from fankui.cases.models import Case, Source
from fankui.cases.services import classification
from fankui.cases.services.classification import Finding
from tests import factories

pytestmark = pytest.mark.django_db


def classify(case: Case, finding: Finding) -> dict[str, Any]:
    return classification.classify_by_system([(case, finding)]).get(case.pk, {})


@pytest.fixture
def heard() -> Iterator[list[dict[str, Any]]]:
    calls: list[dict[str, Any]] = []

    def listen(sender: type, **kwargs: Any) -> None:
        calls.append(kwargs)

    signals.cases_reclassified.connect(listen)
    yield calls
    signals.cases_reclassified.disconnect(listen)


def test_the_analysis_sets_a_kind_nobody_chose_and_tells_other_apps(heard: list[dict[str, Any]]) -> None:
    case = factories.case()
    changes = classify(case, Finding(kind="praise", kind_confidence=0.9, models={"kind": "m1"}))
    assert changes == {"kind": {"from": "complaint", "to": "praise", "confidence": 0.9}}
    case.refresh_from_db()
    assert (case.kind, case.kind_source, case.kind_confidence) == ("praise", Source.SYSTEM, 0.9)
    event = Event.objects.get(case=case, action="reclassified")
    assert event.data["models"] == {"kind": "m1"}
    assert [call["changes"] for call in heard] == [[(case, changes)]]
    assert heard[0]["user"] is None


def test_the_analysis_may_change_its_own_choice_but_not_the_submitter_s_or_staff_s(dispatcher: User) -> None:
    mine = factories.case()
    classify(mine, Finding(kind="praise", kind_confidence=0.9))
    classify(mine, Finding(kind="suggestion", kind_confidence=0.8))
    mine.refresh_from_db()
    assert mine.kind == "suggestion"
    citizens = factories.case(kind="inquiry")
    assert classify(citizens, Finding(kind="praise", kind_confidence=0.99)) == {}
    staffs = classification.reclassify(factories.case(), kind="report", user=dispatcher)
    assert classify(staffs, Finding(kind="praise", kind_confidence=0.99)) == {}
    for case, kind in ((citizens, "inquiry"), (staffs, "report")):
        case.refresh_from_db()
        assert case.kind == kind


def test_a_staff_correction_made_after_the_analysis_read_the_case_is_not_overwritten(dispatcher: User) -> None:
    stale = factories.case()
    classification.reclassify(
        Case.objects.get(pk=stale.pk), kind="report", category=factories.category(), user=dispatcher
    )
    # ``stale`` still says nobody chose: the write must check again.
    found = Finding(kind="praise", kind_confidence=0.9, category=factories.category(), category_confidence=0.9)
    assert classify(stale, found) == {}
    stale.refresh_from_db()
    assert (stale.kind, stale.kind_source, stale.category_source) == ("report", Source.STAFF, Source.STAFF)
    assert not Event.objects.filter(case=stale, action="reclassified").exists()


def test_a_finished_case_keeps_the_kind_it_was_counted_with(dispatcher: User, dept: Department, handler: User) -> None:
    counted = factories.case_in("closed", dispatcher=dispatcher, lead=dept, handler=handler)
    Case.objects.filter(pk=counted.pk).update(kind="praise", kind_source=Source.SYSTEM, kind_confidence=0.8)
    counted.refresh_from_db()
    assert classify(counted, Finding(kind="suggestion", kind_confidence=0.9)) == {}
    # History that arrived finished and unclassified still gets a kind.
    imported = factories.case_in("closed", dispatcher=dispatcher, lead=dept, handler=handler)
    assert classify(imported, Finding(kind="praise", kind_confidence=0.9))


def test_an_urgency_that_changed_is_told_to_other_apps_even_when_the_kind_stays(heard: list[dict[str, Any]]) -> None:
    case = factories.case(kind="complaint")
    classify(case, Finding(kind="praise", kind_confidence=0.9, urgency=("", "emergency")))
    assert heard[0]["changes"] == [(case, {"urgency": {"from": "", "to": "emergency"}})]
    assert not Event.objects.filter(case=case, action="reclassified").exists()


def test_an_inactive_category_is_never_applied() -> None:
    old = factories.category("旧分类", active=False)
    case = factories.case()
    assert classify(case, Finding(category=old, category_confidence=0.99)) == {}


def test_a_batch_is_applied_with_one_message_to_other_apps(heard: list[dict[str, Any]]) -> None:
    praise, inquiry, chosen = factories.case(), factories.case(), factories.case(kind="report")
    found = [
        (case, Finding(kind=kind, kind_confidence=0.9)) for case, kind in ((praise, "praise"), (inquiry, "inquiry"))
    ]
    changes = classification.classify_by_system([*found, (chosen, Finding(kind="praise", kind_confidence=0.9))])
    assert set(changes) == {praise.pk, inquiry.pk}
    assert len(heard) == 1 and [case.pk for case, _ in heard[0]["changes"]] == [praise.pk, inquiry.pk]
    assert Event.objects.filter(action="reclassified").count() == 2
