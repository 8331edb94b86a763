"""Every case event is written by ``audit.services`` (``record_event`` for one, ``record_events`` for many), so that
what the audit trail promises (append-only today, a tamper-evident chain later) holds for every row."""

from __future__ import annotations

import re
from pathlib import Path

from django.db import connection
from django.test.utils import CaptureQueriesContext

from fankui.accounts.models import Role
from fankui.audit.models import Event
from fankui.audit.services import record_event, record_events
from tests import factories

SOURCE = Path(__file__).resolve().parents[2] / "src" / "fankui"
# Writing audit_event rows past the door: raw SQL naming the table, or the model's own manager.
BYPASS = re.compile(r"audit_event\b|\bEvent\.objects\.(create|bulk_create|get_or_create|update_or_create)\b")
# Benchmark and demo data builders fill throwaway databases; migrations are history.
EXEMPT = ("audit/", "bench/", "demo/", "/migrations/")


def test_no_module_outside_the_audit_app_writes_events_itself() -> None:
    offenders = [
        f"{path.relative_to(SOURCE)}:{n}"
        for path in sorted(SOURCE.rglob("*.py"))
        if not any(part in path.relative_to(SOURCE).as_posix() for part in EXEMPT)
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if BYPASS.search(line)
    ]
    assert offenders == []


def test_many_events_are_written_together_and_keep_who_acted(db: None) -> None:
    case = factories.case()
    staff = factories.user(Role.DISPATCHER)
    with CaptureQueriesContext(connection) as queries:
        written = record_events(
            [
                Event(case=case, actor_kind="system", action="sla_warn", data={"step": "warn"}),
                Event(case=case, actor=staff, actor_kind="system", action="note"),
            ]
        )
    assert [q["sql"].split()[0] for q in queries.captured_queries] == ["INSERT"]
    assert all(event.pk for event in written)
    stored = list(Event.objects.filter(case=case, action__in=["sla_warn", "note"]).order_by("id"))
    assert [(e.actor_kind, e.data) for e in stored] == [("system", {"step": "warn"}), ("staff", {})]
    assert stored[0].created_at is not None


def test_one_event_goes_through_the_same_door(db: None) -> None:
    case = factories.case()
    event = record_event(case, "note", actor_kind="citizen", message="谢谢")
    assert Event.objects.get(pk=event.pk).actor_kind == "citizen"
