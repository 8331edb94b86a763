"""Issue 14, item 5: one rule for every text input (core.text): control characters (C0 but tab and line ends, DEL,
C1) and lone surrogates are refused with a clear message, never a 500 on PostgreSQL and never stored on SQLite.

Every text input is found by introspection, so a field added tomorrow is walked too: every string parameter and
JSON property of every API operation (from the OpenAPI document, sent through HTTP), every str field of every
model the API validates, every text field of every form of the product."""

from __future__ import annotations

import importlib
import inspect
import json
import pkgutil
import types
import typing
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
from django import forms
from django.test import Client
from django.utils import translation
from ninja import Schema
from pydantic import BaseModel, ValidationError

import fankui
from fankui.accounts.models import Role, User
from fankui.accounts.services import issue_token
from fankui.api import api
from fankui.cases.models import Case
from fankui.core.forms import TextRules
from fankui.intake.models import Submission
from tests import factories

BAD = ["\x00", "\x07", "\x1b", "\x7f", "\x85", "\ud800"]
MESSAGE = "invisible control character"


def test_the_rule_lets_tab_and_line_ends_through_and_names_the_character() -> None:
    from fankui.core import text

    assert text.check("一行\t二\n三\r\n") == "一行\t二\n三\r\n"
    for char in BAD:
        with translation.override("en"), pytest.raises(ValueError, match=MESSAGE):
            text.check(f"路灯{char}坏了")
    with pytest.raises(ValueError, match=r"U\+0000"):
        text.check("\x00")
    assert text.strip_control("a\x00b\x85c\td") == "ab" + "c\td"


