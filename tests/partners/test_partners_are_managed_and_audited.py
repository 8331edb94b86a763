"""Issue 15: partner systems are made, listed, given a new secret and revoked by `fankui partners` and in the admin
(administrators only), each step in the audit trail, and a secret is shown once. A rotated secret keeps working for
its grace period so the partner can switch without refused requests."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from fankui.accounts.models import Role
from fankui.audit.models import Entry
from fankui.partners import services
from fankui.partners.models import Partner
from tests import factories

from .conftest import Made


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("partners", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_the_command_adds_lists_rotates_and_revokes() -> None:
    out = _run(
        "add", "wechat-mp", "--name", "微信小程序", "--callback-url", "https://mp.example.cn/fankui", "--rate", "100/m"
    )
    secret = re.search(r"secret \(shown once.*\): (\S+)", out).group(1)  # type: ignore[union-attr]
    partner = Partner.objects.get()
    assert (partner.secret, partner.callback_url, partner.rate) == (secret, "https://mp.example.cn/fankui", "100/m")
    assert "wechat-mp" in _run("list") and "active" in _run("list")
    rotated = re.search(r"\(shown once\): (\S+)", _run("rotate-secret", "wechat-mp")).group(1)  # type: ignore[union-attr]
    assert rotated != secret
    assert "Revoked wechat-mp" in _run("revoke", "wechat-mp")
    with pytest.raises(CommandError, match="revoked already"):
        _run("revoke", "wechat-mp")
    kinds = list(Entry.objects.order_by("id").values_list("kind", "target", "actor_name"))
    assert kinds == [
        ("partner_created", "partner:wechat-mp", "command"),
        ("partner_secret_rotated", "partner:wechat-mp", "command"),
        ("partner_revoked", "partner:wechat-mp", "command"),
    ]
    assert not any(secret in str(e.data) or rotated in str(e.data) for e in Entry.objects.all())


@pytest.mark.django_db
def test_the_command_says_what_is_wrong() -> None:
    with pytest.raises(CommandError, match="slug"):
        _run("add", "Not A Slug", "--name", "x")
    with pytest.raises(CommandError, match="callback_url"):
        _run("add", "ok-slug", "--name", "x", "--callback-url", "ftp://example.cn")
    with pytest.raises(CommandError, match="No partner system"):
        _run("revoke", "nobody")


@pytest.mark.django_db
def test_the_secret_is_encrypted_at_rest(made: Made) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM partners_partner")
        (stored,) = cursor.fetchone()
    assert made.secret not in stored
    assert stored.startswith("gAAAAA")


@pytest.mark.django_db
def test_a_rotated_secret_keeps_working_for_its_grace_period(made: Made, post: Any, _frozen_time: Any) -> None:
    new = services.rotate_secret(made.partner, grace_hours=24)
    assert post({"reference": "A-1", "body": "路灯坏了一个月，请尽快修理。"}, secret=made.secret).status_code == 201
    assert post({"reference": "A-2", "body": "路灯坏了两个月，请尽快修理。"}, secret=new).status_code == 201
    _frozen_time.shift(timedelta(hours=25))
    assert post({"reference": "A-3", "body": "路灯坏了三个月，请尽快修理。"}, secret=made.secret).status_code == 401
    assert post({"reference": "A-4", "body": "路灯坏了四个月，请尽快修理。"}, secret=new).status_code == 201


@pytest.mark.django_db
def test_a_leaked_secret_stops_at_once(made: Made, post: Any) -> None:
    services.rotate_secret(made.partner, grace_hours=0)
    assert post(secret=made.secret).status_code == 401


@pytest.mark.django_db
def test_an_administrator_adds_a_partner_in_the_admin_and_sees_its_secret_once(client_for: Any) -> None:
    admin = factories.user(Role.ADMIN)
    client = client_for(admin)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    response = client.post(
        "/admin/partners/partner/add/",
        {"name": "抖音舆情", "slug": "douyin", "callback_url": "https://douyin.example.cn/cb", "rate": ""},
        follow=True,
    )
    assert response.status_code == 200
    partner = Partner.objects.get()
    assert partner.secret in response.content.decode()
    page = client.get(f"/admin/partners/partner/{partner.pk}/change/").content.decode()
    assert partner.secret not in page
    assert Entry.objects.get(kind="partner_created", target="partner:douyin").actor == admin


@pytest.mark.django_db
def test_the_admin_refuses_bad_fields_beside_them(client_for: Any) -> None:
    client = client_for(factories.user(Role.ADMIN))
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    response = client.post("/admin/partners/partner/add/", {"name": "x", "slug": "douyin", "rate": "fast"})
    assert response.status_code == 200
    assert "Write a rate like 600/m" in response.content.decode()
    assert not Partner.objects.exists()


@pytest.mark.django_db
def test_other_roles_do_not_reach_the_partner_admin(client_for: Any, dispatcher: Any, made: Made) -> None:
    response = client_for(dispatcher).get("/admin/partners/partner/")
    assert response.status_code == 302  # to the admin's login: not theirs
    assert made.secret not in response.content.decode()


@pytest.mark.django_db
def test_revoking_in_the_admin_is_audited(client_for: Any, made: Made) -> None:
    admin = factories.user(Role.ADMIN)
    client_for(admin).post(
        "/admin/partners/partner/", {"action": "revoke_partners", "_selected_action": [made.partner.pk]}
    )
    made.partner.refresh_from_db()
    assert not made.partner.active
    assert Entry.objects.filter(kind="partner_revoked", actor=admin).exists()


@pytest.mark.django_db
def test_secrets_follow_a_new_encryption_key(made: Made, settings: Any) -> None:
    from cryptography.fernet import Fernet

    old = list(settings.FANKUI_ENCRYPTION_KEYS)
    settings.FANKUI_ENCRYPTION_KEYS = [Fernet.generate_key().decode(), *old]
    assert "Encrypted the secrets of 1 partner" in _run("reencrypt")
    settings.FANKUI_ENCRYPTION_KEYS = settings.FANKUI_ENCRYPTION_KEYS[:1]  # the old key removed
    assert Partner.objects.get().secret == made.secret


@pytest.mark.django_db
def test_the_callbacks_list_names_its_columns_and_shows_no_body(client_for: Any, made: Made, post: Any) -> None:
    from django.contrib import admin as django_admin
    from django.contrib.admin.utils import label_for_field
    from django.utils.functional import Promise

    from fankui.cases.models import Case
    from fankui.cases.services import moves
    from fankui.partners.models import PartnerDelivery

    model_admin = django_admin.site._registry[PartnerDelivery]
    for name in model_admin.list_display:
        assert isinstance(label_for_field(name, PartnerDelivery, model_admin), Promise), name
    services.change_partner(made.partner, name=made.partner.name, callback_url="https://partner.example/cb", rate="")
    dispatcher = factories.user(Role.DISPATCHER)
    case = Case.objects.get(tracking_code=post().json()["tracking_code"])
    moves.reject(case, dispatcher, "不属于受理范围，理由甲乙丙")
    client = client_for(factories.user(Role.ADMIN))
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    page = client.get("/admin/partners/partnerdelivery/").content.decode()
    assert "Partner system" in page and "Last HTTP status" in page
    delivery = PartnerDelivery.objects.get()
    detail = client.get(f"/admin/partners/partnerdelivery/{delivery.pk}/change/").content.decode()
    assert str(delivery.delivery_id) in detail
    assert "理由甲乙丙" not in detail


@pytest.mark.django_db
def test_an_administrator_finds_the_case_of_a_partners_reference(client_for: Any, made: Made, post: Any) -> None:
    from fankui.cases.models import Case

    case = Case.objects.get(tracking_code=post().json()["tracking_code"])
    client = client_for(factories.user(Role.ADMIN))
    page = client.get("/admin/partners/partnercase/", {"q": "WX-0001"}).content.decode()
    assert case.number in page
    assert case.number not in client.get("/admin/partners/partnercase/", {"q": "WX-9999"}).content.decode()
