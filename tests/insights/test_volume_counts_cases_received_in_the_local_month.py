from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from fankui.accounts.models import Department
from fankui.cases.models import Case
from fankui.insights import periods, queries

from .. import factories
from .conftest import local

pytestmark = pytest.mark.django_db


def _case(when: str, **kwargs: object) -> Case:
    return factories.case(received_at=local(when), **kwargs)  # type: ignore[arg-type]


def test_a_case_late_on_the_last_evening_belongs_to_that_month_in_beijing_time() -> None:
    _case("2026-10-31 23:30")  # 15:30 UTC
    _case("2026-11-01 00:10")  # still 31 October in UTC
    october = queries.volume(queries.whole_organisation(), periods.parse("2026-10"))
    assert october.total == 1
    assert october.trend[-1] == (date(2026, 10, 31), 1)


def test_it_breaks_volume_down_with_the_previous_period(walk: Callable[..., Case], dept: Department) -> None:
    top = factories.category("城乡建设")
    leaf = factories.category("路灯", parent=factories.category("市政设施", parent=top))
    _case("2026-11-02 09:00", channel="phone", kind="complaint", category=leaf.pk)
    _case("2026-11-03 09:00", channel="phone", kind="suggestion", category=top.pk)
    _case("2026-11-03 10:00", channel="web", kind="complaint")
    _case("2026-10-20 10:00", channel="phone", kind="complaint")
    walk("2026-11-05 10:00", to="accepted")
    volume = queries.volume(queries.whole_organisation(), periods.parse("2026-11"))

    assert (volume.total, volume.previous) == (4, 1)
    channels = {r.key: (r.count, r.previous, r.change) for r in volume.by_channel}
    assert channels == {"phone": (2, 1, 1), "web": (2, 0, 2)}
    kinds = {r.key: r.count for r in volume.by_kind}
    assert kinds["suggestion"] == 1
    categories = {r.label: r.count for r in volume.by_category}
    assert categories["城乡建设"] == 2  # the leaf three levels down counts under its first level
    assert sum(r.count for r in volume.by_department) == 4
    assert len(volume.trend) == 30
    assert dict(volume.trend)[date(2026, 11, 3)] == 2


def test_dispatched_cases_count_under_their_lead_department(walk: Callable[..., Case], dept: Department) -> None:
    walk("2026-11-05 10:00", to="replied")
    walk("2026-11-06 10:00", to="received")
    rows = {
        r.label: r.count for r in queries.volume(queries.whole_organisation(), periods.parse("2026-11")).by_department
    }
    assert rows[dept.name] == 1
    assert rows["Not dispatched"] == 1
