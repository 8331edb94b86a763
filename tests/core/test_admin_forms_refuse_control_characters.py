"""Issue 14's one text rule (core.text) on the admin's forms too: Django builds them from the models and refused only
NUL, so a department's name, a user's name or a milestone could be stored with ESC or a C1 control on SQLite and
PostgreSQL alike. Every ModelAdmin registered (the product's and the libraries') gets ``core.forms.TextRules``
through ``core.admin_site``; a few pages are posted over HTTP, on SQLite and, with FANKUI_DATABASE_URL, PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest
from django import forms
from django.contrib import admin
from django.test import Client, RequestFactory

from fankui.accounts.models import Department, Role, User
from fankui.actions.models import Milestone
from fankui.core import text
from fankui.sla.models import CalendarYear
from tests import factories

EN = {"Accept-Language": "en"}
MESSAGE = "invisible control character"


@pytest.fixture
def superuser(db: None) -> User:
    user = factories.user(Role.ADMIN, None)
    user.is_staff = user.is_superuser = True
    user.save()
    return user


@pytest.fixture
def client(superuser: User) -> Client:
    client = Client()
    client.force_login(superuser)
    return client


def _text_fields(form_class: type[forms.BaseForm]) -> dict[str, forms.Field]:
    form = form_class()
    return {name: f for name, f in form.fields.items() if isinstance(f, forms.CharField)}


def test_every_admin_form_of_every_registered_model_has_the_rule(superuser: User) -> None:
    request = RequestFactory().get("/admin/")
    request.user = superuser
    checked = 0
    for model, model_admin in admin.site._registry.items():
        form_classes: list[type[forms.BaseForm]] = []
        if model_admin.has_add_permission(request):
            form_classes.append(model_admin.get_form(request))  # UserAdmin: its own add form
        form_classes.append(model_admin.get_form(request, None, change=True))
        if model_admin.list_editable:
            form_classes.append(model_admin.get_changelist_form(request))
        form_classes += [inline.get_formset(request).form for inline in model_admin.get_inline_instances(request)]
        for form_class in form_classes:
            for name, field in _text_fields(form_class).items():
                assert text.validate in field.validators, f"{model._meta.label} {form_class.__name__}.{name}"
                checked += 1
    assert checked > 30  # the walk saw the text fields


@pytest.mark.parametrize("bad", ["\x1b", "\x07", "\x85", "\x00"])
def test_a_department_name_with_a_control_character_is_refused(client: Client, bad: str) -> None:
    form = {"name": f"城管{bad}局", "code": "cg", "active": "on", "sort_order": "0"}
    answer = client.post("/admin/accounts/department/add/", form, headers=EN)
    assert answer.status_code == 200 and MESSAGE in answer.content.decode()
    assert not Department.objects.filter(code="cg").exists()
    assert client.post("/admin/accounts/department/add/", {**form, "name": "城管局"}).status_code == 302


def test_a_users_name_in_the_admins_change_page_is_refused(client: Client) -> None:
    staff = factories.user(Role.HANDLER, factories.department("水务局"))
    form: dict[str, Any] = {
        "username": staff.username,
        "first_name": "张\x1b三",
        "last_name": "",
        "email": "",
        "role": staff.role,
        "department": staff.department_id,
        "language": "",
        "is_active": "on",
        "date_joined_0": "2026-11-16",
        "date_joined_1": "10:00:00",
    }
    answer = client.post(f"/admin/accounts/user/{staff.pk}/change/", form, headers=EN)
    assert answer.status_code == 200 and MESSAGE in answer.content.decode()
    staff.refresh_from_db()
    assert "\x1b" not in staff.first_name


def test_a_new_users_name_in_the_admins_add_form_is_refused(client: Client) -> None:
    answer = client.post(
        "/admin/accounts/user/add/",
        {"username": "li\x7fsi", "password1": "a-long-pass-phrase-1", "password2": "a-long-pass-phrase-1"},
        headers=EN,
    )
    assert answer.status_code == 200 and MESSAGE in answer.content.decode()
    assert not User.objects.filter(username__startswith="li").exists()


def test_an_inline_row_is_refused_too(client: Client, superuser: User) -> None:
    action = factories.action(superuser, superuser, factories.department("城管局"))
    prefix = "milestones"
    answer = client.post(
        f"/admin/actions/action/{action.pk}/change/",
        {
            **_action_form(action, superuser),
            f"{prefix}-TOTAL_FORMS": "1",
            f"{prefix}-INITIAL_FORMS": "0",
            f"{prefix}-MIN_NUM_FORMS": "0",
            f"{prefix}-MAX_NUM_FORMS": "1000",
            f"{prefix}-0-title": "完成\x1b招标",
            f"{prefix}-0-due": "2026-12-31",
        },
        headers=EN,
    )
    assert answer.status_code == 200 and MESSAGE in answer.content.decode()
    assert not Milestone.objects.exists()


def _action_form(action: Any, user: User) -> dict[str, Any]:
    request = RequestFactory().get("/")
    request.user = user
    form = admin.site._registry[type(action)].get_form(request, action, change=True)(instance=action)
    data: dict[str, Any] = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if value is None or value is False:
            continue
        data[name] = "on" if value is True else (value.pk if hasattr(value, "pk") else value)
    return data


def test_a_calendar_years_note_is_refused(client: Client) -> None:
    answer = client.post("/admin/sla/calendaryear/add/", {"year": "2027", "note": "国务院\x0c通知"}, headers=EN)
    assert answer.status_code == 200 and MESSAGE in answer.content.decode()
    assert not CalendarYear.objects.filter(year=2027).exists()
