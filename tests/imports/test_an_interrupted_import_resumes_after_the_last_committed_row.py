from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from fankui.cases.models import Case
from fankui.imports import services
from fankui.imports.models import Outcome, Status

from .conftest import outcomes

BODY = "小区门口的路灯坏了一个月，晚上很黑，请尽快修理。"


class Crash(BaseException):
    """The process dies (kill -9, out of memory) in the middle of a chunk."""


def test_a_crash_in_a_chunk_loses_only_that_chunk_and_the_next_run_continues(
    db: None, csv_file: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = [
        [str(n), "u", f"路灯{n}", "2019/4/25 9:32:09", f"{BODY}{n}", "已修复。", "2019/5/6 10:00"] for n in range(7)
    ]
    path = csv_file(rows)
    job = services.start(services.create_job(path, path.name, chunk_size=3), None, dry_run=False)
    real_receive = services.receive_many
    calls = {"n": 0}

    def dies_after_writing_the_second_chunk(items: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        written = real_receive(items, **kwargs)
        if calls["n"] == 2:
            raise Crash
        return written

    monkeypatch.setattr(services, "receive_many", dies_after_writing_the_second_chunk)
    with pytest.raises(Crash):
        services.run(job)

    # Rows 2-4 (the first chunk) committed; rows 5-7 were written and rolled back with their chunk.
    assert Case.objects.count() == 3
    job.refresh_from_db()
    assert job.status == Status.RUNNING
    assert services.progress(job)["last_row"] == 4

    monkeypatch.setattr(services, "receive_many", real_receive)
    services.run(job)
    job.refresh_from_db()
    assert job.status == Status.DONE
    assert Case.objects.count() == 7
    assert sorted(outcomes(job)) == list(range(2, 9))
    assert {o for o, _r in outcomes(job).values()} == {Outcome.IMPORTED}
