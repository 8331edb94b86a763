"""Bad input on the form: every message beside its field, in English when asked, everything typed kept, and
nothing stored."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from fankui.cases.models import Case
from fankui.intake.models import Submission
from tests import factories

TYPED = {
    "title": "路灯不亮",
    "contact_name": "张三",
    "contact_email": "zhang@example.com",
    "contact_phone": "13800138000",
    "address": "人民路88号",
    "kind": "suggestion",
}


def errors_of(page: str, field: str) -> str:
    match = re.search(rf'<ul class="errorlist" id="{field}-errors">(.*?)</ul>', page, re.S)
    assert match, f"no errors beside {field}"
    return html.unescape(match.group(1))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"body": ""}, "body", "Please describe your request."),
        ({"body": "  \n\t "}, "body", "Please describe your request."),
        ({"body": "长" * 10_001}, "body", "The text is too long: 10000 characters at most, this one has 10001."),
        ({"title": "题" * 201}, "title", "The title is too long"),
        ({"contact_phone": "12345"}, "contact_phone", "“12345” is not a valid phone number"),
        ({"contact_email": "zhang@"}, "contact_email", "“zhang@” is not a valid e-mail address."),
        ({"kind": "gossip"}, "kind", "Unknown kind “gossip”."),
        ({"category": "999999"}, "category", "Unknown category “999999”."),
    ],
)
def test_it_shows_the_message_beside_the_field_and_keeps_what_was_typed(
    en: Client, fresh_form: Callable[..., dict[str, Any]], change: dict[str, str], field: str, message: str
) -> None:
    factories.category("市政设施")  # so the topic select is on the page
    data = fresh_form(**{**TYPED, **change})
    response = en.post("/", data)

    assert response.status_code == 200
    page = response.content.decode()
    assert message in errors_of(page, field)
    assert "Please check the marked fields" in page
    for name in ("title", "contact_name", "contact_email", "contact_phone", "address"):
        assert f'value="{html.escape(data[name])}"' in page, name
    assert f">{html.escape(data['body'])}</textarea>" in page
    if field != "kind":
        assert f'value="{data["kind"]}" checked' in page
    assert f'name="token" value="{data["token"]}"' in page  # nothing was stored under it: the same token goes back
    assert Case.objects.count() == 0
    assert Submission.objects.count() == 0


@pytest.mark.django_db
def test_every_problem_is_reported_at_once(en: Client, fresh_form: Callable[..., dict[str, Any]]) -> None:
    page = en.post("/", fresh_form(body="", contact_phone="1", contact_email="x@")).content.decode()
    for field in ("body", "contact_phone", "contact_email"):
        errors_of(page, field)
    assert Case.objects.count() == 0


@pytest.mark.django_db
def test_the_chosen_category_stays_selected(en: Client, fresh_form: Callable[..., dict[str, Any]]) -> None:
    category = factories.category("市政设施")
    page = en.post("/", fresh_form(body="", category=str(category.pk))).content.decode()
    assert f'<option value="{category.pk}" selected>' in page


@pytest.mark.django_db
def test_anonymous_submissions_keep_no_contact_details(en: Client, fresh_form: Callable[..., dict[str, Any]]) -> None:
    response = en.post("/", fresh_form(anonymous="on", contact_name="张三", contact_phone="13800138000"))
    assert response.status_code == 302
    submission = Submission.objects.get()
    assert submission.anonymous
    assert (submission.contact_name, submission.contact_phone) == ("", "")


@pytest.mark.django_db
def test_the_form_offers_only_active_first_level_categories(en: Client) -> None:
    parent = factories.category("市政设施")
    factories.category("路灯", parent=parent)
    factories.category("旧分类", active=False)
    page = en.get("/").content.decode()
    assert "市政设施" in page
    assert "路灯" not in page
    assert "旧分类" not in page


@pytest.mark.django_db
def test_a_nul_character_is_refused_not_a_500(en: Client, fresh_form: Callable[..., dict[str, Any]]) -> None:
    response = en.post("/", fresh_form(body="路灯\x00坏了", title="路灯不亮"))
    assert response.status_code == 200
    assert "invisible control character (U+0000)" in errors_of(response.content.decode(), "body")
    assert 'value="路灯不亮"' in response.content.decode()
    assert Case.objects.count() == 0
