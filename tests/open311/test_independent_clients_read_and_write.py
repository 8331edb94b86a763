"""Checked with a client we did not write: the PyPI package ``georeport`` (read-only, JSON and XML) against a live
server. ``open311`` (1.1) and ``three`` (0.8.0), the PyPI clients that can create requests, are Python 2 only (they
fail on import under Python 3: implicit relative imports, ``itertools.ifilter``), so requests are created here with
a plain form-encoded POST as the specification describes it, and read back with ``georeport``."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from georeport import GeoReport

from fankui.accounts.models import Department, User
from fankui.cases.models import Case
from fankui.cases.services import moves
from fankui.open311 import services
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def site(live_server: Any) -> dict[str, Any]:
    roads = factories.category("城市管理")
    lamps = factories.category("路灯维修", parent=roads)
    _client, key = services.issue_client("独立客户端")
    return {"base": live_server.url + "/open311/v2", "key": key, "lamps": lamps}


def post(site: dict[str, Any], fmt: str, **params: Any) -> requests.Response:
    data = {
        "api_key": site["key"],
        "service_code": str(site["lamps"].pk),
        "lat": "28.2282",
        "long": "112.9388",
        "description": "幸福小区门口的路灯坏了一个月。",
        **params,
    }
    return requests.post(f"{site['base']}/requests.{fmt}", data=data, timeout=30)


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_georeport_reads_services_definitions_and_requests(
    site: dict[str, Any], fmt: str, dispatcher: User, dept: Department
) -> None:
    created = post(site, fmt)
    assert created.status_code == 200, created.text
    case = Case.objects.get()
    moves.accept(case, dispatcher)
    moves.dispatch(case, dispatcher, dept)
    reader = GeoReport(site["base"], output_format=fmt)

    services_found = reader.get_service_list()
    definition = reader.get_service_definition(str(site["lamps"].pk))
    listed = reader.get_service_requests(status="open")
    one = reader.get_service_request(str(case.pk))

    codes = [s["service_code"] for s in services_found]
    assert str(site["lamps"].pk) in codes
    assert definition["service_code"] == str(site["lamps"].pk)
    # xmltodict reads a list of one as the element itself.
    first = listed[0] if isinstance(listed, list) else listed
    assert first["service_request_id"] == str(case.pk)
    assert one["service_request_id"] == str(case.pk)
    assert (one["status"], one["agency_responsible"]) == ("open", dept.name)
    assert one["requested_datetime"] == "2026-11-16T10:00:00+08:00"


def test_georeport_sees_an_error_status_for_a_missing_request(site: dict[str, Any]) -> None:
    with pytest.raises(requests.HTTPError) as raised:
        GeoReport(site["base"], output_format="xml").get_service_request("424242")

    assert raised.value.response.status_code == 404
    assert b"<errors><error><code>404</code>" in raised.value.response.content


def test_a_plain_post_gets_its_id_and_bad_input_its_error_list(site: dict[str, Any]) -> None:
    good = post(site, "json", first_name="小明", last_name="王", email="wang@example.cn")
    wrong_key = post(site, "json", api_key="o311_x")
    no_place = post(site, "xml", lat="", long="")

    assert good.status_code == 200 and good.json()[0]["service_request_id"].isdigit()
    assert wrong_key.status_code == 403 and wrong_key.json()[0]["code"] == 403
    assert no_place.status_code == 400 and b"<code>400</code>" in no_place.content
    assert Case.objects.count() == 1


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_georeport_with_our_jurisdiction_reads_and_with_another_gets_the_404(
    site: dict[str, Any], fmt: str, settings: Any
) -> None:
    settings.FANKUI_OPEN311_JURISDICTION_ID = "12345.changsha.gov.cn"
    assert post(site, fmt, jurisdiction_id="12345.changsha.gov.cn").status_code == 200
    case = Case.objects.get()

    ours = GeoReport(site["base"], jurisdiction="12345.changsha.gov.cn", output_format=fmt)
    assert str(site["lamps"].pk) in [s["service_code"] for s in ours.get_service_list()]
    assert ours.get_service_request(str(case.pk))["service_request_id"] == str(case.pk)

    other = GeoReport(site["base"], jurisdiction="sfgov.org", output_format=fmt)
    for call in (other.get_service_list, lambda: other.get_service_request(str(case.pk))):
        with pytest.raises(requests.HTTPError) as raised:
            call()
        assert raised.value.response.status_code == 404
        assert "jurisdiction_id" in raised.value.response.text
