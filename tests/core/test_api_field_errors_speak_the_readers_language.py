"""A client that sends JSON the API's schemas refuse reads every field's problem in its own language (Chinese first,
English too), like a form's errors beside its fields: pydantic's own messages are English only (core.schema_errors)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from fankui.core import schema_errors

pytestmark = pytest.mark.django_db

BAD = {
    "title": "路灯",
    "kind": 5,
    "anonymous": "maybe",
    "contact": "13800138000",
    "location": {"lat": "north", "lng": 112.9},
}


def post(client: Client, payload: dict[str, Any], language: str) -> dict[str, list[str]]:
    response = client.post(
        "/api/v1/submissions",
        data=json.dumps(payload),
        content_type="application/json",
        headers={"Accept-Language": language},
    )
    assert response.status_code == 422
    return response.json()["errors"]


def test_every_field_of_a_refused_submission_is_explained_in_chinese(client: Client) -> None:
    errors = post(client, BAD, "zh-hans")

    assert errors == {
        "body": ["此项为必填项。"],
        "kind": ["请填写文字。"],
        "anonymous": ["请填写 true 或 false。"],
        "contact": ["请填写一个对象（{...}）。"],
        "location.lat": ["请填写数字。"],
    }


def test_and_in_english(client: Client) -> None:
    errors = post(client, BAD, "en")

    assert errors["body"] == ["This field is required."]
    assert errors["location.lat"] == ["Give a number."]
    assert errors["contact"] == ["Give an object ({...})."]


def test_the_control_character_rule_keeps_its_own_message(client: Client) -> None:
    errors = post(client, {"body": "路灯坏了\x00"}, "zh-hans")

    assert len(errors["body"]) == 1 and "控制字符" in errors["body"][0] and "Value error" not in errors["body"][0]


def test_limits_and_choices_are_named_and_an_unknown_kind_of_finding_keeps_pydantics_words() -> None:
    with translation.override("en"):
        assert schema_errors.message({"type": "string_too_long", "ctx": {"max_length": 60}}) == "At most 60 characters."
        allowed = {"type": "enum", "ctx": {"expected": "'a', 'b' or 'c'"}}
        assert schema_errors.message(allowed) == "Give one of 'a', 'b', 'c'."
        unknown = {"type": "some_new_type", "msg": "Something pydantic says"}
        assert schema_errors.message(unknown) == "Something pydantic says"
        assert schema_errors.message({"type": "value_error", "ctx": {"error": ValueError("Our words.")}}) == (
            "Our words."
        )
