"""``receiving.receive_many``, the bulk door of imports: each item checked alone by intake's own rules, the good ones
stored with a fixed number of statements whatever the batch's size, and exactly the rows ``receive`` writes (it is
``receive_many`` of one)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fankui.accounts.models import Role
from fankui.analysis.models import CaseAnalysis
from fankui.audit.models import Event
from fankui.cases.models import Case, Reply
from fankui.cases.services.history import Step
from fankui.cases.services.receiving import receive, receive_many
from fankui.cases.workflow import Action, Actor
from fankui.core.vocab import Channel
from fankui.intake.services import SubmissionInput
from fankui.sla.defaults import ensure_defaults
from fankui.sla.models import Clock

BEIJING = ZoneInfo("Asia/Shanghai")


def item(n: int, **extra: object) -> SubmissionInput:
    return SubmissionInput(
        body=f"小区门口的路灯坏了一个月，请尽快修理。{n}",
        channel=Channel.IMPORT,
        idempotency_key=f"import:{n}",
        receipt=False,
        **extra,  # type: ignore[arg-type]
    )


def rows_of(case: Case) -> dict[str, object]:
    """What a user or the worker would find of a case: its events, its pending analysis, its clocks."""
    return {
        "events": list(Event.objects.filter(case=case).values_list("action", "actor_kind", "to_state", "public")),
        "data": list(Event.objects.filter(case=case).values_list("data", flat=True)),
        "analysis": list(CaseAnalysis.objects.filter(case=case).values_list("status", flat=True)),
        "clocks": sorted(Clock.objects.filter(case=case).values_list("stage", "round", "stopped_at")),
        "state": case.state,
    }


@pytest.mark.django_db
def test_a_bad_item_is_reported_alone_with_intakes_message_and_the_rest_are_opened() -> None:
    results = receive_many([item(1), item(2, contact_phone="123"), SubmissionInput(body=" "), item(4)])
    assert [r.created for r in results] == [True, False, False, True]
    assert "contact_phone" in results[1].errors and "body" in results[2].errors
    assert results[1].case is None and results[2].case is None
    assert Case.objects.count() == 2
    numbers = sorted(Case.objects.values_list("number", flat=True))
    assert len(set(numbers)) == 2 and all(n.startswith("2026-") for n in numbers)


@pytest.mark.django_db
def test_a_batch_costs_the_same_statements_whatever_its_size() -> None:
    def statements(first: int, size: int) -> int:
        with CaptureQueriesContext(connection) as queries:
            receive_many([item(n) for n in range(first, first + size)])
        return len(queries.captured_queries)

    statements(0, 1)  # the year's first number makes its counter
    assert statements(10, 3) == statements(100, 40)
    assert Case.objects.count() == 44
    assert CaseAnalysis.objects.count() == 44


@pytest.mark.django_db
def test_one_submission_through_receive_writes_what_a_batch_writes_for_it() -> None:
    ensure_defaults()
    single, _created = receive(item(1))
    [batch] = receive_many([item(2), item(3)])[:1]
    assert batch.case is not None
    assert rows_of(single) == rows_of(batch.case)


@pytest.mark.django_db
def test_keys_seen_before_return_their_cases_and_a_reused_key_with_another_text_is_a_conflict() -> None:
    first = receive_many([item(1), item(2)])
    again = receive_many([item(1), item(3), SubmissionInput(body="别人的诉求", idempotency_key="import:2")])
    assert [(r.created, r.conflict) for r in again] == [(False, False), (True, False), (False, True)]
    assert again[0].case is not None and first[0].case is not None
    assert again[0].case.pk == first[0].case.pk
    assert Case.objects.count() == 3


@pytest.mark.django_db
def test_a_history_is_replayed_in_the_batch_and_its_clocks_are_those_of_its_past(dept: object) -> None:
    ensure_defaults()
    handler = Role.HANDLER
    received = datetime(2019, 4, 25, 9, 32, tzinfo=BEIJING)
    replied = datetime(2019, 5, 6, 10, 0, tzinfo=BEIJING)
    steps = [
        Step(Action.ACCEPT, received, Actor.SYSTEM, data={"imported": True}),
        Step(Action.DISPATCH, received, Actor.SYSTEM, data={"lead_department": dept.pk}),  # type: ignore[attr-defined]
        Step(Action.START, received, handler, data={"imported": True}),
        Step(Action.REPLY, replied, handler, data={"imported": True}, reply="已修复。"),
        Step(Action.CLOSE, replied, Actor.SYSTEM, data={"reason": "imported"}),
    ]
    results = receive_many([item(1, received_at=received), item(2)], histories=[steps, []])
    past, new = (r.case for r in results)
    assert past is not None and new is not None
    past.refresh_from_db()
    assert (past.state, past.number[:4], past.closed_at, past.lead_department_id) == (
        "closed",
        "2019",
        replied,
        dept.pk,  # type: ignore[attr-defined]
    )
    reply = Reply.objects.get(case=past)
    assert Event.objects.get(case=past, action="reply").data["reply"] == reply.pk
    # A closed past case's clocks are all stopped: no warning fires for 2019. The new one's run.
    assert Clock.objects.filter(case=past, stopped_at__isnull=True).count() == 0
    assert Clock.objects.filter(case=new, stopped_at__isnull=True).count() > 0
