"""A citizen proves with a one-time code that the contact on file is theirs and has their personal data erased:
afterwards no table of the database holds their name, phone number or e-mail address, their attachment is gone
from disk, the timeline records that an erasure happened, and the dashboard's figures are the same."""

from __future__ import annotations

import json
import re
from typing import Any

from django.core.files.storage import default_storage
from django.db import connection
from django.utils import translation

from fankui.accounts.models import Department, User
from fankui.analysis import tasks as analysis
from fankui.audit.models import Event
from fankui.cases.models import Case
from fankui.cases.services import moves
from fankui.core import crypto
from fankui.insights import queries
from fankui.insights.periods import current_month
from fankui.intake.models import StoredFile, Submission
from fankui.notify.models import Contact, Message
from fankui.notify.services import Address, opt_out
from fankui.sla.services import waiting
from fankui.surveys.services import rate

from .conftest import ADDRESS, EMAIL, NAME, PHONE, citizen, prove


def _whole_database() -> str:
    """Every row of every table, as text, with every encrypted value (a Fernet token) decrypted beside it: an
    encrypted copy of the phone number is still the phone number."""
    rows: list[str] = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            rows.extend(repr(row) for row in cursor.fetchall())
    text = "\n".join(rows)
    return text + "\n" + "\n".join(crypto.decrypt(token) for token in re.findall(r"gAAAAA[\w=-]+", text))


def _found(needle: str, text: str) -> bool:
    # JSON columns may store text \\u-escaped; a keyed hash of the value finds the person as well as the value.
    return (
        needle in text
        or json.dumps(needle)[1:-1] in text
        or needle.lower() in text.lower()
        or crypto.lookup_hash(needle) in text
        or crypto.lookup_hash(needle.lower()) in text
    )


def _figures() -> Any:
    scope, period = queries.whole_organisation(), current_month()
    with translation.override("en"):  # the labels follow the language a request left active
        return (
            queries.volume(scope, period),
            queries.three_rates(scope, period),
            queries.ratings_by_level(scope, period),
            queries.departments(scope, period),
        )


def _handled(case: Case, dispatcher: User, handler: User, dept: Department) -> None:
    analysis.analyse_pending()  # the masked copy, words, place, topic
    moves.accept(case, dispatcher)
    moves.dispatch(case, dispatcher, dept)
    moves.start(case, handler)
    moves.reply(case, handler, f"{NAME}先生您好，路灯已修好。")
    rate(case, 2, "修得太慢了")


def test_erasure_leaves_none_of_the_persons_data_in_any_table(
    person_case: Case, dispatcher: User, handler: User, dept: Department
) -> None:
    _handled(person_case, dispatcher, handler, dept)
    opt_out(Address("email", EMAIL))
    stored = StoredFile.objects.get().file.name
    before = _figures()
    database = _whole_database()
    assert all(_found(value, database) for value in (PHONE, EMAIL))  # the test can see them: in the outbox
    assert Message.objects.to(EMAIL).exists() and Contact.objects.to(EMAIL).exists()

    client = citizen()
    prove(client, person_case)
    answer = client.post(f"/track/{person_case.tracking_code}/privacy/erase/", {"confirm": "on"})

    assert answer.status_code == 302
    everything = _whole_database()
    for value in (NAME, PHONE, EMAIL, ADDRESS):
        assert not _found(value, everything), value
    assert not default_storage.exists(stored) and not StoredFile.objects.exists()
    assert not Contact.objects.exists()
    assert not Message.objects.filter(user__isnull=True).exclude(address="", address_hash="").exists()
    assert _figures() == before
    submission = Submission.objects.get()
    assert "路灯坏了一个月" in submission.body and submission.lat is None
    erased = Event.objects.get(action="privacy_erased")
    assert erased.data == {"by": "citizen", "files": 1} and erased.public


def test_erasure_keeps_the_case_and_its_timeline(person_case: Case) -> None:
    events = list(Event.objects.filter(case=person_case).values_list("pk", "action", "message"))
    client = citizen()
    prove(client, person_case)
    client.post(f"/track/{person_case.tracking_code}/privacy/erase/", {"confirm": "on"})
    person_case.refresh_from_db()
    kept = list(
        Event.objects.filter(case=person_case).exclude(action="privacy_erased").values_list("pk", "action", "message")
    )
    assert kept == events
    assert (person_case.state, person_case.kind) == ("received", "complaint")
    page = client.get(f"/track/{person_case.tracking_code}/").content.decode()
    assert "Your personal data was erased" in page


def test_erasure_needs_the_code_and_a_confirmation(person_case: Case) -> None:
    client = citizen()
    refused = client.post(f"/track/{person_case.tracking_code}/privacy/erase/", {"confirm": "on"})
    assert refused.status_code == 302 and Submission.objects.get().contact_phone == PHONE
    prove(client, person_case)
    unconfirmed = client.post(f"/track/{person_case.tracking_code}/privacy/erase/", {})
    assert unconfirmed.status_code == 422 and Submission.objects.get().contact_phone == PHONE


def test_another_case_of_the_same_person_keeps_its_contact(person_case: Case) -> None:
    from tests import factories

    other = factories.case(contact_phone=PHONE, contact_email=EMAIL)
    opt_out(Address("email", EMAIL))
    client = citizen()
    prove(client, person_case)
    client.post(f"/track/{person_case.tracking_code}/privacy/erase/", {"confirm": "on"})
    other.submission.refresh_from_db()
    assert other.submission.contact_phone == PHONE
    assert Contact.objects.to(EMAIL).filter(opted_out_at__isnull=False).exists()  # their opt-out still holds


def test_the_persons_words_are_not_copied_into_the_audit_trail(
    person_case: Case, dispatcher: User, handler: User, dept: Department, client_for: Any
) -> None:
    """The submitter's answer and rating comment (and the question asked of them) stay in their own rows, which
    erasure masks; the events only refer to them, and the timelines read them from there."""
    analysis.analyse_pending()
    moves.accept(person_case, dispatcher)
    moves.dispatch(person_case, dispatcher, dept)
    moves.start(person_case, handler)
    waiting.request_information(person_case, handler, f"{NAME}先生，请问具体是哪一栋？")
    waiting.resume(person_case, answer=f"我是{NAME}，3栋门口，有事打{PHONE}")
    moves.reply(person_case, handler, "路灯已修好。")
    rate(person_case, 2, f"{NAME}：修得太慢了，回电{PHONE}")
    trail = "\n".join(repr(row) for row in Event.objects.values_list("message", "data"))
    assert NAME not in trail and PHONE not in trail
    staff = client_for(dispatcher).get(f"/staff/cases/{person_case.pk}/").content.decode()
    track = citizen().get(f"/track/{person_case.tracking_code}/").content.decode()
    for page in (staff, track):
        assert f"有事打{PHONE}" in page and "修得太慢了，回电" in page
    assert "请问具体是哪一栋" in staff

    client = citizen()
    prove(client, person_case)
    client.post(f"/track/{person_case.tracking_code}/privacy/erase/", {"confirm": "on"})

    everything = _whole_database()
    for value in (NAME, PHONE):
        assert not _found(value, everything), value
    track = citizen().get(f"/track/{person_case.tracking_code}/").content.decode()
    # The pages show the masked rows: the words are still there, the person's data is not.
    assert "修得太慢了，回电139****5678" in track and "有事打139****5678" in track and PHONE not in track
