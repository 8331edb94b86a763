from __future__ import annotations

import json
from typing import Any
from xml.etree import ElementTree

import pytest
from django.test import Client

from fankui.cases.models import Category
from fankui.open311 import services
from fankui.open311.models import Open311Client
from tests import factories


@pytest.fixture
def en() -> Client:
    return Client(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def policies(db: None) -> int:
    """The default SLA policies (the 12345 limits), so that cases get deadlines."""
    from fankui.sla.defaults import ensure_defaults

    return ensure_defaults()


@pytest.fixture
def lamps(db: None) -> Category:
    roads = factories.category("城市管理")
    return factories.category("路灯维修", parent=roads)


@pytest.fixture
def key(db: None) -> str:
    _client, raw = services.issue_client("城市App")
    return raw


@pytest.fixture
def app_client(key: str) -> Open311Client:
    return Open311Client.objects.get(name="城市App")


def post_request(client: Client, key: str, category: Category, fmt: str = "json", **params: Any) -> Any:
    data = {
        "api_key": key,
        "service_code": str(category.pk),
        "lat": "28.2282",
        "long": "112.9388",
        "description": "幸福小区3栋门口的路灯坏了一个月，晚上很黑。",
        **params,
    }
    return client.post(f"/open311/v2/requests.{fmt}", {k: v for k, v in data.items() if v is not None})


def parsed(response: Any) -> Any:
    """The body of a JSON answer, or the root element of an XML one (which must be well-formed)."""
    if response["Content-Type"].startswith("application/json"):
        return json.loads(response.content)
    assert response["Content-Type"].startswith("text/xml")
    assert response.content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    return ElementTree.fromstring(response.content)
