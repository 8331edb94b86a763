"""Issue 14: the outbox holds citizens' phone numbers and e-mail addresses encrypted, finds them by keyed hashes, and
nothing it stores or sends out names them in clear: not the address columns, not the dedupe key (an unsalted sha256
of the number could be reversed by trying every number), not the opt-out link. `fankui rotate-key` re-encrypts and
rehashes them, and the migration converts the rows stored before."""

from __future__ import annotations

import base64
import hashlib
from importlib import import_module
from io import StringIO

import pytest
from cryptography.fernet import Fernet
from django.apps import apps
from django.core import signing
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import connection
from django.test import Client

from fankui.cases.models import Case
from fankui.core import crypto
from fankui.notify import services
from fankui.notify.models import Channel, Contact, Message, Status
from fankui.portal.notices import submitter_address
from tests import factories

PHONE, EMAIL = "13912345678", "wang.jianguo@example.cn"

pytestmark = pytest.mark.django_db


def tell(case: Case, key: str = "case:1:accept") -> bool:
    return services.notify_citizen(submitter_address(case), "s", "b", key=key, case_id=case.pk)


def _raw(table: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
        return repr(cursor.fetchall())


def _link_token(message: Message) -> str:
    return message.body.split("/notify/optout/")[1].split("/")[0]


def test_the_outbox_stores_no_address_in_clear() -> None:
    tell(factories.case(contact_phone=PHONE))
    tell(factories.case(contact_email=EMAIL.upper()))
    services.mark_bounced(Channel.EMAIL, EMAIL, "550 no such user")
    raw = _raw("notify_message") + _raw("notify_contact")
    assert PHONE not in raw and EMAIL not in raw.lower()
    unkeyed = hashlib.sha256(f"contact:{PHONE}\x1f{Channel.SMS}\x1fcase:1:accept".encode()).hexdigest()
    assert unkeyed not in raw
    sms = Message.objects.to(PHONE).get()
    assert (sms.address, sms.channel) == (PHONE, Channel.SMS)  # read back in clear
    assert Contact.objects.to(EMAIL).get().address == EMAIL


def test_the_opt_out_link_names_the_address_by_its_keyed_hash_only() -> None:
    tell(factories.case(contact_phone=PHONE))
    token = _link_token(Message.objects.get())
    payload = signing.Signer(salt=services.OPT_OUT_SALT).unsign(token)
    decoded = base64.urlsafe_b64decode(payload[2:] + "=" * (-len(payload[2:]) % 4))
    assert PHONE not in token and PHONE.encode() not in decoded
    assert decoded.hex() == crypto.lookup_hash(PHONE)
    Client().post(f"/notify/optout/{token}/", {"choice": "out"})
    contact = Contact.objects.to(PHONE).get()
    assert contact.opted_out_at is not None and contact.address == PHONE  # the address is known from the message
    assert Message.objects.get().status == Status.FAILED


def test_a_link_of_the_old_kind_still_opts_out() -> None:
    case = factories.case(contact_phone=PHONE)
    tell(case)
    old = base64.urlsafe_b64encode(f"sms\x1f{PHONE}".encode()).decode().rstrip("=")
    token = signing.Signer(salt=services.OPT_OUT_SALT).sign(old)
    Client().post(f"/notify/optout/{token}/", {"choice": "out"})
    assert Contact.objects.to(PHONE).get().opted_out_at is not None
    assert tell(case, key="case:1:reply:1") is False


def test_a_forged_or_unknown_link_is_refused() -> None:
    forged = signing.Signer(salt="another").sign("2s" + "A" * 43)
    assert Client().get(f"/notify/optout/{forged}/").status_code == 404
    garbage = signing.Signer(salt=services.OPT_OUT_SALT).sign("2s!!!")
    assert Client().get(f"/notify/optout/{garbage}/").status_code == 404


def test_an_opt_out_from_a_link_holds_after_the_messages_were_erased() -> None:
    case = factories.case(contact_phone=PHONE)
    tell(case)
    token = _link_token(Message.objects.get())
    services.forget_case(case.pk, [], str)
    Client().post(f"/notify/optout/{token}/", {"choice": "out"})
    contact = Contact.objects.to(PHONE).get()
    assert contact.address == "" and contact.opted_out_at is not None
    assert tell(factories.case(contact_phone=PHONE), key="case:2:accept") is False


def test_rotating_the_keys_re_encrypts_and_rehashes_the_outbox(settings: pytest.FixtureRequest) -> None:
    case = factories.case(contact_phone=PHONE)
    tell(case)
    services.opt_out(services.Address(Channel.EMAIL, EMAIL))
    old_keys = settings.FANKUI_ENCRYPTION_KEYS  # type: ignore[attr-defined]
    new = Fernet.generate_key().decode()
    settings.FANKUI_ENCRYPTION_KEYS = [new, *old_keys]  # type: ignore[attr-defined]
    settings.FANKUI_LOOKUP_KEY = "a new lookup key"  # type: ignore[attr-defined]
    out = StringIO()
    call_command("rotate_key", stdout=out)
    assert "1 message(s) and 1 contact(s)" in out.getvalue()
    settings.FANKUI_ENCRYPTION_KEYS = [new]  # type: ignore[attr-defined]  # the old key is gone
    assert Message.objects.to(PHONE).get().address == PHONE
    assert Contact.objects.to(EMAIL).get().opted_out_at is not None
    assert tell(case) is False  # the dedupe key was recomputed under the new lookup key: still once per key
    settings.FANKUI_ENCRYPTION_KEYS = old_keys  # type: ignore[attr-defined]
    with pytest.raises(ImproperlyConfigured):
        Message.objects.get().address  # noqa: B018


def test_the_migration_converts_the_rows_stored_before_it() -> None:
    user = factories.user(email="li@example.gov.cn")
    services.notify_staff([user], "s", "b", key="staff:1")
    tell(factories.case(contact_phone=PHONE))
    services.opt_out(services.Address(Channel.SMS, PHONE))
    old = hashlib.sha256(f"contact:{PHONE}\x1fsms\x1fcase:1:accept".encode()).hexdigest()
    with connection.cursor() as cursor:  # as 0003 left them: plain addresses, no hashes, unkeyed dedupe keys
        cursor.execute(
            "UPDATE notify_message SET address = %s, address_hash = '', dedupe_key = %s WHERE user_id IS NULL",
            [PHONE, old],
        )
        cursor.execute("UPDATE notify_contact SET address = %s, address_hash = ''", [PHONE])
    import_module("fankui.notify.migrations.0004_addresses_encrypted").encrypt_existing_rows(apps, None)
    raw = _raw("notify_message") + _raw("notify_contact")
    assert PHONE not in raw and old not in raw and "li@example.gov.cn" not in raw
    assert Contact.objects.to(PHONE).get().opted_out_at is not None
    assert tell(factories.case(contact_phone=PHONE, contact_email="")) is False  # opted out, found by hash
    assert services.notify_staff([user], "s", "b", key="staff:1") == 0  # the same dedupe key as before


def test_comparing_an_encrypted_column_with_a_value_is_refused() -> None:
    with pytest.raises(TypeError, match="lookup hash"):
        Message.objects.filter(address=PHONE).exists()
