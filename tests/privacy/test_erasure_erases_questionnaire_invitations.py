"""A person's erasure also erases the addresses of the questionnaire invitations their data copy lists (those sent to
the address they proved), as the retention sweep erases them: the address, its keyed hash and the outbox's copies go,
the questionnaires' counts and response rates stay. Another address on the request, never proven, and other people's
invitations are left alone, and so is every invitation when retention (not the person) anonymises the request."""

from __future__ import annotations

import pytest

from fankui.accounts.models import User
from fankui.audit.models import Event
from fankui.cases.models import Case
from fankui.core.errors import Conflict
from fankui.notify.models import Message
from fankui.privacy import services
from fankui.questionnaires.models import Invitation
from fankui.questionnaires.services import distribution, results
from fankui.questionnaires.services.answering import submit
from tests.questionnaires.conftest import build

from .conftest import EMAIL, PHONE, citizen, prove
from .test_erasure_leaves_no_personal_data import _found, _whole_database


def _invite(supervisor: User, title: str, *addresses: str, anonymous: bool = False) -> list[Invitation]:
    survey = build(supervisor, title_zh=title, anonymous=anonymous)
    distribution.add_invitations(supervisor, survey.questionnaire, "\n".join(addresses).encode())
    distribution.send_invitations(supervisor, survey.questionnaire)
    distribution.send_reminders(supervisor, survey.questionnaire)
    first = Invitation.objects.filter(questionnaire=survey.questionnaire).order_by("id").first()
    assert first is not None
    submit(survey.questionnaire, {survey.nps.key: "9"}, invitation=first)
    return list(Invitation.objects.filter(questionnaire=survey.questionnaire).order_by("id"))


def test_erasure_erases_the_proven_address_invitations_and_keeps_the_figures(
    person_case: Case, supervisor: User
) -> None:
    mine, neighbour = _invite(supervisor, "政务服务满意度", EMAIL, "neighbour@example.cn")
    (secret,) = _invite(supervisor, "员工满意度", EMAIL.upper(), anonymous=True)
    (unproven,) = _invite(supervisor, "电话调查", PHONE)
    before = {q.pk: results.rollup(q) for q in (mine.questionnaire, secret.questionnaire)}
    assert _found(EMAIL, _whole_database())

    client = citizen()
    prove(client, person_case)
    answer = client.post(f"/track/{person_case.tracking_code}/privacy/erase/", {"confirm": "on"})

    assert answer.status_code == 302
    for invitation in (mine, secret):
        invitation.refresh_from_db()
        assert invitation.address == "" and invitation.erased_at is not None
        assert invitation.address_hash == f"erased:{invitation.pk}"
        assert invitation.sent_at and invitation.used_at  # the dates stay
    assert not _found(EMAIL, _whole_database())
    # The outbox keeps the invitation's and the reminder's channel and status, not the address or the link.
    questionnaire = mine.questionnaire
    emptied = Message.objects.filter(key__in=[f"questionnaire:{questionnaire.pk}:invite:{mine.pk}"])
    assert emptied.get().address == "" and emptied.get().body == ""
    for questionnaire in (mine.questionnaire, secret.questionnaire):
        after, earlier = results.rollup(questionnaire), before[questionnaire.pk]
        assert (after.invitations, after.invitations_answered, after.responses) == (
            earlier.invitations,
            earlier.invitations_answered,
            earlier.responses,
        )
        assert after.response_rate == earlier.response_rate
    # The number on the request was never proven: its invitation is not the person's to erase. Nor the neighbour's.
    for kept, address in ((unproven, PHONE), (neighbour, "neighbour@example.cn")):
        kept.refresh_from_db()
        assert kept.address == address and kept.erased_at is None
    neighbour_message = Message.objects.get(key=f"questionnaire:{neighbour.questionnaire_id}:invite:{neighbour.pk}")
    assert neighbour_message.address == "neighbour@example.cn"
    erased = Event.objects.get(action="privacy_erased")
    assert erased.data == {"by": "citizen", "files": 1, "invitations": 2}


def test_the_page_says_the_invitations_are_erased_too(person_case: Case, supervisor: User) -> None:
    client = citizen()
    prove(client, person_case)
    page = client.get(f"/track/{person_case.tracking_code}/privacy/").content.decode()
    assert 'id="erase-invitations"' not in page
    _invite(supervisor, "政务服务满意度", EMAIL)
    page = client.get(f"/track/{person_case.tracking_code}/privacy/").content.decode()
    assert 'id="erase-invitations"' in page


def test_retention_leaves_invitations_to_their_own_period(person_case: Case, supervisor: User) -> None:
    (mine,) = _invite(supervisor, "政务服务满意度", EMAIL)
    services.anonymise(person_case, by="retention")
    mine.refresh_from_db()
    assert mine.address == EMAIL and mine.erased_at is None
    assert Event.objects.get(action="privacy_erased").data == {"by": "retention", "files": 1}


def test_a_second_erasure_is_refused_and_changes_nothing(person_case: Case, supervisor: User) -> None:
    services.erase(person_case)
    (later,) = _invite(supervisor, "政务服务满意度", EMAIL)
    client = citizen()
    answer = client.get(f"/track/{person_case.tracking_code}/privacy/")
    assert answer.status_code == 200 and 'id="erased"' in answer.content.decode()
    with pytest.raises(Conflict):
        services.erase(person_case)
    later.refresh_from_db()
    assert later.address == EMAIL
