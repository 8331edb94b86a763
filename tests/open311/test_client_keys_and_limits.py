"""Per-client keys: issued by the admin or `fankui open311 clients`, stored hashed, revoked, each step in the audit
trail; every client throttled on its own, every address too, with 429 and Retry-After in the error list."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from fankui.accounts.models import Role, User
from fankui.audit.models import Entry
from fankui.cases.models import Case, Category
from fankui.open311 import services
from fankui.open311.models import Open311Client
from tests import factories

from .conftest import parsed, post_request


def administrator() -> User:
    admin = factories.user(Role.ADMIN, None)
    admin.is_staff = admin.is_superuser = True
    admin.save()
    return admin


def run(*args: str) -> str:
    out = StringIO()
    call_command("open311", *args, stdout=out)
    return out.getvalue()


def test_the_command_adds_lists_and_revokes_a_client(en: Client, lamps: Category) -> None:
    key = run("clients", "add", "微信小程序", "--rate", "100/h").splitlines()[-1]

    client = Open311Client.objects.get(name="微信小程序")
    assert key.startswith("o311_") and client.prefix == key[:12]
    assert key not in client.key_hash and client.key_hash == Open311Client.hash(key)
    assert post_request(en, key, lamps).status_code == 200
    listed = run("clients", "list")
    assert "微信小程序" in listed and "works" in listed and "100/h" in listed and key not in listed

    run("clients", "revoke", "微信小程序")

    assert post_request(en, key, lamps).status_code == 403
    assert "revoked" in run("clients", "list")
    kinds = list(Entry.objects.filter(target__contains="微信小程序").order_by("id").values_list("kind", "actor_name"))
    assert kinds == [("open311_client_issued", "command"), ("open311_client_revoked", "command")]


def test_the_command_refuses_a_bad_rate_a_duplicate_and_an_unknown_name(db: None) -> None:
    with pytest.raises(CommandError, match="rate"):
        run("clients", "add", "App", "--rate", "lots")
    run("clients", "add", "App")
    with pytest.raises(CommandError, match="exists"):
        run("clients", "add", "App")
    with pytest.raises(CommandError, match="No client"):
        run("clients", "revoke", "Nobody")


def test_the_admin_issues_a_key_once_and_revokes_it_both_audited(en: Client, lamps: Category, client_for: Any) -> None:
    admin = administrator()
    browser = client_for(admin)
    browser.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"

    page = browser.post("/admin/open311/open311client/add/", {"name": "FixMyStreet", "rate": "600/h"}, follow=True)

    client = Open311Client.objects.get(name="FixMyStreet")
    text = page.content.decode()
    key = text[text.index("o311_") :].split(".", 1)[0].split()[0]
    assert client.key_hash == Open311Client.hash(key)
    assert post_request(en, key, lamps).status_code == 200
    browser.post(
        "/admin/open311/open311client/",
        {"action": "revoke", "_selected_action": [client.pk]},
    )
    assert post_request(en, key, lamps).status_code == 403
    entries = Entry.objects.filter(target__contains="FixMyStreet").order_by("id")
    assert [(e.kind, e.actor_id) for e in entries] == [
        ("open311_client_issued", admin.pk),
        ("open311_client_revoked", admin.pk),
    ]
    assert key not in str([e.data for e in entries])


def test_an_admin_change_of_a_client_is_audited(client_for: Any, db: None) -> None:
    admin = administrator()
    client, _key = services.issue_client("App")

    client_for(admin).post(f"/admin/open311/open311client/{client.pk}/change/", {"name": "App", "rate": "off"})

    entry = Entry.objects.get(kind="open311_client_changed")
    assert entry.data["changes"] == {"rate": ["", "off"], "active": [True, False]}


def test_each_client_has_its_own_limit(en: Client, lamps: Category, settings: Any) -> None:
    settings.FANKUI_RATE_LIMITS = {"open311_client": (2, 3600)}
    _slow, slow_key = services.issue_client("慢", rate="1/h")
    _fast, fast_key = services.issue_client("快")
    _free, free_key = services.issue_client("内部系统", rate="off")

    assert post_request(en, slow_key, lamps).status_code == 200
    refused = post_request(en, slow_key, lamps)
    for _ in range(2):
        assert post_request(en, fast_key, lamps).status_code == 200
    for _ in range(4):
        assert post_request(en, free_key, lamps).status_code == 200

    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert parsed(refused)[0]["code"] == 429
    assert post_request(en, fast_key, lamps, fmt="xml").status_code == 429
    assert Case.objects.count() == 7


def test_every_address_is_limited_on_reads_too(en: Client, db: None, settings: Any) -> None:
    settings.FANKUI_RATE_LIMITS = {"open311": (2, 60)}

    assert en.get("/open311/v2/services.xml").status_code == 200
    assert en.get("/open311/v2/requests.json").status_code == 200
    refused = en.get("/open311/v2/requests.xml")

    assert refused.status_code == 429
    assert parsed(refused).find("error").findtext("code") == "429"
    assert 0 < int(refused["Retry-After"]) <= 60
    assert Client(REMOTE_ADDR="10.0.0.2").get("/open311/v2/services.xml").status_code == 200
