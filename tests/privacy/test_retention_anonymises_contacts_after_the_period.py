"""Contact details are anonymised a configurable time after a case closed (3 years by default, per kind), by the
worker's sweep and by `fankui retention`; `--dry-run` only says what would be done."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import time_machine
from django.core.management import call_command

from fankui.accounts.models import Department, User
from fankui.audit.models import Event
from fankui.cases.models import Case
from fankui.core.management.commands.worker import sweeps
from fankui.intake.models import Submission
from tests import factories

from .conftest import PHONE


def _closed(dispatcher: User, handler: User, dept: Department, **contact: object) -> Case:
    case = factories.case_in("closed", dispatcher=dispatcher, lead=dept, handler=handler)
    submission = case.submission
    for name, value in {"contact_phone": PHONE, "contact_name": "李四", **contact}.items():
        setattr(submission, name, value)
    submission.save()
    return case


def _phone(case: Case) -> str:
    return Submission.objects.get(pk=case.submission_id).contact_phone


def test_the_sweep_anonymises_a_case_three_years_after_it_closed(
    dispatcher: User, handler: User, dept: Department, _frozen_time: time_machine.Coordinates
) -> None:
    case = _closed(dispatcher, handler, dept)
    sweep = dict(sweeps())["privacy_retention"]
    _frozen_time.shift(timedelta(days=3 * 365 - 2))
    assert sweep() == 0 and _phone(case) == PHONE
    _frozen_time.shift(timedelta(days=4))
    assert sweep() == 1
    assert _phone(case) == "" and Submission.objects.get(pk=case.submission_id).contact_name == ""
    assert Event.objects.get(case=case, action="privacy_erased").data == {"by": "retention", "files": 0}
    assert sweep() == 0  # nothing twice


def test_a_kind_can_be_kept_longer(
    dispatcher: User, handler: User, dept: Department, settings: object, _frozen_time: time_machine.Coordinates
) -> None:
    settings.FANKUI_RETENTION_YEARS_BY_KIND = {"complaint": 5}  # type: ignore[attr-defined]
    case = _closed(dispatcher, handler, dept)
    _frozen_time.shift(timedelta(days=4 * 365))
    assert dict(sweeps())["privacy_retention"]() == 0 and _phone(case) == PHONE
    _frozen_time.shift(timedelta(days=365 + 2))
    assert dict(sweeps())["privacy_retention"]() == 1


def test_an_open_case_keeps_its_contact(
    dispatcher: User, handler: User, dept: Department, _frozen_time: time_machine.Coordinates
) -> None:
    case = factories.case(contact_phone=PHONE)
    _frozen_time.shift(timedelta(days=10 * 365))
    assert dict(sweeps())["privacy_retention"]() == 0 and _phone(case) == PHONE


def test_the_command_says_what_it_would_do_then_does_it(
    dispatcher: User, handler: User, dept: Department, _frozen_time: time_machine.Coordinates
) -> None:
    first = _closed(dispatcher, handler, dept)
    _frozen_time.shift(timedelta(days=30))
    _closed(dispatcher, handler, dept)
    _frozen_time.shift(timedelta(days=4 * 365))
    out = StringIO()
    call_command("retention", "--dry-run", stdout=out)
    assert "complaint: 2 case(s) past 3 year(s); oldest ended 2026-11-16" in out.getvalue()
    assert "Would anonymise 2 case(s)" in out.getvalue() and _phone(first) == PHONE
    out = StringIO()
    call_command("retention", stdout=out)
    assert "Anonymised 2 case(s)." in out.getvalue() and _phone(first) == ""


def test_retention_clears_the_outbox_of_the_persons_address(
    dispatcher: User, handler: User, dept: Department, _frozen_time: time_machine.Coordinates
) -> None:
    from fankui.notify.models import Contact, Message
    from fankui.notify.services import Address, notify_citizen, opt_out
    from fankui.portal.notices import tell_closed

    case = _closed(dispatcher, handler, dept)
    tell_closed(Case.objects.get(pk=case.pk), "close")
    opt_out(Address("sms", PHONE))
    assert Message.objects.to(PHONE).filter(case_id=case.pk).exists() and Contact.objects.to(PHONE).exists()
    _frozen_time.shift(timedelta(days=3 * 365 + 2))
    assert dict(sweeps())["privacy_retention"]() == 1
    assert not Message.objects.to(PHONE).exists() and not Contact.objects.to(PHONE).exists()
    emptied = Message.objects.get(case_id=case.pk, user__isnull=True)
    assert (emptied.address, emptied.address_hash, emptied.body) == ("", "", "")
    assert notify_citizen(Address("sms", PHONE), "s", "b", key="later") is True  # their opt-out went with them
