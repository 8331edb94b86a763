"""From the tracking page a citizen sees everything held about their request and downloads it (JSON, PDF), once a
one-time code sent to the contact on file proved it is theirs: the tracking code alone shows no contact details.
The code expires, allows a few tries, and works once."""

from __future__ import annotations

import json
from datetime import timedelta

import time_machine
from django.test import Client

from fankui.cases.models import Case
from fankui.notify.models import Message
from fankui.privacy.models import AccessCode
from tests import factories

from .conftest import EMAIL, NAME, PHONE, citizen, prove, sent_code


def test_the_tracking_page_leads_to_the_data_but_shows_no_contact(person_case: Case) -> None:
    client = citizen()
    track = client.get(f"/track/{person_case.tracking_code}/").content.decode()
    assert f"/track/{person_case.tracking_code}/privacy/" in track
    page = client.get(f"/track/{person_case.tracking_code}/privacy/").content.decode()
    assert PHONE not in page and NAME not in page and EMAIL not in page
    assert "w***@example.cn" in page  # where the code will go, masked
    download = client.get(f"/track/{person_case.tracking_code}/privacy/data.json")
    assert download.status_code == 302 and PHONE not in download.content.decode()


def test_the_code_goes_to_the_contact_on_file_through_the_outbox(person_case: Case) -> None:
    citizen().post(f"/track/{person_case.tracking_code}/privacy/code/")
    message = Message.objects.get(key__startswith="privacy-code:")
    assert (message.channel, message.address, message.status) == ("email", EMAIL, "queued")
    assert AccessCode.objects.get().code_hash != sent_code(person_case)  # only a keyed hash is kept


def test_with_the_code_the_page_shows_and_downloads_everything_held(person_case: Case) -> None:
    client = citizen()
    prove(client, person_case)
    page = client.get(f"/track/{person_case.tracking_code}/privacy/").content.decode()
    assert all(value in page for value in (NAME, PHONE, EMAIL, "门口.png"))
    data = json.loads(client.get(f"/track/{person_case.tracking_code}/privacy/data.json").content)
    assert data["contact"] == {
        "name": NAME,
        "phone": PHONE,
        "email": EMAIL,
        "address": "幸福小区3栋201室",
        "location": [28.2, 112.9],
    }
    assert data["submission"]["title"] == "路灯坏了" and data["attachments"][0]["name"] == "门口.png"
    assert [event["what"] for event in data["events"]] == ["Received"]
    pdf = client.get(f"/track/{person_case.tracking_code}/privacy/data.pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF-")
    assert "attachment" in pdf["Content-Disposition"]


def test_a_wrong_code_counts_and_too_many_end_the_code(person_case: Case, settings: object) -> None:
    client = citizen()
    client.post(f"/track/{person_case.tracking_code}/privacy/code/")
    right = sent_code(person_case)
    wrong = "000000" if right != "000000" else "111111"
    for _ in range(5):
        answer = client.post(f"/track/{person_case.tracking_code}/privacy/verify/", {"code": wrong})
        assert answer.status_code == 422
    answer = client.post(f"/track/{person_case.tracking_code}/privacy/verify/", {"code": right})
    assert answer.status_code == 422 and "no longer valid" in answer.content.decode()
    assert PHONE not in client.get(f"/track/{person_case.tracking_code}/privacy/").content.decode()


def test_a_code_expires_and_works_once(person_case: Case, _frozen_time: time_machine.Coordinates) -> None:
    client = citizen()
    client.post(f"/track/{person_case.tracking_code}/privacy/code/")
    code = sent_code(person_case)
    _frozen_time.shift(timedelta(minutes=16))
    assert client.post(f"/track/{person_case.tracking_code}/privacy/verify/", {"code": code}).status_code == 422
    prove(client, person_case)
    again = Client()
    assert (
        again.post(f"/track/{person_case.tracking_code}/privacy/verify/", {"code": sent_code(person_case)}).status_code
        == 422
    )


def test_the_proof_belongs_to_one_case_and_one_browser(person_case: Case) -> None:
    other = factories.case(contact_phone="13800138000")
    client = citizen()
    prove(client, person_case)
    assert "13800138000" not in client.get(f"/track/{other.tracking_code}/privacy/").content.decode()
    assert PHONE not in citizen().get(f"/track/{person_case.tracking_code}/privacy/").content.decode()


def test_a_request_without_contact_details_has_no_code_to_send(db: None) -> None:
    case = factories.case(anonymous=True, contact_phone=PHONE)
    client = citizen()
    assert "no contact details on file" in client.get(f"/track/{case.tracking_code}/privacy/").content.decode()
    client.post(f"/track/{case.tracking_code}/privacy/code/")
    assert not Message.objects.exists()


def test_an_unknown_code_is_a_404(db: None) -> None:
    assert citizen().get("/track/AAAAAAAAAAAAA/privacy/").status_code == 404
