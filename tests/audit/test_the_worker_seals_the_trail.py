"""The worker's round seals what was written since the last one: the `audit_seal` sweep is registered and does
nothing twice."""

from __future__ import annotations

from fankui.accounts.models import Role
from fankui.audit import chain
from fankui.audit.services import record_login
from fankui.core.management.commands.worker import sweeps
from tests import factories


def test_the_worker_runs_audit_seal(db: None) -> None:
    seal = dict(sweeps())["audit_seal"]
    record_login(factories.user(Role.DISPATCHER), True, "127.0.0.1")
    assert seal() == 2  # the user's creation and the sign-in
    assert seal() == 0
    assert chain.verify().ok
