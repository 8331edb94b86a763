"""Discovery, the services (the active categories) and a service's definition, in XML and in JSON."""

from __future__ import annotations

from django.test import Client

from fankui.cases.models import Category
from tests import factories

from .conftest import parsed


def test_services_are_the_active_categories_grouped_by_their_top_level(en: Client, lamps: Category) -> None:
    factories.category("已停用", active=False)

    services = parsed(en.get("/open311/v2/services.json"))
    root = parsed(en.get("/open311/v2/services.xml"))

    by_code = {s["service_code"]: s for s in services}
    assert set(by_code) == {str(lamps.parent_id), str(lamps.pk)}
    lamp = by_code[str(lamps.pk)]
    assert (lamp["service_name"], lamp["group"], lamp["description"]) == ("路灯维修", "城市管理", "城市管理 / 路灯维修")
    assert (lamp["metadata"], lamp["type"]) == (True, "realtime")
    assert root.tag == "services"
    assert [s.findtext("service_code") for s in root.findall("service")] == [s["service_code"] for s in services]
    assert root.find("service").findtext("metadata") == "true"


def test_a_service_definition_lists_the_attributes_a_client_may_send(en: Client, lamps: Category) -> None:
    definition = parsed(en.get(f"/open311/v2/services/{lamps.pk}.json"))
    root = parsed(en.get(f"/open311/v2/services/{lamps.pk}.xml"))

    assert definition["service_code"] == str(lamps.pk)
    kind = definition["attributes"][0]
    assert (kind["code"], kind["datatype"], kind["required"], kind["variable"]) == (
        "kind",
        "singlevaluelist",
        False,
        True,
    )
    assert {"key": "report", "name": "Report"} in kind["values"]
    assert root.tag == "service_definition"
    codes = [a.findtext("code") for a in root.find("attributes").findall("attribute")]
    assert codes == [a["code"] for a in definition["attributes"]]
    assert root.find("attributes").find("attribute").find("values").find("value").findtext("key") == "inquiry"


def test_discovery_names_this_endpoint_and_both_formats(en: Client, db: None) -> None:
    found = parsed(en.get("/open311/v2/discovery.json"))
    root = parsed(en.get("/open311/v2/discovery.xml"))

    [endpoint] = found["endpoints"]
    assert endpoint["url"] == "http://testserver/open311/v2"
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["formats"] == ["text/xml", "application/json"]
    assert found["changeset"].endswith("+08:00")
    assert root.tag == "discovery"
    assert [f.text for f in root.find("endpoints").find("endpoint").find("formats").findall("format")] == [
        "text/xml",
        "application/json",
    ]
