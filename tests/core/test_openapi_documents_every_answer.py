"""Issue 14, item 10: the OpenAPI document names each schema once (the public TrackOut pointed at the staff
ReplyOut: two models shared the name, and the last one written won) and every endpoint documents each status it
can answer (401, 404, 409 and 422 were missing from the staff endpoints)."""

from __future__ import annotations

import json
import typing
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from pydantic import BaseModel

from fankui.accounts.models import Role, User
from fankui.accounts.services import issue_token
from fankui.api import api
from tests import factories


def _models(annotation: Any) -> Iterator[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
        for field in annotation.model_fields.values():
            yield from _models(field.annotation)
    for arg in typing.get_args(annotation):
        yield from _models(arg)


def test_no_two_models_of_the_api_share_a_name() -> None:
    names: dict[str, set[str]] = defaultdict(set)
    for bound in api._get_bound_routers():
        for path_view in bound.path_operations.values():
            for operation in path_view.operations:
                for model in [*operation.models, *operation.response_models.values()]:
                    for found in _models(model):
                        if found.__module__.startswith("fankui."):
                            names[found.__name__].add(f"{found.__module__}.{found.__qualname__}")
    assert len(names) > 15
    assert {name: where for name, where in names.items() if len(where) > 1} == {}


@pytest.mark.django_db
def test_the_public_tracking_schema_names_its_own_reply() -> None:
    doc = Client().get("/api/v1/openapi.json").json()
    schemas = doc["components"]["schemas"]
    reply = schemas[schemas["TrackOut"]["properties"]["replies"]["items"]["$ref"].rsplit("/", 1)[1]]
    assert set(reply["properties"]) == {"body", "at", "department"}  # no author: staff names stay inside


def _required(doc: dict[str, Any], operation: dict[str, Any]) -> set[str]:
    """What any endpoint of this shape can answer, whatever it does."""
    statuses: set[str] = set()
    if operation.get("security"):
        statuses.add("401")  # no token, or a wrong one
    parameters = operation.get("parameters", [])
    if "requestBody" in operation:
        statuses |= {"400", "413", "422"}  # not JSON, over the size limit, not valid
    if parameters:
        statuses.add("422")  # a value of the wrong type ("abc" for a number in the path too), or a control character
    if any(p["in"] == "path" for p in parameters):
        statuses.add("404")  # what the path names does not exist (or is out of the caller's sight)
    return statuses


@pytest.mark.django_db
def test_every_endpoint_documents_what_any_endpoint_of_its_shape_answers() -> None:
    doc = Client().get("/api/v1/openapi.json").json()
    missing = {}
    for path, operations in doc["paths"].items():
        for method, operation in operations.items():
            lacking = _required(doc, operation) - set(operation["responses"])
            if lacking:
                missing[f"{method.upper()} {path}"] = sorted(lacking)
            for status, answer in operation["responses"].items():
                if status >= "400":
                    assert answer["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/ErrorOut"}
    assert missing == {}


@pytest.fixture
def answers(db: None) -> list[tuple[str, str, int]]:
    """(method, documented path, status) of requests that provoke each endpoint's own refusals."""
    centre = factories.department("12345热线服务中心", is_dispatch_centre=True)
    dispatcher = factories.user(Role.DISPATCHER, centre)
    nobody = factories.user(Role.ANALYST, centre)
    User.objects.filter(pk=nobody.pk).update(role="")  # an account whose role was taken away
    handler = factories.user(Role.HANDLER, factories.department())
    case = factories.case()
    code = case.tracking_code
    seen: list[tuple[str, str, int]] = []

    def send(user: User | None, method: str, documented: str, url: str, body: Any = None) -> None:
        headers = {"HTTP_AUTHORIZATION": f"Bearer {issue_token(user, 't')}"} if user else {}
        client = Client(**headers)
        if method == "get":
            response = client.get(url)
        else:
            response = client.post(url, json.dumps(body or {}), content_type="application/json")
        seen.append((method, documented, response.status_code))

    act = "/api/v1/cases/{case_id}/actions/{action}"
    send(dispatcher, "post", act, f"/api/v1/cases/{case.pk}/actions/dispatch")  # 409: not accepted yet
    send(handler, "post", act, f"/api/v1/cases/{case.pk}/actions/accept")  # 404: out of a handler's sight
    send(dispatcher, "post", act, f"/api/v1/cases/{case.pk}/actions/reject")  # 422: a reason is needed
    send(nobody, "get", "/api/v1/figures/rates", "/api/v1/figures/rates")  # 403: no role
    send(dispatcher, "get", "/api/v1/figures/rates", "/api/v1/figures/rates?period=2026-13")  # 422
    send(dispatcher, "get", "/api/v1/cases/{case_id}", "/api/v1/cases/999999")  # 404
    send(None, "get", "/api/v1/departments", "/api/v1/departments")  # 401
    send(None, "post", "/api/v1/track/{tracking_code}/rating", f"/api/v1/track/{code}/rating", {"level": 5})  # 409
    send(None, "get", "/api/v1/track/{tracking_code}", "/api/v1/track/AAAA")  # 404
    return seen


@pytest.mark.django_db
def test_what_endpoints_answer_is_documented(answers: list[tuple[str, str, int]]) -> None:
    doc = Client().get("/api/v1/openapi.json").json()
    assert {status for _m, _p, status in answers} >= {401, 403, 404, 409, 422}
    for method, path, status in answers:
        assert str(status) in doc["paths"][path][method]["responses"], (method, path, status)


def test_the_document_is_built_once_per_language(client: Any, monkeypatch: Any) -> None:
    """Anyone may ask for it: building it on every request cost a third of a second of CPU each."""
    from ninja import NinjaAPI

    from fankui import api as module

    built: list[str] = []
    original = NinjaAPI.get_openapi_schema

    def counting(self: Any, **kwargs: Any) -> Any:
        built.append(str(kwargs.get("path_prefix")))
        return original(self, **kwargs)

    monkeypatch.setattr(NinjaAPI, "get_openapi_schema", counting)
    monkeypatch.setattr(module, "_schemas", {})
    for language in ("en", "zh-hans", "en", "zh-hans"):
        assert client.get("/api/v1/openapi.json", HTTP_ACCEPT_LANGUAGE=language).status_code == 200
    assert len(built) == 2
