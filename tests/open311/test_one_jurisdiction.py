"""One site is one jurisdiction (GeoReport v2, "jurisdiction_id"): discovery publishes its id; a request may omit it,
send it empty or send ours; another one answers the specification's 404 in the error list, on every method that
takes it, in both formats."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from fankui.cases.models import Case, Category, Supplement
from fankui.open311 import jurisdiction

from .conftest import parsed, post_request

pytestmark = pytest.mark.django_db
OURS = "12345.changsha.gov.cn"


@pytest.fixture(autouse=True)
def _ours(settings: Any) -> None:
    settings.FANKUI_OPEN311_JURISDICTION_ID = OURS


@pytest.fixture
def request_id(en: Client, key: str, lamps: Category) -> str:
    [answer] = parsed(post_request(en, key, lamps, email="wang@example.cn", first_name="小明", last_name="王"))
    return str(answer["service_request_id"])


def reads(code: int, request_id: str) -> list[str]:
    return [
        "services",
        f"services/{code}",
        "requests",
        f"requests/{request_id}",
        f"tokens/{Case.objects.get(pk=request_id).open311.token}",
        "servicerequestupdates",
    ]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_discovery_publishes_our_jurisdiction_id(en: Client, fmt: str) -> None:
    answer = parsed(en.get(f"/open311/v2/discovery.{fmt}"))
    if fmt == "json":
        assert answer["endpoints"][0]["jurisdiction_id"] == OURS
    else:
        assert answer.find("endpoints").find("endpoint").findtext("jurisdiction_id") == OURS
    # Discovery takes no jurisdiction: it answers whatever is sent.
    assert en.get(f"/open311/v2/discovery.{fmt}", {"jurisdiction_id": "sfgov.org"}).status_code == 200


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize("given", [None, "", OURS, " 12345.Changsha.GOV.cn "])
def test_every_method_serves_a_request_without_one_or_with_ours(
    en: Client, key: str, lamps: Category, request_id: str, fmt: str, given: str | None
) -> None:
    extra = {} if given is None else {"jurisdiction_id": given}
    for path in reads(lamps.pk, request_id):
        response = en.get(f"/open311/v2/{path}.{fmt}", {"api_key": key, **extra})
        assert response.status_code == 200, (path, response.content)
    assert post_request(en, key, lamps, fmt, description="井盖松动了。", **extra).status_code == 200
    update = {"api_key": key, "service_request_id": request_id, "update_id": f"u-{fmt}-{given}", **extra}
    response = en.post(f"/open311/v2/servicerequestupdates.{fmt}", {**update, "description": "还没修。"})
    assert response.status_code == 200, response.content


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_another_jurisdiction_is_the_specifications_404_everywhere(
    en: Client, key: str, lamps: Category, request_id: str, fmt: str
) -> None:
    other = {"api_key": key, "jurisdiction_id": "sfgov.org"}
    answers = [en.get(f"/open311/v2/{path}.{fmt}", other) for path in reads(lamps.pk, request_id)]
    answers.append(post_request(en, key, lamps, fmt, jurisdiction_id="sfgov.org"))
    answers.append(
        en.post(
            f"/open311/v2/servicerequestupdates.{fmt}",
            {**other, "service_request_id": request_id, "update_id": "9", "description": "x"},
        )
    )
    # In the query string of a POST too.
    answers.append(
        en.post(
            f"/open311/v2/requests.{fmt}?jurisdiction_id=sfgov.org",
            {"api_key": key, "service_code": str(lamps.pk), "lat": "28.2", "long": "112.9", "description": "x"},
        )
    )
    for response in answers:
        assert response.status_code == 404
        body = parsed(response)
        if fmt == "json":
            [error] = body
            code, description = error["code"], error["description"]
        else:
            assert body.tag == "errors"
            code, description = int(body.find("error").findtext("code")), body.find("error").findtext("description")
        assert code == 404
        assert description == f"jurisdiction_id: “sfgov.org” was not found; this endpoint serves only “{OURS}”."
    assert Case.objects.count() == 1 and not Supplement.objects.exists()  # nothing was written


def test_the_default_is_the_sites_host_without_www(settings: Any) -> None:
    settings.FANKUI_OPEN311_JURISDICTION_ID = ""
    settings.FANKUI_PUBLIC_URL = "https://www.12345.example.gov.cn/"
    assert jurisdiction.ours() == "12345.example.gov.cn"
    settings.FANKUI_PUBLIC_URL = ""
    settings.FANKUI_BIND = "0.0.0.0:8103"
    assert jurisdiction.ours() == "127.0.0.1"
