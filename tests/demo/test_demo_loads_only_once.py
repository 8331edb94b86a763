from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from fankui.accounts.models import User
from fankui.audit.models import Event
from fankui.cases.models import Case
from tests import factories


def load(*args: str) -> str:
    out = StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_a_second_run_loads_nothing_more_and_shows_the_logins_again() -> None:
    load("--force-small", "--limit", "20")
    counts = (Case.objects.count(), Event.objects.count(), User.objects.count())
    output = load("--force-small")
    assert "Database already has data; demo not loaded" in output
    assert (Case.objects.count(), Event.objects.count(), User.objects.count()) == counts
    assert "dispatcher" in output and "demo12345" in output


@pytest.mark.django_db
def test_a_database_with_only_departments_is_not_touched_and_shows_no_logins() -> None:
    factories.department("自己的部门")
    output = load("--force-small")
    assert "Database already has data; demo not loaded" in output
    assert not Case.objects.exists()
    assert "demo12345" not in output


@pytest.mark.django_db
def test_a_user_made_before_the_demo_is_kept_as_it_was() -> None:
    factories.user("analyst", None, username="admin")
    output = load("--force-small", "--limit", "20")
    admin = User.objects.get(username="admin")
    assert admin.role == "analyst" and admin.check_password(factories.PASSWORD)
    assert "(unchanged)" in output
