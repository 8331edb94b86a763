"""The privacy page shows everything held about a case, the person's own texts included: a payload in any of them is
shown as text, never run (the same check as tests/portal/test_xss_payloads_are_escaped_on_every_page.py)."""

from __future__ import annotations

from fankui.cases.models import Case
from tests import factories
from tests.xss import SUBMITTED, live_markup

from .conftest import citizen, prove


def test_payloads_in_the_submission_are_shown_as_text_on_the_privacy_page(db: None) -> None:
    fields = {key: value for key, value in SUBMITTED.items() if key != "contact_phone"}
    case: Case = factories.case(contact_phone="13800138000", **fields)
    client = citizen()
    prove(client, case)
    page = client.get(f"/track/{case.tracking_code}/privacy/").content.decode()
    assert "&lt;script&gt;" in page  # the payload is there, as text
    assert live_markup(page) == []
