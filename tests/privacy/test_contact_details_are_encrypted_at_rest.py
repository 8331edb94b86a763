"""Contact details are stored encrypted (Fernet, keys from the environment) and a caller's earlier cases are still
found by their number (keyed hashes); `fankui rotate-key` re-encrypts every row with the newest key, and plain text
left from before encryption is encrypted by it (and by the migration)."""

from __future__ import annotations

from io import StringIO

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import connection

from fankui.accounts.models import Role
from fankui.cases.models import Case
from fankui.cases.queries import CaseFilter, filter_cases
from fankui.intake.models import Submission
from fankui.partners.models import Partner
from fankui.partners.services import create_partner
from tests import factories

from .conftest import EMAIL, NAME, PHONE


def _raw() -> list[tuple[str, ...]]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT contact_name, contact_phone, contact_email, address FROM intake_submission")
        return list(cursor.fetchall())


def test_the_database_holds_no_contact_detail_in_clear(db: None) -> None:
    factories.case(contact_name=NAME, contact_phone=PHONE, contact_email=EMAIL, address="幸福小区")
    (row,) = _raw()
    assert all(value.startswith("gAAAAA") for value in row)
    assert not any(secret in str(row) for secret in (NAME, PHONE, EMAIL, "幸福小区"))
    submission = Submission.objects.get()
    assert (submission.contact_name, submission.contact_phone, submission.contact_email) == (NAME, PHONE, EMAIL)


def test_rotating_the_key_re_encrypts_every_row(db: None, settings: pytest.FixtureRequest) -> None:
    old = settings.FANKUI_ENCRYPTION_KEYS  # type: ignore[attr-defined]
    factories.case(contact_phone=PHONE)
    new = Fernet.generate_key().decode()
    settings.FANKUI_ENCRYPTION_KEYS = [new, *old]  # type: ignore[attr-defined]
    out = StringIO()
    call_command("rotate_key", stdout=out)
    assert "1 submission(s)" in out.getvalue()
    settings.FANKUI_ENCRYPTION_KEYS = [new]  # type: ignore[attr-defined]  # the old key is gone
    assert Submission.objects.get().contact_phone == PHONE
    settings.FANKUI_ENCRYPTION_KEYS = old  # type: ignore[attr-defined]
    with pytest.raises(ImproperlyConfigured):
        Submission.objects.get().contact_phone  # noqa: B018


def test_rotating_the_key_re_encrypts_the_partners_signing_secrets_too(
    db: None, settings: pytest.FixtureRequest
) -> None:
    old = settings.FANKUI_ENCRYPTION_KEYS  # type: ignore[attr-defined]
    partner, secret = create_partner("微信小程序", "wechat")
    new = Fernet.generate_key().decode()
    settings.FANKUI_ENCRYPTION_KEYS = [new, *old]  # type: ignore[attr-defined]
    out = StringIO()
    call_command("rotate_key", stdout=out)
    assert "1 partner system(s)" in out.getvalue()
    settings.FANKUI_ENCRYPTION_KEYS = [new]  # type: ignore[attr-defined]  # the old key is gone
    assert Partner.objects.get(pk=partner.pk).secret == secret


def test_plain_text_from_before_encryption_is_read_and_then_encrypted(db: None) -> None:
    case = factories.case()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE intake_submission SET contact_phone = %s", [PHONE])
    assert Submission.objects.get().contact_phone == PHONE
    call_command("rotate_key", stdout=StringIO())
    assert _raw()[0][1].startswith("gAAAAA")
    assert _found(PHONE) == [case]


def _found(q: str) -> list[Case]:
    # The 12345 centre's dispatcher: a role that may see every case's contact details.
    return list(filter_cases(Case.objects.all(), CaseFilter(q=q), factories.user(Role.DISPATCHER)))


def test_a_caller_is_found_by_number_through_the_keyed_hash(db: None, settings: pytest.FixtureRequest) -> None:
    mobile = factories.case(contact_phone="139 1234 5678")
    landline = factories.case(contact_phone="010-88886666")
    assert _found("13912345678") == [mobile]
    assert _found("88886666") == [landline]
    assert len(Submission.objects.get(pk=mobile.submission_id).contact_phone_hash) == 64
    settings.FANKUI_LOOKUP_KEY = "another key"  # type: ignore[attr-defined]
    assert _found("13912345678") == []  # the hash is keyed
    call_command("rotate_key", stdout=StringIO())
    assert _found("13912345678") == [mobile]


def test_the_migration_encrypts_the_rows_stored_before_it(db: None) -> None:
    from importlib import import_module

    from django.apps import apps

    case = factories.case()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE intake_submission SET contact_phone = %s, contact_phone_hash = ''", [PHONE])
    import_module("fankui.intake.migrations.0006_contact_details_encrypted").encrypt_existing_rows(apps, None)
    assert _raw()[0][1].startswith("gAAAAA") and _found(PHONE) == [case]
