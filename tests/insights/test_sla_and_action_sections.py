from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import date

import pytest
from django.utils import timezone

from fankui.accounts.models import Department, User
from fankui.actions.models import Action, State
from fankui.cases.models import Case
from fankui.insights import integrations, periods, queries
from fankui.sla.defaults import ensure_defaults

from .. import factories

pytestmark = pytest.mark.django_db
NOVEMBER = periods.parse("2026-11")


def _rows(section: integrations.Section, table: int = 0) -> dict[str, list[object]]:
    return {str(row[0]): row for row in section.tables[table].rows}


def test_on_time_rates_come_from_the_sla_clocks(
    walk: Callable[..., Case], at: Callable[[str], AbstractContextManager[object]]
) -> None:
    ensure_defaults()
    walk("2026-11-02 09:00", to="closed", level=5)
    walk("2026-11-03 09:00", to="received")  # never accepted: its accept clock is overdue by now
    section = integrations.on_time(queries.whole_organisation(), NOVEMBER)
    assert section.available
    accept = _rows(section)["Accept"] if "Accept" in _rows(section) else next(iter(_rows(section).values()))
    due, on_time, late = accept[1:4]
    assert due == on_time + late and due >= 2 and late >= 1  # type: ignore[operator]


def test_overdue_and_supervised_counts(walk: Callable[..., Case], supervisor: User) -> None:
    from fankui.sla.services import supervision

    ensure_defaults()
    case = walk("2026-11-03 09:00", to="accepted")
    supervision.supervise(case, supervisor, "请加快办理。")
    section = integrations.overdue(queries.whole_organisation(), NOVEMBER)
    figures = _rows(section)
    assert figures["Cases put under supervision in the period"][1] == 1
    assert figures["Cases under supervision now"][1] == 1


def test_improvement_actions_due_done_and_their_effect(supervisor: User, dept: Department) -> None:
    owner = factories.user("handler", dept)
    common = {
        "goal": "减少投诉",
        "measures": "更换路灯",
        "owner": owner,
        "department": dept,
        "created_by": supervisor,
        "created_at": timezone.now(),
    }
    Action.objects.create(
        title="修复路灯",
        deadline=date(2026, 11, 10),
        state=State.VERIFIED,
        linked_count=12,
        people_count=9,
        done_at=timezone.now(),
        verified_at=timezone.now(),
        indicator="topic_weekly",
        indicator_result={"indicator": "topic_weekly", "before": 6.0, "after": 1.5, "met": True},
        **common,
    )
    Action.objects.create(title="整治噪音", deadline=date(2026, 11, 12), state=State.IN_PROGRESS, **common)
    Action.objects.create(title="明年计划", deadline=date(2027, 3, 1), state=State.APPROVED, **common)
    section = integrations.actions(queries.whole_organisation(), NOVEMBER)
    figures = _rows(section)
    assert figures["Due in the period"][1] == 2
    assert figures["Done in the period"][1] == 1
    assert figures["Cases linked to the actions done"][1] == 12
    assert figures["Verified with the target met"][1] == 1
    assert figures["Running past their deadline now"][1] == 1
    listed = _rows(section, 1)
    assert set(listed) == {"修复路灯", "整治噪音"}
    assert listed["修复路灯"][-1] == "6.0 → 1.5 (target met)"


def test_a_department_head_sees_only_their_departments_actions(
    supervisor: User, dept: Department, other_dept: Department
) -> None:
    head = factories.user("dept_head", dept)
    owner = factories.user("handler", other_dept)
    Action.objects.create(
        title="别处的",
        goal="g",
        measures="m",
        owner=owner,
        department=other_dept,
        deadline=date(2026, 11, 20),
        created_by=supervisor,
        created_at=timezone.now(),
    )
    section = integrations.actions(queries.scope_for(head), NOVEMBER)
    assert _rows(section)["Due in the period"][1] == 0
