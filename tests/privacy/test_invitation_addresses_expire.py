"""The addresses of a questionnaire's invitation list are erased FANKUI_RETENTION_INVITATION_DAYS (180) after the
questionnaire closed, by the same retention sweep and command as cases' contacts; the invitations' counts (the
response rate) stay, and so do the outbox's delivery figures, without the address or the text."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import time_machine
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from fankui.accounts.models import User
from fankui.core.management.commands.worker import sweeps
from fankui.notify.models import Message
from fankui.questionnaires.models import Invitation, State
from fankui.questionnaires.services import building, distribution, results
from fankui.questionnaires.services.answering import submit
from tests.questionnaires.conftest import Survey, build

LIST = b"13800138000\nli@example.cn\n13900139000\n"


def _invited(supervisor: User, **settings: object) -> Survey:
    survey = build(supervisor, **settings)
    distribution.add_invitations(supervisor, survey.questionnaire, LIST)
    distribution.send_invitations(supervisor, survey.questionnaire)
    first = Invitation.objects.filter(questionnaire=survey.questionnaire).order_by("id").first()
    submit(survey.questionnaire, {survey.nps.key: "9"}, invitation=first)
    return survey


def _stored_addresses() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT address FROM questionnaires_invitation")
        return " ".join(row[0] for row in cursor.fetchall())


def test_the_sweep_erases_the_addresses_180_days_after_the_close_and_keeps_the_counts(
    supervisor: User, _frozen_time: time_machine.Coordinates
) -> None:
    survey = _invited(supervisor)
    building.set_state(supervisor, survey.questionnaire, State.CLOSED)
    before = results.rollup(survey.refresh())
    assert (before.invitations, before.invitations_answered) == (3, 1)
    sweep = dict(sweeps())["privacy_retention"]
    _frozen_time.shift(timedelta(days=179))
    assert sweep() == 0 and _stored_addresses().strip()
    _frozen_time.shift(timedelta(days=2))
    assert sweep() == 3
    rows = list(Invitation.objects.order_by("id"))
    assert all(row.address == "" and row.erased_at is not None for row in rows)
    assert [row.address_hash for row in rows] == [f"erased:{row.pk}" for row in rows]
    assert all(row.sent_at is not None for row in rows) and sum(row.used_at is not None for row in rows) == 1
    after = results.rollup(survey.refresh())
    assert (after.invitations, after.invitations_answered, after.responses) == (3, 1, 1)
    assert after.response_rate == before.response_rate
    # The outbox keeps each message's channel, status and dates, not the address or the link.
    messages = list(Message.objects.filter(key__startswith=f"questionnaire:{survey.questionnaire.pk}:"))
    assert len(messages) == 3
    assert all(m.address == "" and m.body == "" for m in messages)
    assert sweep() == 0  # nothing twice


def test_a_questionnaire_closed_by_its_date_counts_from_that_date(
    supervisor: User, _frozen_time: time_machine.Coordinates
) -> None:
    survey = _invited(supervisor)
    questionnaire = survey.refresh()
    questionnaire.closes_at = timezone.now() + timedelta(days=10)
    questionnaire.save(update_fields=["closes_at"])
    _frozen_time.shift(timedelta(days=10 + 179))
    assert dict(sweeps())["privacy_retention"]() == 0
    _frozen_time.shift(timedelta(days=2))
    assert dict(sweeps())["privacy_retention"]() == 3


def test_an_open_questionnaire_keeps_its_list_and_a_reopened_one_starts_again(
    supervisor: User, settings: object, _frozen_time: time_machine.Coordinates
) -> None:
    settings.FANKUI_RETENTION_INVITATION_DAYS = 30  # type: ignore[attr-defined]
    survey = _invited(supervisor)
    _frozen_time.shift(timedelta(days=400))
    assert dict(sweeps())["privacy_retention"]() == 0
    building.set_state(supervisor, survey.questionnaire, State.CLOSED)
    building.set_state(supervisor, survey.questionnaire, State.PUBLISHED)  # published again: no close moment
    _frozen_time.shift(timedelta(days=31))
    assert dict(sweeps())["privacy_retention"]() == 0
    building.set_state(supervisor, survey.questionnaire, State.CLOSED)
    _frozen_time.shift(timedelta(days=31))
    assert dict(sweeps())["privacy_retention"]() == 3


def test_the_command_says_it_then_does_it_and_erased_addresses_get_no_message(
    supervisor: User, _frozen_time: time_machine.Coordinates
) -> None:
    survey = _invited(supervisor)
    building.set_state(supervisor, survey.questionnaire, State.CLOSED)
    _frozen_time.shift(timedelta(days=200))
    out = StringIO()
    call_command("retention", "--dry-run", stdout=out)
    assert "invitations: 3 address(es) of questionnaires closed over 180 day(s) ago" in out.getvalue()
    assert not Invitation.objects.filter(address="").exists()  # a dry run changes nothing
    out = StringIO()
    call_command("retention", stdout=out)
    assert "Anonymised 0 case(s). Erased 3 invitation address(es)." in out.getvalue()
    building.set_state(supervisor, survey.questionnaire, State.PUBLISHED)
    sent = Message.objects.count()
    assert distribution.send_reminders(supervisor, survey.questionnaire) == 0
    assert Message.objects.count() == sent
