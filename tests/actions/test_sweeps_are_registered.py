from __future__ import annotations

import pytest

from fankui.core.management.commands.worker import sweeps

pytestmark = pytest.mark.django_db


def test_the_worker_runs_the_actions_and_notify_sweeps() -> None:
    names = {name: task for name, task in sweeps()}
    for name in (
        "deliver_messages",
        "actions_link_topic_cases",
        "actions_send_broadcasts",
        "actions_warn_due",
        "actions_verify_due",
    ):
        assert names[name]() == 0  # nothing to do in an empty database, and no error
