"""One id from the intake of a case to its analysis and to every message sent about it: the request's id (the
client's X-Request-ID, or a new one) is answered, kept with the submission, and put back in the log context while the
worker analyses the case and sends its receipt; the JSON log lines carry it (issue 17; core.logs)."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import pytest
from django.test import Client

from fankui.analysis import tasks
from fankui.core import logs
from fankui.intake.models import Submission
from fankui.notify import delivery

pytestmark = pytest.mark.django_db


@pytest.fixture
def records(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    caplog.set_level(logging.INFO)
    yield caplog


def _submit(**headers: str) -> tuple[str, Submission]:
    response = Client().post(
        "/api/v1/submissions",
        json.dumps({"body": "小区门口的路灯坏了一个月，晚上很黑。", "contact": {"email": "zhang@example.com"}}),
        content_type="application/json",
        headers=headers,
    )
    assert response.status_code == 201
    return response["X-Request-ID"], Submission.objects.get()


def test_the_id_goes_from_intake_to_analysis_to_the_message(records: pytest.LogCaptureFixture) -> None:
    request_id, submission = _submit(**{"X-Request-ID": "lb-7f3a9c2e11"})
    assert request_id == submission.request_id == "lb-7f3a9c2e11"
    tasks.analyse_pending()
    assert delivery.deliver_due() == 1  # the receipt
    # The console handler's filter (settings.LOGGING) puts the context on each record.
    stages = {record.name for record in records.records if getattr(record, "request_id", "") == request_id}
    assert {"fankui.intake", "fankui.analysis", "fankui.notify"} <= stages


def test_without_a_usable_id_the_site_makes_one() -> None:
    request_id, submission = _submit(**{"X-Request-ID": "bad id with spaces\n"})
    assert len(request_id) == 32 and request_id == submission.request_id


def test_a_line_is_one_json_object_with_the_id() -> None:
    record = logging.LogRecord("fankui.analysis", logging.INFO, __file__, 1, "case %s analysed", (7,), None)
    with logs.context(request_id="abc12345", case_id=7):
        logs.WithContext().filter(record)
    line = json.loads(logs.Json().format(record))
    assert line["message"] == "case 7 analysed"
    assert line["request_id"] == "abc12345" and line["case_id"] == 7
    assert line["level"] == "INFO" and line["logger"] == "fankui.analysis"