# --- The API, through HTTP ---------------------------------------------------------------------------------------
def _resolve(doc: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = doc["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _string_paths(doc: dict[str, Any], schema: dict[str, Any], prefix: tuple[str, ...] = ()) -> Iterator[tuple]:
    """Every property path of a JSON schema that accepts a string, through nested objects."""
    schema = _resolve(doc, schema)
    options = schema.get("anyOf", [schema])
    for option in options:
        option = _resolve(doc, option)
        if option.get("type") == "string" and "enum" not in option and prefix:
            yield prefix
            return
        for name, sub in option.get("properties", {}).items():
            yield from _string_paths(doc, sub, (*prefix, name))


def _nested(path: tuple[str, ...], value: str) -> dict[str, Any]:
    data: Any = value
    for part in reversed(path):
        data = {part: data}
    return data


def _text_inputs(doc: dict[str, Any]) -> Iterator[tuple[str, str, str, tuple[str, ...]]]:
    """(method, path, where, name path) of every string input of every operation."""
    for path, operations in doc["paths"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                schema = _resolve(doc, parameter["schema"])
                if schema.get("type") == "string" and "enum" not in schema:
                    yield method, path, parameter["in"], (parameter["name"],)
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if body:
                for names in _string_paths(doc, body["schema"]):
                    yield method, path, "body", names


@pytest.fixture
def world(db: None) -> dict[str, Any]:
    centre = factories.department("12345热线服务中心", is_dispatch_centre=True)
    admin = factories.user(Role.ADMIN, centre)
    case = factories.case()
    return {"admin": admin, "case": case, "token": issue_token(admin, "tests")}


def _request(world: dict[str, Any], method: str, path: str, where: str, names: tuple[str, ...], bad: str) -> Any:
    case: Case = world["case"]
    values = {"case_id": str(case.pk), "tracking_code": case.tracking_code, "action": "accept"}
    # 好差评's staff API (surveys.api): the body is refused before anything is looked up.
    values |= {"rectification_id": "1", "appeal_id": "1", "rating_id": "1"}
    if where == "path":
        values[names[0]] = bad
    url = path.format(**{k: quote(v, safe="") if k == names[0] else v for k, v in values.items()})
    headers = {"HTTP_AUTHORIZATION": f"Bearer {world['token']}", "HTTP_ACCEPT_LANGUAGE": "en"}
    if where == "header":
        headers["HTTP_" + names[0].upper().replace("-", "_")] = bad
    if where == "query":
        url += f"?{names[0]}={quote(bad.encode('utf-8', 'surrogatepass'))}"
    client = Client(**headers)
    if method == "get":
        return client.get(url)
    body: dict[str, Any] = {"body": "小区门口的路灯坏了一个月，请尽快修理。"}
    if where == "body":
        body.update(_nested(names, bad) if len(names) > 1 else {names[0]: bad})
    # json.dumps escapes a lone surrogate as \ud800, as a client would send it.
    return getattr(client, method)(url, json.dumps(body), content_type="application/json")


@pytest.mark.django_db
def test_every_text_input_of_the_api_refuses_control_characters(world: dict[str, Any]) -> None:
    doc = Client().get("/api/v1/openapi.json").json()
    inputs = list(_text_inputs(doc))
    # The walk finds what the issue named, so it is walking the real thing.
    names = {(path, ".".join(n)) for _m, path, _w, n in inputs}
    assert ("/api/v1/cases", "q") in names
    for field in ("note", "reason", "body", "primary"):
        assert ("/api/v1/cases/{case_id}/actions/{action}", field) in names
    assert ("/api/v1/submissions", "contact.name") in names
    stored = Submission.objects.count()
    for method, path, where, field in inputs:
        for bad in BAD:
            if where in ("query", "path", "header") and bad == "\ud800":
                continue  # a URL or a header carries bytes: Django decodes them, a lone surrogate cannot arrive
            response = _request(world, method, path, where, field, bad)
            assert response.status_code == 422, (method, path, field, repr(bad), response.content[:300])
            assert MESSAGE in json.dumps(response.json()["errors"], ensure_ascii=False), (path, field)
    assert Submission.objects.count() == stored
    assert not Case.objects.exclude(pk=world["case"].pk).exists()


def _models(annotation: Any) -> Iterator[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
    for arg in typing.get_args(annotation):
        yield from _models(arg)


def _accepts_str(annotation: Any) -> bool:
    if annotation is str:
        return True
    if typing.get_origin(annotation) in (typing.Union, types.UnionType, typing.Annotated):
        return any(_accepts_str(arg) for arg in typing.get_args(annotation))
    return False


def _str_fields(model: type[BaseModel], prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    for name, info in model.model_fields.items():
        key = info.alias or name
        if _accepts_str(info.annotation):
            yield (*prefix, key)
        for inner in _models(info.annotation):
            yield from _str_fields(inner, (*prefix, key))


def test_every_str_field_the_api_validates_uses_the_rule() -> None:
    """The same from the code's side: every model ninja validates a request with, all its str fields, nested ones
    too, refuse a control character (one with a string field the OpenAPI walk could miss would fail here)."""
    seen = 0
    for bound in api._get_bound_routers():
        for path_view in bound.path_operations.values():
            for operation in path_view.operations:
                for model in operation.models:
                    for path in _str_fields(model):
                        with pytest.raises(ValidationError) as caught:
                            model.model_validate(_nested(path, "a\x00b"))
                        kinds = {e["type"] for e in caught.value.errors() if tuple(e["loc"][: len(path)]) == path}
                        assert "control_character" in kinds, (operation.view_func.__name__, path, kinds)
                        seen += 1
    assert seen >= 20


def test_every_str_field_of_every_input_model_uses_the_rule() -> None:
    """The same for every input model of the product, the ones no API operation lists too: the partners' webhook
    (``partners.schemas``) and the Open311 parameters (``open311.schemas``). Input models are plain pydantic models;
    ninja's ``Schema`` is for answers."""
    models = [m for m in _subclasses(BaseModel) if m.__module__.startswith("fankui.") and not issubclass(m, Schema)]
    assert {m.__name__ for m in models} >= {"SubmissionIn", "PartnerSubmissionIn", "RequestIn", "UpdateIn", "ListIn"}
    seen = 0
    for model in models:
        for path in _str_fields(model):
            with pytest.raises(ValidationError) as caught:
                model.model_validate(_nested(path, "a\x00b"))
            kinds = {e["type"] for e in caught.value.errors() if tuple(e["loc"][: len(path)]) == path}
            assert "control_character" in kinds, (model.__name__, path, kinds)
            seen += 1
    assert seen >= 40


# --- Forms ---------------------------------------------------------------------------------------------------------
def _subclasses(base: type) -> list[type]:
    """Every subclass of ``base`` in the product, every module imported first (a class nobody imports is seen too)."""
    for module in pkgutil.walk_packages(fankui.__path__, "fankui."):
        if module.name.endswith("__main__") or ".migrations" in module.name or module.name.startswith("fankui.bench"):
            continue
        importlib.import_module(module.name)
    found: list[type] = []
    stack: list[type] = [base]
    while stack:
        cls = stack.pop()
        for sub in cls.__subclasses__():
            stack.append(sub)
            if sub.__module__.startswith("fankui.") and sub not in found:
                found.append(sub)
    return found


def _all_forms() -> list[type[forms.BaseForm]]:
    return _subclasses(forms.BaseForm)


def test_every_form_of_the_product_has_the_rule() -> None:
    found = _all_forms()
    assert len(found) >= 20
    missing = [f"{f.__module__}.{f.__qualname__}" for f in found if not issubclass(f, TextRules)]
    assert not missing, f"forms not derived from fankui.core.forms.Form/ModelForm: {missing}"


@pytest.mark.django_db
def test_every_text_field_of_every_form_refuses_control_characters() -> None:
    user = factories.user(Role.ADMIN)
    checked = 0
    for form_class in _all_forms():
        if form_class.__module__ == "fankui.core.forms":
            continue  # the bases themselves
        kwargs: dict[str, Any] = {}
        if "user" in inspect.signature(form_class.__init__).parameters:
            kwargs["user"] = user
        form = form_class(data={}, **kwargs)
        texts = [name for name, field in form.fields.items() if isinstance(field, forms.CharField)]
        for bad in ["\x00", "\x08", "\x9f"]:
            form = form_class(data={name: f"路灯{bad}坏了" for name in texts}, **kwargs)
            form.is_valid()
            for name in texts:
                messages = " ".join(form.errors.get(name, []))
                assert MESSAGE in messages, (form_class.__name__, name, repr(bad), messages)
                assert messages.count(MESSAGE) == 1  # one message, not Django's NUL message as well
                checked += 1
    assert checked >= 3 * 40


# --- The pages and services named in the issue, on this engine -----------------------------------------------------
@pytest.mark.django_db
def test_the_public_form_shows_the_message_beside_the_field_and_stores_nothing() -> None:
    en = Client(HTTP_ACCEPT_LANGUAGE="en")
    page = en.get("/")
    token = page.context["token"]
    response = en.post("/", {"body": "路灯坏了\x00一个月", "title": "路灯\x1b", "token": token})
    assert response.status_code == 200
    form = response.context["form"]
    assert MESSAGE in " ".join(form.errors["body"])
    assert MESSAGE in " ".join(form.errors["title"])
    assert not Submission.objects.exists()


@pytest.mark.django_db
def test_the_case_list_names_a_search_with_a_control_character_instead_of_failing() -> None:
    dispatcher = factories.user(Role.DISPATCHER, factories.department(is_dispatch_centre=True))
    factories.case()
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(dispatcher)
    response = client.get("/staff/cases/?q=%00")
    assert response.status_code == 200
    assert MESSAGE in response.content.decode()


@pytest.mark.django_db
def test_a_note_with_a_control_character_is_refused_beside_its_field(dispatcher: User) -> None:
    case = factories.case()
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(dispatcher)
    response = client.post(f"/staff/cases/{case.pk}/accept/", {"note": "受理\x00"})
    assert response.status_code == 422
    assert MESSAGE in response.content.decode()
    case.refresh_from_db()
    assert case.state == "received"
