from __future__ import annotations

from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db.models import F
from django.utils import timezone

from fankui.accounts.models import Department, Role, User
from fankui.audit.models import Event
from fankui.cases.models import Case, Category, Reply
from fankui.cases.workflow import State
from fankui.surveys.models import Rating

from .checks import assert_histories_are_valid_paths


def load(*args: str) -> str:
    out = StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_it_loads_the_small_synthetic_set_and_says_so() -> None:
    output = load("--force-small", "--limit", "40")
    assert "SYNTHETIC" in output
    assert Case.objects.filter(state=State.CLOSED).count() >= 40
    assert Department.objects.get(code="12345").is_dispatch_centre
    assert Department.objects.filter(parent__code="zhujian").count() == 2
    assert Category.objects.filter(level=1).count() == 7
    assert not Category.objects.filter(level=1, department=None).exists()
    assert User.objects.get(username="admin").is_superuser
    assert User.objects.get(username="zhujian_head").role == Role.DEPT_HEAD
    for text in ("demo12345", "dispatcher", "zhujian_handler", "http://127.0.0.1:8000/staff/", "/api/v1/docs"):
        assert text in output


@pytest.mark.django_db
def test_every_state_is_present_and_every_history_is_a_valid_path() -> None:
    load("--force-small", "--limit", "40")
    assert set(Case.objects.values_list("state", flat=True)) == set(State.values)
    assert_histories_are_valid_paths()


@pytest.mark.django_db
def test_states_carry_what_they_need() -> None:
    load("--force-small", "--limit", "40")
    for case in Case.objects.filter(state=State.MERGED):
        assert case.merged_into is not None and case.merged_into.state not in (State.MERGED, State.REJECTED)
        assert case.merged_into.events.filter(action="merge_in", data__duplicate=case.pk).exists()
    for state in (State.REJECTED, State.RETURNED):
        for case in Case.objects.filter(state=state):
            assert case.events.filter(to_state=state, data__has_key="text_id").exists()  # the reason, in its own row
    for state in (State.DISPATCHED, State.IN_PROGRESS, State.REPLIED, State.CLOSED):
        assert not Case.objects.filter(state=state, lead_department=None).exists()
    for case in Case.objects.filter(state__in=(State.REPLIED, State.CLOSED)):
        assert case.replies.exists() and case.replied_at == case.replies.last().created_at  # type: ignore[union-attr]
    # Every rating of a case belongs to a reply of its own case, and bad ratings are a minority; the hall's windows
    # have their visitors' ratings (一次一评, no case).
    replies = Rating.objects.filter(case__isnull=False)
    assert replies.exists()
    assert not replies.exclude(reply__case=F("case")).exists()
    assert replies.filter(level__lte=2).count() < replies.count() / 3
    assert Rating.objects.filter(case=None, service_point__isnull=False).exists()
    assert Reply.objects.count() >= Case.objects.filter(state=State.CLOSED).count()


@pytest.mark.django_db
def test_open_cases_are_recent_and_no_reply_is_past_its_rating_window() -> None:
    load("--force-small", "--limit", "40")
    now = timezone.now()
    open_cases = Case.objects.exclude(state__in=State.terminal())
    assert open_cases.exists()
    assert not open_cases.filter(created_at__lt=now - timedelta(days=30)).exists()
    assert not Case.objects.filter(state=State.REPLIED, replied_at__lt=now - timedelta(days=7)).exists()
    assert not Event.objects.filter(created_at__gt=now).exists()


@pytest.mark.django_db
def test_without_a_data_folder_it_loads_the_synthetic_set_and_says_why(
    monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    settings.FANKUI_DEMO_DATA = ""
    monkeypatch.setattr("fankui.demo.sources.shared_data_dir", lambda: None)
    output = load("--limit", "15")
    assert "no real data folder was found" in output and "SYNTHETIC" in output
    assert Case.objects.filter(submission__external_id__startswith="demo:synthetic:").count() == 15
