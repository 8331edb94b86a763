from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from fankui.cases.models import Case


@pytest.mark.django_db
def test_a_double_post_of_the_same_form_creates_one_case(en: Client, fresh_form: Callable[..., dict[str, Any]]) -> None:
    data = fresh_form()
    first = en.post("/", data)
    second = en.post("/", data)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Case.objects.count() == 1
    page = en.get(second["Location"]).content.decode()
    assert "This form had already been sent" in page


@pytest.mark.django_db
def test_two_renders_of_the_form_make_two_cases(en: Client, fresh_form: Callable[..., dict[str, Any]]) -> None:
    first = en.post("/", fresh_form())
    second = en.post("/", fresh_form())
    assert first["Location"] != second["Location"]
    assert Case.objects.count() == 2


@pytest.mark.django_db
def test_a_forged_token_is_replaced_not_trusted(en: Client, fresh_form: Callable[..., dict[str, Any]]) -> None:
    en.post("/", fresh_form(token="not-a-uuid"))
    en.post("/", fresh_form(token="not-a-uuid"))
    assert Case.objects.count() == 2
