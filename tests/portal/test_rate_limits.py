"""Issue 14: 200 API submissions and 50 form submissions from one client in a burst were all accepted, and 2,400
tracking lookups never got a 429. The same bursts against small configured limits (core.throttle)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from django.utils import translation

from fankui.accounts.models import User
from fankui.accounts.services import issue_token
from fankui.cases.models import Case
from fankui.core.throttle import Throttled
from fankui.settings import env_rate
from fankui.surveys.models import Rating
from tests import factories

HOUR = 3600


def submit_api(client: Client, phone: str = "", **headers: str) -> Any:
    payload: dict[str, Any] = {"body": "小区门口的路灯坏了一个月，晚上很黑。"}
    if phone:
        payload["contact"] = {"phone": phone}
    return client.post("/api/v1/submissions", json.dumps(payload), content_type="application/json", headers=headers)


@pytest.mark.django_db
def test_a_burst_of_api_submissions_from_one_address_gets_429_with_retry_after(settings: Any) -> None:
    settings.FANKUI_RATE_LIMITS = {"submit": (5, HOUR)}
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    answers = [submit_api(client).status_code for _ in range(200)]
    assert answers[:5] == [201] * 5
    assert set(answers[5:]) == {429}
    assert Case.objects.count() == 5
    refused = submit_api(client)
    assert refused.json()["code"] == "throttled"
    assert "Too many requests" in refused.json()["detail"]
    assert 0 < int(refused["Retry-After"]) <= HOUR


@pytest.mark.django_db
def test_the_message_is_in_the_clients_language(settings: Any) -> None:
    settings.FANKUI_RATE_LIMITS = {"submit": (1, HOUR)}
    client = Client()  # no Accept-Language: the site's Chinese
    submit_api(client)
    refused = submit_api(client)
    with translation.override("zh-hans"):
        expected = str(Throttled(int(refused["Retry-After"])).message)
    assert refused.json()["detail"] == expected and "分钟后再试" in expected


@pytest.mark.django_db
def test_the_limit_lifts_when_its_window_has_passed(settings: Any, _frozen_time: time_machine.Coordinates) -> None:
    settings.FANKUI_RATE_LIMITS = {"submit": (2, HOUR)}
    client = Client()
    assert [submit_api(client).status_code for _ in range(3)] == [201, 201, 429]
    _frozen_time.shift(HOUR)
    assert submit_api(client).status_code == 201


@pytest.mark.django_db
def test_one_phone_number_is_limited_across_addresses(settings: Any) -> None:
    settings.FANKUI_RATE_LIMITS = {"submit": (100, HOUR), "submit_contact": (3, HOUR)}
    # Every way of writing one number counts on one counter, as intake stores them all as one number.
    spellings = ["138 0013 8000", "+86 13800138000", "008613800138000", "13800138000", "8613800138000"]
    answers = [
        submit_api(Client(REMOTE_ADDR=f"10.0.0.{n}"), phone=phone).status_code for n, phone in enumerate(spellings)
    ]
    assert answers == [201, 201, 201, 429, 429]
    assert submit_api(Client(REMOTE_ADDR="10.0.0.9"), phone="13900139000").status_code == 201


@pytest.mark.django_db
def test_other_addresses_are_not_held_back(settings: Any) -> None:
    settings.FANKUI_RATE_LIMITS = {"submit": (1, HOUR)}
    assert submit_api(Client(REMOTE_ADDR="10.0.0.1")).status_code == 201
    assert submit_api(Client(REMOTE_ADDR="10.0.0.1")).status_code == 429
    assert submit_api(Client(REMOTE_ADDR="10.0.0.2")).status_code == 201


@pytest.mark.django_db
def test_behind_a_trusted_proxy_the_forwarded_address_counts(settings: Any) -> None:
    settings.FANKUI_RATE_LIMITS = {"submit": (1, HOUR)}
    settings.FANKUI_TRUSTED_PROXIES = 1
    proxy = Client(REMOTE_ADDR="127.0.0.1")
    assert submit_api(proxy, **{"X-Forwarded-For": "203.0.113.5"}).status_code == 201
    assert submit_api(proxy, **{"X-Forwarded-For": "203.0.113.6"}).status_code == 201
    # A client cannot choose a new address by sending its own header: the proxy appends the one it saw.
    assert submit_api(proxy, **{"X-Forwarded-For": "1.2.3.4, 203.0.113.5"}).status_code == 429


@pytest.mark.django_db
def test_staff_and_partner_systems_with_a_token_are_not_limited(settings: Any, dispatcher: User) -> None:
    settings.FANKUI_RATE_LIMITS = {"submit": (1, HOUR), "submit_contact": (1, HOUR)}
    token = issue_token(dispatcher, "hotline desk")
    client = Client()
    answers = [submit_api(client, phone="13800138000", Authorization=f"Bearer {token}").status_code for _ in range(5)]
    assert answers == [201] * 5


@pytest.mark.django_db
def test_a_burst_of_form_submissions_is_refused_and_keeps_what_was_typed(
    settings: Any, en: Client, fresh_form: Callable[..., dict[str, Any]]
) -> None:
    settings.FANKUI_RATE_LIMITS = {"submit": (5, HOUR)}
    answers = [en.post("/", fresh_form(body=f"第{n}条：路灯坏了一个月。")) for n in range(50)]
    assert [a.status_code for a in answers[:5]] == [302] * 5
    assert {a.status_code for a in answers[5:]} == {429}
    assert Case.objects.count() == 5
    page = answers[-1].content.decode()
    assert "Too many requests" in page and "第49条：路灯坏了一个月。" in page
    assert int(answers[-1]["Retry-After"]) > 0


@pytest.mark.django_db
def test_the_form_counts_per_contact_too(settings: Any, fresh_form: Callable[..., dict[str, Any]]) -> None:
    settings.FANKUI_RATE_LIMITS = {"submit_contact": (2, HOUR)}
    answers = [
        Client(REMOTE_ADDR=f"10.0.1.{n}").post("/", fresh_form(body=f"第{n}条意见。", contact_email="A@example.com"))
        for n in range(3)
    ]
    assert [a.status_code for a in answers] == [302, 302, 429]


@pytest.mark.django_db
def test_tracking_lookups_get_429(settings: Any, en: Client) -> None:
    settings.FANKUI_RATE_LIMITS = {"track": (10, HOUR)}
    case = factories.case()
    pages = [en.get(f"/track/{case.tracking_code}/").status_code for _ in range(10)]
    assert pages == [200] * 10
    refused = en.get(f"/track/{case.tracking_code}/")
    assert refused.status_code == 429 and "Too many requests" in refused.content.decode()
    assert int(refused["Retry-After"]) > 0
    assert en.get("/track/", {"code": case.tracking_code}).status_code == 429
    api = en.get(f"/api/v1/track/{case.tracking_code}")
    assert api.status_code == 429 and api.json()["code"] == "throttled" and api["Retry-After"]


@pytest.mark.django_db
def test_2400_lookups_of_made_up_codes_are_stopped(settings: Any) -> None:
    settings.FANKUI_RATE_LIMITS = {"track": (300, HOUR)}
    client = Client()
    answers = [client.get(f"/api/v1/track/ABCD2345EFG{n:02d}").status_code for n in range(400)]
    assert answers.count(404) == 300 and answers.count(429) == 100


@pytest.mark.django_db
def test_ratings_are_limited(settings: Any, en: Client, dispatcher: User, handler: User) -> None:
    settings.FANKUI_RATE_LIMITS = {"rate": (1, HOUR)}
    first = factories.case_in("replied", dispatcher=dispatcher, lead=handler.department, handler=handler)
    second = factories.case_in("replied", dispatcher=dispatcher, lead=handler.department, handler=handler)
    assert en.post(f"/track/{first.tracking_code}/rate/", {"level": "5"}).status_code == 302
    page = en.post(f"/track/{second.tracking_code}/rate/", {"level": "4", "comment": "还行"})
    assert (
        page.status_code == 429
        and "Too many requests" in page.content.decode()
        and ">还行</textarea>" in page.content.decode()
    )
    api = en.post(
        f"/api/v1/track/{second.tracking_code}/rating", json.dumps({"level": 4}), content_type="application/json"
    )
    assert api.status_code == 429 and api.json()["code"] == "throttled"
    assert Rating.objects.count() == 1


@pytest.mark.django_db
def test_without_limits_nothing_is_counted(settings: Any) -> None:
    settings.FANKUI_RATE_LIMITS = {}
    client = Client()
    assert {submit_api(client).status_code for _ in range(30)} == {201}


def test_rates_are_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for value, expected in [("20/h", (20, 3600)), ("5/10m", (5, 600)), ("off", None), ("100/d", (100, 86400))]:
        monkeypatch.setenv("FANKUI_RATE_X", value)
        assert env_rate("RATE_X", "1/s") == expected
    monkeypatch.setenv("FANKUI_RATE_X", "lots")
    with pytest.raises(ImproperlyConfigured, match="FANKUI_RATE_X"):
        env_rate("RATE_X", "1/s")


@pytest.mark.django_db
def test_the_privacy_pages_count_against_the_tracking_limit(settings: Any, en: Client) -> None:
    settings.FANKUI_RATE_LIMITS = {"track": (3, HOUR)}
    case = factories.case()
    assert [en.get(f"/track/{case.tracking_code}/privacy/").status_code for _ in range(3)] == [200] * 3
    refused = en.post(f"/track/{case.tracking_code}/privacy/code/")
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert en.get("/track/ABCD2345EFG00/privacy/").status_code == 429


@pytest.mark.django_db
def test_the_counters_keep_no_address_or_phone_number(settings: Any) -> None:
    from django.core.cache import cache

    settings.FANKUI_RATE_LIMITS = {"submit": (5, HOUR), "submit_contact": (5, HOUR)}
    submit_api(Client(REMOTE_ADDR="203.0.113.77"), phone="13800138000")
    keys = " ".join(str(key) for key in cache._cache)  # type: ignore[attr-defined]
    assert keys and "13800138000" not in keys and "203.0.113.77" not in keys


@pytest.mark.django_db
@pytest.mark.parametrize(
    "method, path",
    [
        ("get", "/submitted/{code}/"),
        ("get", "/track/{code}/rate/"),
        ("post", "/track/{code}/rate/"),
        ("post", "/track/{code}/answer/"),
        ("get", "/track/{code}/rectification/"),
        ("post", "/track/{code}/rectification/"),
    ],
)
def test_no_page_by_tracking_code_is_a_way_round_the_tracking_limit(
    settings: Any, en: Client, method: str, path: str
) -> None:
    """Made-up codes tried on any page that looks a case up by its code count as tracking look-ups."""
    settings.FANKUI_RATE_LIMITS = {"track": (3, HOUR)}
    answers = [getattr(en, method)(path.format(code=f"ABCD2345EFG{n:02d}")).status_code for n in range(5)]
    assert answers[:3] == [404] * 3 and answers[3:] == [429, 429]
