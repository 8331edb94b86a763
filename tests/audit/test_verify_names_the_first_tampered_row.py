"""`fankui audit verify` recomputes every seal and names the first audit row that was changed, removed or inserted,
even when the tampering went past the triggers (dropped here, as an attacker with the database's rights could)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from fankui.accounts.models import Role
from fankui.audit import chain, services, triggers
from fankui.audit.models import Event, Seal
from tests import factories


@pytest.fixture
def events(db: None) -> list[Event]:
    case = factories.case()
    staff = factories.user(Role.DISPATCHER)
    written = [services.record_event(case, "note", actor=staff, message=f"第{n}条") for n in range(5)]
    services.record_access(staff, case, "contact")
    return written


def sql(statement: str, *params: Any) -> None:
    triggers.remove(connection)
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def verify() -> str:
    try:
        call_command("audit", "verify")
    except CommandError as error:
        return str(error)
    return "intact"


def test_an_untouched_trail_verifies_and_sealing_twice_seals_once(events: list[Event]) -> None:
    assert chain.seal() > 0
    blocks = Seal.objects.count()
    assert chain.seal() == 0
    assert Seal.objects.count() == blocks
    report = chain.verify()
    assert report.ok and report.unsealed == 0 and report.sealed >= len(events)
    assert verify() == "intact"


def test_rows_written_after_a_seal_are_sealed_next_round(events: list[Event]) -> None:
    chain.seal()
    services.record_event(events[0].case, "note", message="later")
    assert chain.verify().unsealed == 1
    assert chain.seal() == 1
    assert chain.verify().unsealed == 0


def test_an_updated_row_is_named(events: list[Event]) -> None:
    chain.seal()
    sql("UPDATE audit_event SET message = %s WHERE id = %s", "改过", events[2].pk)
    assert f"event {events[2].pk} changed" in verify()


def test_a_deleted_row_is_named(events: list[Event]) -> None:
    chain.seal()
    sql("DELETE FROM audit_event WHERE id = %s", events[3].pk)
    assert f"event {events[3].pk} removed" in verify()


def test_a_row_inserted_into_a_sealed_gap_is_named(events: list[Event]) -> None:
    # A gap before sealing (as a rolled-back insert leaves), then a forged row slipped into it afterwards.
    gap = events[1]
    sql("DELETE FROM audit_event WHERE id = %s", gap.pk)
    triggers.install(connection)
    chain.seal()
    assert verify() == "intact"
    sql(
        "INSERT INTO audit_event (id, case_id, actor_kind, action, from_state, to_state, public, message, data,"
        " created_at) VALUES (%s, %s, 'staff', 'note', '', '', %s, '伪造', '{}', %s)",
        gap.pk,
        gap.case_id,
        False,
        gap.created_at,
    )
    assert f"event {gap.pk} inserted" in verify()


def test_a_row_inserted_below_every_seal_is_named(events: list[Event]) -> None:
    chain.seal()
    sql(
        "INSERT INTO audit_event (id, case_id, actor_kind, action, from_state, to_state, public, message, data,"
        " created_at) VALUES (0, %s, 'staff', 'note', '', '', %s, '伪造', '{}', %s)",
        events[0].case_id,
        False,
        events[0].created_at,
    )
    assert "event 0 inserted" in verify()


def test_a_rewritten_or_removed_seal_breaks_the_chain(events: list[Event]) -> None:
    chain.seal()
    head = chain.verify().head
    first = Seal.objects.order_by("number")[0]
    sql("UPDATE audit_seal SET count = 99 WHERE id = %s", first.pk)
    assert f"seal {first.number}" in verify()
    sql("DELETE FROM audit_seal")
    assert verify() == "intact"  # no seals at all: every row looks unsealed...
    with pytest.raises(CommandError, match="head"):
        call_command("audit", "verify", "--head", head)  # ...which the head written down earlier reveals
