"""The 问政 export with its official replies (../shared/data/gov_messages_replies.csv), imported as history."""

from __future__ import annotations

import csv
import itertools
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from fankui.accounts.models import User
from fankui.cases.models import Case
from fankui.cases.workflow import State
from fankui.core.datasets import shared_data_dir
from fankui.core.vocab import Channel
from fankui.imports.models import Outcome
from fankui.intake.models import Submission
from fankui.sla.models import Clock

from .conftest import outcomes, run_file

ROWS = 12
BEIJING = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def real_rows(csv_file: Callable[..., Path]) -> tuple[Path, list[dict[str, str]]]:
    folder = shared_data_dir()
    if folder is None or not (folder / "gov_messages_replies.csv").is_file():
        pytest.skip("the shared data folder (../shared/data/gov_messages_replies.csv) is not here")
    with (folder / "gov_messages_replies.csv").open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        rows = list(itertools.islice(reader, ROWS))
    return csv_file(rows, header=header), [dict(zip(header, row, strict=True)) for row in rows]


def test_each_message_becomes_a_closed_case_with_its_official_reply_and_times(
    db: None, real_rows: tuple[Path, list[dict[str, str]]], dispatcher: User, client_for: Callable[..., object]
) -> None:
    path, rows = real_rows
    job = run_file(path)

    assert {o for o, _r in outcomes(job).values()} == {Outcome.IMPORTED}
    for row in rows:
        case = Case.objects.select_related("submission").get(submission__external_id=f"import:{row['id']}")
        received = datetime.strptime(row["time"].replace("-", "/"), "%Y/%m/%d %H:%M:%S").replace(tzinfo=BEIJING)
        assert case.submission.channel == Channel.IMPORT
        assert case.submission.receipt is False
        assert case.created_at == received
        assert case.number.startswith(f"{received.year}-")
        assert case.state == State.CLOSED
        reply = case.replies.get()
        assert reply.body == row["reply"].strip()
        assert case.replied_at == reply.created_at
        # Closed long ago: no deadline of a past case is still running (the SLA sweep would escalate it).
        assert not Clock.objects.filter(case=case, stopped_at__isnull=True).exists()
        assert list(case.events.order_by("created_at", "id").values_list("action", flat=True)) == [
            "receive",
            "accept",
            "dispatch",
            "start",
            "reply",
            "close",
        ]

    case = Case.objects.get(submission__external_id=f"import:{rows[0]['id']}")
    client = client_for(dispatcher)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"  # type: ignore[attr-defined]
    page = client.get(f"/staff/cases/{case.pk}/")  # type: ignore[attr-defined]
    assert page.status_code == 200
    shown = page.content.decode()
    assert rows[0]["reply"].strip()[:40] in shown
    # The timeline names who acted by role (the file does not say which person) and the missing department.
    assert "Department handler" in shown and "not in the imported file" in shown
    listing = client.get("/staff/cases/?state=closed")  # type: ignore[attr-defined]
    assert listing.status_code == 200
    assert case.number in listing.content.decode()


def test_a_recent_reply_leaves_the_case_replied_until_its_rating_window_passes(
    db: None, csv_file: Callable[..., Path]
) -> None:
    header = ["id", "title", "time", "body", "reply", "reply_time", "state"]
    path = csv_file(
        [
            ["1", "路灯", "2026/11/10 9:00", "路灯坏了。", "已修复。", "2026/11/13 9:00", ""],
            ["2", "噪音", "2026/11/10 9:00", "夜里施工。", "已处理。", "2026/11/13 9:00", "已办结"],
            ["3", "井盖", "2026/11/15 9:00", "井盖丢了。", "", "", ""],
        ],
        header=header,
    )
    run_file(path)
    states = dict(Submission.objects.values_list("external_id", "case__state"))
    assert states == {"import:1": State.REPLIED, "import:2": State.CLOSED, "import:3": State.RECEIVED}
