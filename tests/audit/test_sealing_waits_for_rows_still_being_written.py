"""On PostgreSQL a row can get its id before a row that commits first: the sealer must not seal past a row still being
written, or that row would later look inserted into a sealed range. It waits (briefly) for the writers, or seals
nothing this round."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections, transaction

from fankui.audit import chain
from fankui.audit.models import Entry
from fankui.audit.services import record_entry


@pytest.mark.django_db(transaction=True)
def test_a_row_written_in_an_open_transaction_is_not_skipped() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers: ids are committed in order")
    written = threading.Event()
    release = threading.Event()

    def slow_writer() -> None:
        try:
            with transaction.atomic():
                record_entry("login", actor_name="slow")
                written.set()
                release.wait(30)
        finally:
            connections.close_all()

    writer = threading.Thread(target=slow_writer)
    writer.start()
    assert written.wait(30)
    record_entry("login", actor_name="fast")  # a higher id, committed first
    assert chain.seal() == 0  # the tables cannot be locked while the slow row is being written
    release.set()
    writer.join(30)
    assert chain.seal() == 2
    report = chain.verify()
    assert report.ok and report.unsealed == 0
    assert sorted(Entry.objects.values_list("actor_name", flat=True)) == ["fast", "slow"]
