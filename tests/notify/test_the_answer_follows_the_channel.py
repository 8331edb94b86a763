"""Issue 15, "Out": a citizen hears back on the channel they used. One rule (``notify.services.citizen_address``)
decides it for every message about a case (the portal's notices, closing the loop, the privacy code): this table walks
every intake channel with each combination of contact details."""

from __future__ import annotations

import pytest

from fankui.core.vocab import Channel as CameBy
from fankui.notify.models import Channel, Message
from fankui.notify.services import citizen_address
from fankui.portal.notices import submitter_address, tell_accepted
from fankui.privacy.services import contact_address
from tests import factories

PHONE, EMAIL = "13912345678", "li@example.cn"
BOTH, PHONE_ONLY, EMAIL_ONLY, NONE = (PHONE, EMAIL), (PHONE, ""), ("", EMAIL), ("", "")

# came by -> contact on file -> where the answer goes (None: nowhere, their system is told by its own app)
TABLE = [
    # A caller to the hotline and a visitor at the window are answered by SMS, even with an e-mail on file.
    (CameBy.PHONE, BOTH, Channel.SMS),
    (CameBy.PHONE, PHONE_ONLY, Channel.SMS),
    (CameBy.PHONE, EMAIL_ONLY, Channel.EMAIL),
    (CameBy.PHONE, NONE, None),
    (CameBy.VISIT, BOTH, Channel.SMS),
    (CameBy.VISIT, EMAIL_ONLY, Channel.EMAIL),
    (CameBy.VISIT, NONE, None),
    # The web form and the API: e-mail, else SMS.
    (CameBy.WEB, BOTH, Channel.EMAIL),
    (CameBy.WEB, PHONE_ONLY, Channel.SMS),
    (CameBy.WEB, NONE, None),
    (CameBy.API, BOTH, Channel.EMAIL),
    (CameBy.API, PHONE_ONLY, Channel.SMS),
    # An e-mail case by e-mail (the mail app threads the reply).
    (CameBy.EMAIL, BOTH, Channel.EMAIL),
    (CameBy.EMAIL, EMAIL_ONLY, Channel.EMAIL),
    # Open311 and partner systems hear of the case from their own apps; the citizen only if they left a contact.
    (CameBy.OPEN311, NONE, None),
    (CameBy.OPEN311, EMAIL_ONLY, Channel.EMAIL),
    (CameBy.OPEN311, PHONE_ONLY, Channel.SMS),
    (CameBy.PARTNER, NONE, None),
    (CameBy.PARTNER, BOTH, Channel.EMAIL),
    (CameBy.IMPORT, BOTH, Channel.EMAIL),
    (CameBy.IMPORT, PHONE_ONLY, Channel.SMS),
]


def test_the_table_names_every_intake_channel() -> None:
    assert {row[0] for row in TABLE} == set(CameBy.values)


@pytest.mark.parametrize(("came_by", "contact", "expected"), TABLE)
def test_the_answer_follows_the_channel(came_by: str, contact: tuple[str, str], expected: str | None) -> None:
    phone, email = contact
    address = citizen_address(anonymous=False, email=email, phone=phone, came_by=came_by)
    assert (address.channel if address else None) == expected
    if address is not None:
        assert address.address == (PHONE if expected == Channel.SMS else EMAIL)
    assert citizen_address(anonymous=True, email=email, phone=phone, came_by=came_by) is None


@pytest.mark.django_db
def test_a_callers_case_is_answered_by_sms_on_every_path() -> None:
    case = factories.case(channel=CameBy.PHONE, contact_phone=PHONE, contact_email=EMAIL)
    assert submitter_address(case).channel == Channel.SMS  # type: ignore[union-attr]
    assert contact_address(case.submission).channel == Channel.SMS  # type: ignore[union-attr]
    tell_accepted(case)
    assert Message.objects.get().channel == Channel.SMS
    web = factories.case(contact_phone=PHONE, contact_email=EMAIL)
    tell_accepted(web)
    assert Message.objects.get(case_id=web.pk).channel == Channel.EMAIL
