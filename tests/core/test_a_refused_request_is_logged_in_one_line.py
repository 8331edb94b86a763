"""A permission refusal (403) is one line in the log, not a traceback that buries the real errors."""

from __future__ import annotations

import logging

import pytest
from django.test import Client

from fankui.accounts.models import Role
from fankui.core.logs import ClientErrorsInOneLine
from tests import factories


@pytest.mark.django_db
def test_a_403_in_the_admin_is_logged_without_a_traceback(caplog: pytest.LogCaptureFixture) -> None:
    client = Client()
    client.force_login(factories.user(Role.ADMIN))
    with caplog.at_level(logging.WARNING, logger="django.request"):
        # API tokens are issued by `fankui createuser --token` only: the admin refuses to add one.
        response = client.get("/admin/accounts/apitoken/add/")
    assert response.status_code == 403
    [record] = [r for r in caplog.records if r.name == "django.request"]
    assert record.getMessage() == "Forbidden (Permission denied): /admin/accounts/apitoken/add/"
    assert record.exc_info is None and "Traceback" not in caplog.text


def test_a_server_error_keeps_its_traceback() -> None:
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        import sys

        record = logging.LogRecord(
            "django.request", logging.ERROR, __file__, 1, "Internal Server Error", (), sys.exc_info()
        )
    record.status_code = 500
    assert ClientErrorsInOneLine().filter(record) and record.exc_info is not None
