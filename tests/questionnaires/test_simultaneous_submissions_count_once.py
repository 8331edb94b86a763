"""Several respondents at the same moment: on PostgreSQL, threads submit at once; the quota holds and an invitation
gives one response. (SQLite takes its write lock at BEGIN, so there the services' order is the only one.)"""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection, connections

from fankui.core.errors import Conflict
from fankui.questionnaires.models import Invitation, Response
from fankui.questionnaires.services import distribution
from fankui.questionnaires.services.answering import submit

from .conftest import build


def at_once(count: int, work: Any) -> list[str]:
    start = threading.Barrier(count)
    outcomes: list[str] = []

    def run() -> None:
        try:
            start.wait(30)
            work()
            outcomes.append("stored")
        except Conflict:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return sorted(outcomes)


@pytest.mark.django_db(transaction=True)
def test_the_quota_and_an_invitation_hold_under_simultaneous_submissions(supervisor: Any) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers at BEGIN")
    survey = build(supervisor, quota=3)
    answers = {survey.nps.key: "7"}
    assert at_once(6, lambda: submit(survey.questionnaire, answers)) == ["refused"] * 3 + ["stored"] * 3
    assert Response.objects.count() == 3

    other = build(supervisor)
    distribution.add_invitations(supervisor, other.questionnaire, b"13800138000\n")
    invitation = Invitation.objects.get(questionnaire=other.questionnaire)
    outcomes = at_once(4, lambda: submit(other.questionnaire, {other.nps.key: "7"}, invitation=invitation))
    assert outcomes == ["refused"] * 3 + ["stored"]
    assert Response.objects.filter(questionnaire=other.questionnaire).count() == 1
