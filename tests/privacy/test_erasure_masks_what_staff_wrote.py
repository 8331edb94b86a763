"""Staff quote the citizen in their notes ("王建国先生电话13912345678，请尽快联系"): a dispatch note, a return
reason, a supervisor's instruction, an extension's reason, a reopen reason, a rejection's reason. The timeline is
append-only, so those words are not in it: each event refers to its words in their own row (``audit.EventText``)
and seals a salted commitment to them. Erasure masks those rows, every page shows the masked words, and
``fankui audit verify`` still passes, and still catches words changed, removed or masked behind its back."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client

from fankui.accounts.models import Department, User
from fankui.accounts.services import issue_token
from fankui.audit import chain, triggers
from fankui.audit.models import Event, EventText
from fankui.cases.models import Case
from fankui.cases.services import moves
from fankui.privacy import services as privacy
from fankui.sla.defaults import ensure_defaults
from fankui.sla.models import Extension
from fankui.sla.services import extensions, supervision
from tests import factories

from .conftest import NAME, PHONE, citizen, prove
from .test_erasure_leaves_no_personal_data import _found, _whole_database

QUOTE = f"{NAME}先生电话{PHONE}"


def _worked(case: Case, dispatcher: User, handler: User, supervisor: User, dept: Department) -> None:
    moves.accept(case, dispatcher, note=f"已核实：{QUOTE}")
    moves.dispatch(case, dispatcher, dept, note=f"请联系{QUOTE}")
    moves.return_case(case, handler, f"{QUOTE}所说地点不归我们管")
    moves.dispatch(case, dispatcher, dept, note=f"仍请处理，{QUOTE}", action="redispatch")
    moves.start(case, handler)
    supervision.supervise(case, supervisor, f"督办：尽快回电{QUOTE}")
    supervision.add_instruction(case, supervisor, f"再次提醒：{QUOTE}")
    extensions.request_extension(case, handler, 3, f"需要等{QUOTE}配合")
    extensions.decide_extension(Extension.objects.get(case=case).pk, supervisor, False, f"不批准，{QUOTE}等不了")
    moves.reply(case, handler, "路灯已修好。")
    moves.reopen(case, supervisor, f"{QUOTE}反映仍未修好")


@pytest.fixture
def deadlines(db: None) -> int:
    return ensure_defaults()  # the deadlines an extension extends, before the case is received


def test_staff_notes_are_not_in_the_trail_and_erasure_masks_them(
    deadlines: int,
    person_case: Case,
    dispatcher: User,
    handler: User,
    supervisor: User,
    dept: Department,
    client_for: Any,
) -> None:
    _worked(person_case, dispatcher, handler, supervisor, dept)
    trail = "\n".join(repr(row) for row in Event.objects.values_list("message", "data"))
    assert PHONE not in trail and NAME not in trail
    staff = client_for(supervisor).get(f"/staff/cases/{person_case.pk}/").content.decode()
    for words in ("请联系", "所说地点不归我们管", "督办：尽快回电", "再次提醒", "反映仍未修好", "等不了"):
        assert f"{words}" in staff
    assert f"请联系{QUOTE}" in staff  # the words as written, until erasure
    token = issue_token(supervisor, "tests")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token}").get(f"/api/v1/cases/{person_case.pk}").json()
    assert f"{QUOTE}反映仍未修好" in [e["message"] for e in api["timeline"]]
    assert chain.seal() > 0 and chain.verify().ok

    privacy.anonymise(person_case, by="citizen")

    everything = _whole_database()
    for value in (NAME, PHONE):
        assert not _found(value, everything), value
    staff = client_for(supervisor).get(f"/staff/cases/{person_case.pk}/").content.decode()
    assert "请联系" in staff and "反映仍未修好" in staff and "139****5678" in staff
    assert PHONE not in staff and NAME not in staff
    chain.seal()
    report = chain.verify()
    assert report.ok, report.problem
    assert EventText.objects.filter(case=person_case, erased_at__isnull=False).count() == 9


def test_a_rejections_reason_reaches_the_tracking_page_and_is_masked_by_erasure(
    person_case: Case, dispatcher: User
) -> None:
    moves.reject(person_case, dispatcher, f"不属于受理范围，{QUOTE}请向法院起诉")
    track = citizen().get(f"/track/{person_case.tracking_code}/").content.decode()
    assert f"{QUOTE}请向法院起诉" in track
    api = citizen().get(f"/api/v1/track/{person_case.tracking_code}").json()
    assert any(QUOTE in entry["message"] for entry in api["timeline"])
    client = citizen()
    prove(client, person_case)
    held = client.get(f"/track/{person_case.tracking_code}/privacy/data.json").json()
    assert any(QUOTE in event["message"] for event in held["events"])  # the dossier shows it too

    client.post(f"/track/{person_case.tracking_code}/privacy/erase/", {"confirm": "on"})

    track = citizen().get(f"/track/{person_case.tracking_code}/").content.decode()
    assert "不属于受理范围" in track and "请向法院起诉" in track and PHONE not in track and NAME not in track
    assert not _found(PHONE, _whole_database())


@pytest.fixture
def sealed(db: None, dispatcher: User) -> tuple[Event, EventText]:
    case = factories.case()
    moves.accept(case, dispatcher, note="先联系物业")
    event = Event.objects.get(case=case, action="accept")
    chain.seal()
    return event, EventText.objects.get(pk=event.data["text_id"])


def _sql(statement: str, *params: Any) -> None:
    triggers.remove(connection)  # EventText has no trigger; the attacker's rights are the same either way
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def test_verify_names_an_event_whose_words_were_changed(sealed: tuple[Event, EventText]) -> None:
    event, text = sealed
    assert chain.verify().ok
    _sql("UPDATE audit_eventtext SET text = %s WHERE id = %s", "从未写过的话", text.pk)
    assert chain.verify().problem == f"event {event.pk} text {text.pk} changed"


def test_verify_names_an_event_whose_words_were_removed(sealed: tuple[Event, EventText]) -> None:
    event, text = sealed
    _sql("DELETE FROM audit_eventtext WHERE id = %s", text.pk)
    assert chain.verify().problem == f"event {event.pk} text {text.pk} removed"


def test_words_masked_without_an_erasure_are_named(sealed: tuple[Event, EventText]) -> None:
    event, text = sealed
    _sql(
        "UPDATE audit_eventtext SET text = %s, salt = '', erased_at = %s WHERE id = %s",
        "***",
        text.case.created_at,
        text.pk,
    )
    assert chain.verify().problem == f"event {event.pk} text {text.pk} masked without an erasure of its case"


def test_only_events_with_words_get_a_text_row(db: None, dispatcher: User) -> None:
    case = factories.case()
    moves.accept(case, dispatcher, note="  先联系物业  ")
    moves.dispatch(case, dispatcher, factories.department("城管局"))
    assert list(EventText.objects.values_list("text", flat=True)) == ["先联系物业"]
    assert Event.objects.get(case=case, action="dispatch").data.get("text_id") is None
