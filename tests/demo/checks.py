"""Assertions over everything the demo loaded, shared by the demo tests."""

from __future__ import annotations

import itertools
from collections import defaultdict

from fankui.audit.models import Event
from fankui.cases import workflow
from fankui.cases.models import Case


def assert_histories_are_valid_paths() -> None:
    """Each case's state-changing events start with "receive" at the case's receipt, follow the transition table
    (each event leaves from the state the previous one entered), run forwards in time and end in the case's state."""
    events = defaultdict(list)
    # In the order they were written: the times must then run forwards by themselves.
    for event in Event.objects.exclude(to_state="").order_by("id"):
        events[event.case_id].append(event)
    cases = list(Case.objects.all())
    assert cases
    for case in cases:
        history = events[case.pk]
        assert history[0].action == "receive" and history[0].created_at == case.created_at, case.number
        for previous, event in itertools.pairwise(history):
            transition = workflow.find(event.from_state, event.action)
            assert transition is not None and transition.target == event.to_state, (case.number, event)
            assert event.from_state == previous.to_state, (case.number, previous, event)
            assert event.created_at >= previous.created_at, (case.number, previous, event)
        assert history[-1].to_state == case.state, case.number
