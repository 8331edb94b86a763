"""The Django admin (/admin/) is for administrators; handlers and the other roles work in the staff pages."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.test import Client

from fankui.accounts.models import Department, Role, User
from tests import factories


@pytest.mark.django_db
def test_only_administrators_are_made_is_staff(dept: Department) -> None:
    for role in (Role.DISPATCHER, Role.SUPERVISOR, Role.ANALYST, Role.DEPT_HEAD, Role.HANDLER):
        assert not factories.user(role, dept).is_staff
    admin = factories.user(Role.ADMIN)
    assert admin.is_staff and admin.is_superuser


@pytest.mark.django_db
def test_a_handler_cannot_open_the_admin(handler: User) -> None:
    client = Client()
    client.force_login(handler)
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    assert client.get("/admin/accounts/user/").status_code == 302


@pytest.mark.django_db
def test_an_administrator_can(db: None) -> None:
    client = Client()
    client.force_login(factories.user(Role.ADMIN))
    assert client.get("/admin/").status_code == 200


@pytest.mark.django_db
def test_the_migration_takes_the_admin_from_existing_non_administrators(handler: User) -> None:
    User.objects.filter(pk=handler.pk).update(is_staff=True)  # as create_user made everybody before
    boss = factories.user(Role.ADMIN)
    legacy = User.objects.create_superuser("root", password=factories.PASSWORD)  # `createsuperuser`, no role
    migration = importlib.import_module("fankui.accounts.migrations.0003_admin_site_for_administrators_only")
    migration.admin_site_for_administrators_only(apps, None)
    handler.refresh_from_db()
    boss.refresh_from_db()
    legacy.refresh_from_db()
    assert (handler.is_staff, boss.is_staff, legacy.is_staff) == (False, True, True)
