from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction

from fankui.accounts.models import Department, User
from fankui.cases import signals
from fankui.cases.models import Case
from fankui.cases.services import moves
from fankui.core.errors import Conflict
from tests import factories


@pytest.fixture
def heard() -> Iterator[list[tuple[str, dict[str, Any]]]]:
    log: list[tuple[str, dict[str, Any]]] = []

    def on_created(sender: type, cases: list[Case], moves: Any = None, **kwargs: Any) -> None:
        log.extend(("created", {"case": case.pk, "state": case.state}) for case in cases)

    def on_moved(sender: type, **kwargs: Any) -> None:
        log.append(("moved", {k: kwargs[k] for k in ("action", "source", "target", "user")}))

    signals.cases_created.connect(on_created, dispatch_uid="test-created")
    signals.case_moved.connect(on_moved, dispatch_uid="test-moved")
    yield log
    signals.cases_created.disconnect(dispatch_uid="test-created")
    signals.case_moved.disconnect(dispatch_uid="test-moved")


@pytest.mark.django_db
def test_opening_a_case_and_each_transition_send_one_signal(
    heard: list[tuple[str, dict[str, Any]]], dispatcher: User, dept: Department
) -> None:
    case = factories.case()
    moves.accept(case, dispatcher)
    moves.dispatch(case, dispatcher, dept)
    assert heard == [
        ("created", {"case": case.pk, "state": "received"}),
        ("moved", {"action": "accept", "source": "received", "target": "accepted", "user": dispatcher}),
        ("moved", {"action": "dispatch", "source": "accepted", "target": "dispatched", "user": dispatcher}),
    ]


@pytest.mark.django_db
def test_a_refused_move_sends_nothing(heard: list[tuple[str, dict[str, Any]]], handler: User) -> None:
    case = factories.case()
    heard.clear()
    with pytest.raises(Conflict):
        moves.start(case, handler)
    assert heard == []


@pytest.mark.django_db(transaction=True)
def test_a_receiver_that_fails_rolls_the_move_back(dispatcher: User) -> None:
    case = factories.case()

    def explode(sender: type, **kwargs: Any) -> None:
        raise RuntimeError("receiver failed")

    signals.case_moved.connect(explode, dispatch_uid="test-explode")
    try:
        with pytest.raises(RuntimeError), transaction.atomic():
            moves.accept(case, dispatcher)
    finally:
        signals.case_moved.disconnect(dispatch_uid="test-explode")
    case.refresh_from_db()
    assert case.state == "received"
    assert not case.events.filter(action="accept").exists()
