"""The first look-up of a worker loads every earlier case into the duplicate index: outside the batch's
transaction, which on SQLite holds the write lock (and so every intake) for as long as it lasts."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from fankui.analysis import tasks
from fankui.analysis.models import CaseAnalysis
from fankui.topics import duplicates
from tests import factories


@pytest.mark.django_db(transaction=True)
def test_the_duplicate_index_of_earlier_cases_is_loaded_outside_the_batch_transaction(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    earlier = [factories.case(f"滨江路{i}号路灯坏了很久了。") for i in range(5)]
    tasks.analyse_pending()
    duplicates.reset_index()  # as in a worker that just started
    batch = [factories.case("滨江路3号路灯坏了很久了。")]
    calls: list[tuple[int | None, bool]] = []
    real = duplicates._cases.refresh

    def spy(upto: int | None = None, known: Any = None) -> Any:
        calls.append((upto, connection.in_atomic_block))
        return real(upto, known)

    monkeypatch.setattr(duplicates._cases, "refresh", spy)
    tasks.analyse_pending()
    assert calls[0] == (batch[0].pk - 1, False)
    assert all(upto is not None and upto >= batch[0].pk for upto, _ in calls[1:])
    assert CaseAnalysis.objects.get(case=batch[0]).duplicate_of_id in {case.pk for case in earlier}
