"""Migration notify 0003: the webhook channel goes (nothing queued webhook messages). A webhook row typed in by hand
that still waits is failed with the reason, so no worker claims it forever; every other row stays as it was."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from fankui.notify.models import Message

BEFORE = [("notify", "0002_message_names_its_case_by_id")]


@pytest.mark.django_db(transaction=True)
def test_a_waiting_webhook_message_is_failed_and_the_others_stay() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps.get_model("notify", "Message")
    now = timezone.now()

    def message(channel: str, status: str, address: str) -> int:
        row = old.objects.create(
            channel=channel,
            status=status,
            address=address,
            key=f"{channel}:{status}",
            dedupe_key=f"{channel}:{status}",
            subject="主题",
            body="正文",
            created_at=now,
            next_attempt_at=now if status == "queued" else None,
        )
        return int(row.pk)

    waiting = message("webhook", "queued", "https://partner.example/hook")
    sent = message("webhook", "sent", "https://partner.example/hook")
    mail = message("email", "queued", "citizen@example.com")

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    rows = {m.pk: (m.status, m.next_attempt_at, m.last_error) for m in Message.objects.all()}
    assert rows == {
        waiting: ("failed", None, "The webhook channel was removed; nothing sends webhook messages."),
        sent: ("sent", None, ""),
        mail: ("queued", now, ""),
    }
