"""The admin's audit log: column and filter headings are translated words, not the fields' English code names."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.admin.utils import label_for_field
from django.test import Client
from django.utils.functional import Promise

from fankui.accounts.models import Role
from fankui.audit.models import Access, Event
from fankui.audit.services import record_access
from tests import factories


@pytest.mark.parametrize("model", [Event, Access])
def test_every_column_heading_is_translatable(model: type) -> None:
    model_admin = admin.site._registry[model]
    for name in model_admin.list_display:
        label = label_for_field(name, model, model_admin)
        assert isinstance(label, Promise), (model.__name__, name, label)


@pytest.mark.django_db
def test_the_event_log_renders_with_its_headings_and_filters() -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    boss = factories.user(Role.ADMIN)
    client.force_login(boss)
    record_access(boss, factories.case(), "phone_search")
    page = client.get("/admin/audit/event/").content.decode()
    assert "From state" in page and "Acting as" in page and "By action" in page
    looks = client.get("/admin/audit/access/").content.decode()
    assert "Personal data seen" in looks and "found by the caller&#x27;s phone number" in looks
