"""Issue 17: schemathesis sends the REST API what its OpenAPI document allows (and what it does not) and checks every
answer: never a 5xx, every body as documented, every status listed. Bounded (``MAX_EXAMPLES`` per operation) so the
suite stays fast; CI runs it on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, settings
from schemathesis.checks import positive_data_acceptance

from fankui.accounts.models import Role, User
from fankui.accounts.services import issue_token
from fankui.api import api
from fankui.wsgi import application
from tests import factories

MAX_EXAMPLES = 10
# Every other check runs: no 5xx, each status documented, each body, header and content type as documented, invalid
# input refused, auth enforced. Not "schema-valid input is accepted": a string the schema allows may still be refused
# with a documented 422 by design (a control character, core.text), or name nothing (404).


@pytest.fixture(autouse=True)
def _keep_the_connection() -> Iterator[None]:
    """Calls go straight to the WSGI application, whose request_finished would close the test's database connection
    (and its transaction) on PostgreSQL: Django's own test client disconnects the same receiver."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def staff_token(db: None) -> str:
    centre = factories.department("12345热线服务中心", is_dispatch_centre=True)
    supervisor: User = factories.user(Role.SUPERVISOR, centre)
    factories.category("市容环境")
    for n in range(3):
        factories.case(body=f"第{n}号楼前的路灯坏了一个月，晚上很黑。", contact_phone="13800138000")
    return issue_token(supervisor, "schemathesis")


# The document as /api/v1/openapi.json serves it, built without a request (a lazy fixture-loaded schema does not work
# with this pytest); the calls go to the WSGI application in this process, on the test's database.
schema = schemathesis.openapi.from_dict(api.get_openapi_schema(path_prefix="/api/v1/"))
schema.app = application


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_every_operation_answers_as_documented(case: Any, staff_token: str) -> None:
    case.call_and_validate(
        headers={"Authorization": f"Bearer {staff_token}"}, excluded_checks=[positive_data_acceptance]
    )


# What schemathesis found, each kept as a plain test.


def test_a_day_in_the_case_filters_must_be_written_as_a_day(client: Client, staff_token: str) -> None:
    auth = {"HTTP_AUTHORIZATION": f"Bearer {staff_token}", "HTTP_ACCEPT_LANGUAGE": "en"}
    answer = client.get("/api/v1/cases?date_to=0", **auth)  # pydantic alone took it as 1970-01-01
    assert answer.status_code == 422
    assert answer.json()["errors"] == {"date_to": ["Give a day as YYYY-MM-DD."]}  # without pydantic's "Value error, "
    assert client.get("/api/v1/cases?date_to=2026-11-16", **auth).status_code == 200


def test_the_document_says_an_optional_text_may_be_null(client: Client, db: None) -> None:
    schemas = client.get("/api/v1/openapi.json").json()["components"]["schemas"]
    assert {"type": "null"} in schemas["SuggestIn"]["properties"]["title"]["anyOf"]
    assert (
        client.post("/api/v1/submissions", {"body": "路灯坏了一个月了", "title": None}, "application/json").status_code
        == 201
    )


def test_a_reused_idempotency_key_with_another_text_answers_a_documented_409(client: Client, db: None) -> None:
    key = {"HTTP_IDEMPOTENCY_KEY": "k-1"}
    assert (
        client.post("/api/v1/submissions", {"body": "路灯坏了一个月了"}, "application/json", **key).status_code == 201
    )
    answer = client.post("/api/v1/submissions", {"body": "另一件事情"}, "application/json", **key)
    assert answer.status_code == 409
    operation = client.get("/api/v1/openapi.json").json()["paths"]["/api/v1/submissions"]["post"]
    assert "409" in operation["responses"]
