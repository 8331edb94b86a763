from __future__ import annotations

import pytest
import time_machine

from tests import factories


@pytest.mark.django_db
def test_numbers_count_up_within_a_year_and_restart_in_the_next() -> None:
    first, second = factories.case(), factories.case()
    assert (first.number, second.number) == ("2026-000001", "2026-000002")
    with time_machine.travel("2027-01-01 00:00:01+08:00", tick=False):
        assert factories.case().number == "2027-000001"
    assert factories.case().number == "2026-000003"


@pytest.mark.django_db
def test_the_year_is_the_local_year_in_china() -> None:
    # 2026-12-31 17:00 UTC is already 2027 in Beijing.
    with time_machine.travel("2026-12-31 17:00:00+00:00", tick=False):
        assert factories.case().number.startswith("2027-")
