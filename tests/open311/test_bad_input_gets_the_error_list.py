"""Bad input answers the specification's error list with 400, 403 or 404 (429 when throttled), in the format the
address asked for, and never a 500; nothing is stored."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from fankui.cases.models import Case, Category

from .conftest import parsed, post_request


def assert_errors(response: Any, status: int, *words: str) -> None:
    assert response.status_code == status, response.content
    body = parsed(response)
    if isinstance(body, list):
        assert body and all(error["code"] == status for error in body)
        text = " ".join(error["description"] for error in body)
    else:
        assert body.tag == "errors"
        assert [e.findtext("code") for e in body.findall("error")] == [str(status)] * len(body.findall("error"))
        text = " ".join(e.findtext("description") or "" for e in body.findall("error"))
    for word in words:
        assert word in text


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_post_without_a_working_key_is_forbidden(en: Client, key: str, lamps: Category, fmt: str) -> None:
    assert_errors(post_request(en, "", lamps, fmt=fmt), 403, "api_key")
    assert_errors(post_request(en, "o311_wrong", lamps, fmt=fmt), 403, "api_key")
    assert not Case.objects.exists()


@pytest.mark.parametrize(
    ("params", "status", "words"),
    [
        ({"service_code": ""}, 400, ["service_code"]),
        ({"service_code": "999999"}, 404, ["999999"]),
        ({"service_code": "路灯"}, 404, []),
        ({"service_code": "路灯维修"}, 404, []),
        ({"long": None}, 400, ["long", "lat"]),
        ({"lat": None}, 400, ["lat"]),
        ({"lat": "north", "long": "x"}, 400, ["lat"]),
        ({"lat": "95", "long": "112"}, 400, ["lat"]),
        ({"lat": None, "long": None}, 400, ["address_string"]),
        ({"description": ""}, 400, ["description"]),
        ({"description": "路灯坏了" * 3000}, 400, ["description", "10000"]),
        ({"description": "路灯\x00坏了"}, 400, ["description", "U+0000"]),
        ({"attribute[whatever]": "a\x1bb"}, 400, ["attribute[whatever]", "U+001B"]),
        ({"attribute[kind]": "rumour"}, 400, ["attribute[kind]"]),
        ({"email": "not-an-address"}, 400, ["email"]),
        ({"phone": "12"}, 400, ["phone"]),
        ({"media_url": "javascript:alert(1)"}, 400, ["media_url"]),
        ({"attribute[title]": "长" * 201}, 400, ["attribute[title]"]),
    ],
)
def test_a_bad_post_is_refused_with_every_reason(
    en: Client, key: str, lamps: Category, params: dict[str, Any], status: int, words: list[str]
) -> None:
    assert_errors(post_request(en, key, lamps, **params), status, *words)
    assert_errors(post_request(en, key, lamps, fmt="xml", **params), status, *words)
    assert not Case.objects.exists()


def test_every_problem_is_named_at_once_in_the_readers_language(key: str, lamps: Category) -> None:
    zh = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    response = post_request(zh, key, lamps, lat="95", email="不是地址", description="", media_url="ftp:")

    assert response.status_code == 400
    assert sorted(error["description"] for error in parsed(response)) == [
        "description: 请描述诉求（description）。",
        "email: “不是地址”不是有效的电子邮件地址。",
        "lat: 请填写不大于 90 的值。",
        "media_url: 请填写网址（https://...）。",
    ]
    assert not Case.objects.exists()


@pytest.mark.parametrize(
    ("query", "status", "words"),
    [
        ("?start_date=yesterday", 400, ["start_date"]),
        ("?end_date=2026-13-45T00:00:00Z", 400, ["end_date"]),
        ("?start_date=2026-01-01T00:00:00Z&end_date=2026-11-01T00:00:00Z", 400, ["90"]),
        ("?start_date=2026-11-10T00:00:00Z&end_date=2026-11-01T00:00:00Z", 400, ["end_date"]),
        ("?status=fixed", 400, ["status"]),
        ("?service_code=424242", 404, ["424242"]),
        ("?service_request_id=" + ",".join(["1"] * 1001), 400, ["1000"]),
        ("?status=%00", 400, ["U+0000"]),
    ],
)
def test_a_bad_list_is_refused(en: Client, db: None, query: str, status: int, words: list[str]) -> None:
    assert_errors(en.get("/open311/v2/requests.json" + query), status, *words)
    assert_errors(en.get("/open311/v2/requests.xml" + query), status, *words)


@pytest.mark.parametrize(
    "path",
    [
        "/open311/v2/requests/abc.json",
        "/open311/v2/requests/99999999999999999999999.json",
        "/open311/v2/services/0.json",
        "/open311/v2/services/abc.xml",
        "/open311/v2/tokens/nothing.xml",
        "/open311/v2/requests.html",
        "/open311/v2/nowhere",
        "/open311/v2/",
    ],
)
def test_what_does_not_exist_is_a_404_in_the_list(en: Client, db: None, path: str) -> None:
    assert_errors(en.get(path), 404)


def test_other_methods_are_refused_in_the_list(en: Client, db: None) -> None:
    response = en.delete("/open311/v2/requests.json")

    assert_errors(response, 405)
    assert response["Allow"] == "GET, POST"
    assert_errors(en.post("/open311/v2/services.xml"), 405)


def test_updates_need_a_working_key(en: Client, key: str) -> None:
    assert_errors(en.get("/open311/v2/servicerequestupdates.json"), 403, "api_key")
    assert_errors(en.get("/open311/v2/servicerequestupdates.xml?api_key=o311_nope"), 403, "api_key")
    assert_errors(en.get(f"/open311/v2/servicerequestupdates.json?api_key={key}&start_date=x"), 400, "start_date")


def test_a_body_over_the_size_limit_is_refused_in_the_list(
    en: Client, key: str, lamps: Category, settings: Any
) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000

    assert_errors(post_request(en, key, lamps, description="路" * 2000), 413)
    assert not Case.objects.exists()


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_digits_that_are_not_ascii_are_no_ids(en: Client, key: str, lamps: Category, fmt: str) -> None:
    """ "²" passes ``str.isdigit`` and fails ``int``: each place an id is read answers as for any unknown id."""
    assert_errors(post_request(en, key, lamps, fmt=fmt, service_code="²"), 404, "²")
    assert en.get(f"/open311/v2/services/².{fmt}").status_code == 404
    assert en.get(f"/open311/v2/requests/².{fmt}").status_code == 404
    listed = en.get(f"/open311/v2/requests.{fmt}", {"service_request_id": "²,٣"})
    assert listed.status_code == 200, listed.content
    assert not Case.objects.exists()
