"""The audit trail is append-only in Python (the models and their querysets) and in the database itself (a trigger
per table refuses UPDATE and DELETE, whatever runs the SQL)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction

from fankui.accounts.models import Role
from fankui.audit import chain, services
from fankui.audit.models import Access, AppendOnlyError, Entry, Event, Seal
from tests import factories


@pytest.fixture
def rows(db: None) -> None:
    case = factories.case()
    staff = factories.user(Role.DISPATCHER)
    services.record_event(case, "note", actor=staff, message="看过")
    services.record_access(staff, case, "contact")
    services.record_login(staff, True, "127.0.0.1")
    chain.seal()


@pytest.mark.parametrize("model", [Event, Access, Entry, Seal])
def test_querysets_refuse_to_update_or_delete(rows: None, model: Any) -> None:
    with pytest.raises(AppendOnlyError):
        model.objects.all().update(created_at=None) if model is not Seal else model.objects.update(count=0)
    with pytest.raises(AppendOnlyError):
        model.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        model.objects.first().delete()
    assert model.objects.count() >= 1


@pytest.mark.parametrize("table", ["audit_event", "audit_access", "audit_entry", "audit_seal"])
def test_the_database_refuses_sql_update_and_delete(rows: None, table: str) -> None:
    count = Seal.objects.count() if table == "audit_seal" else None
    for statement in (f"UPDATE {table} SET id = id", f"DELETE FROM {table}"):
        with pytest.raises(IntegrityError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {table}")
        assert cursor.fetchone()[0] >= 1
    if count is not None:
        assert Seal.objects.count() == count
