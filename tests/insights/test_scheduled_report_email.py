from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.utils import timezone

from fankui.accounts.models import Department, User
from fankui.cases.models import Case
from fankui.insights import periods, services, tasks
from fankui.insights.models import ReportRun

from .. import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def managers(centre: Department, dept: Department) -> list[User]:
    return [
        factories.user("supervisor", centre, email="boss@example.org"),
        factories.user("admin", centre, email="it@example.org"),
        factories.user("supervisor", centre),  # no address: not a recipient
        factories.user("dept_head", dept, email="head@example.org"),  # not a manager of the whole organisation
    ]


def test_early_in_a_month_it_mails_last_months_pdf_to_the_managers_once(
    managers: list[User], walk: Callable[..., Case], at: Callable[[str], AbstractContextManager[object]]
) -> None:
    walk("2026-11-10 09:00", to="closed", level=5)
    with at("2026-12-01 07:00"):
        assert tasks.send_monthly_report() == 1
        assert tasks.send_monthly_report() == 0
    with at("2026-12-02 07:00"):
        assert tasks.send_monthly_report() == 0
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert sorted(message.to) == ["boss@example.org", "it@example.org"]
    assert "2026-11" in message.subject
    name, content, mimetype = message.attachments[0]
    assert (name, mimetype) == ("fankui-report-2026-11.pdf", "application/pdf")
    assert content.startswith(b"%PDF")
    run = ReportRun.objects.get(period="2026-11")
    assert run.sent_at is not None and run.recipients == 2


def test_it_sends_nothing_later_in_the_month(managers: list[User]) -> None:
    # Frozen on 16 November: too late for October's report.
    assert tasks.send_monthly_report() == 0
    assert mail.outbox == [] and not ReportRun.objects.exists()


def test_configured_recipients_replace_the_managers(
    managers: list[User], settings: object, at: Callable[[str], AbstractContextManager[object]]
) -> None:
    settings.FANKUI_REPORT_RECIPIENTS = ["meeting@example.org"]  # type: ignore[attr-defined]
    with at("2026-12-01 07:00"):
        tasks.send_monthly_report()
    assert mail.outbox[0].to == ["meeting@example.org"]


def test_the_weekly_report_is_sent_only_when_switched_on(managers: list[User], settings: object) -> None:
    assert tasks.send_weekly_report() == 0
    settings.FANKUI_REPORT_WEEKLY = True  # type: ignore[attr-defined]
    assert tasks.send_weekly_report() == 1  # Monday 16 November: last week is 2026-W46
    assert tasks.send_weekly_report() == 0
    assert mail.outbox[0].attachments[0][0] == "fankui-report-2026-W46.pdf"


def test_a_period_another_worker_is_sending_is_left_alone(managers: list[User]) -> None:
    ReportRun.objects.create(period="2026-10", kind="month", claimed_at=timezone.now())
    assert services.send_period_report(periods.parse("2026-10")) is False
    assert mail.outbox == []


def test_a_claim_left_by_a_dead_worker_is_taken_over(managers: list[User]) -> None:
    ReportRun.objects.create(period="2026-10", kind="month", claimed_at=timezone.now() - timedelta(hours=1))
    assert services.send_period_report(periods.parse("2026-10")) is True
    assert len(mail.outbox) == 1


def test_a_failed_send_is_recorded_and_retried_later(managers: list[User]) -> None:
    october = periods.parse("2026-10")
    with mock.patch("django.core.mail.EmailMessage.send", side_effect=OSError("connection refused")):
        assert services.send_period_report(october) is False
    run = ReportRun.objects.get(period="2026-10")
    assert run.sent_at is None and "connection refused" in run.error
    ReportRun.objects.filter(pk=run.pk).update(claimed_at=timezone.now() - timedelta(hours=1))
    assert services.send_period_report(october) is True
    assert ReportRun.objects.get(pk=run.pk).error == ""


def test_the_worker_collects_the_sweeps() -> None:
    names = [name for name, _ in tasks.SWEEPS]
    assert names == ["send_monthly_report", "send_weekly_report"]
