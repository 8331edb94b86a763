"""An Open311 post runs the statements of ``POST /api/v1/submissions`` with the same category and position, and one
more: its own row. The key and the service cost no query while nothing changed (core.lookups), and there is no
savepoint of its own (the row is written in intake's transaction)."""

from __future__ import annotations

import uuid

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from fankui.cases.models import Category

from .conftest import post_request


def _api(client: Client, category: Category) -> list[str]:
    payload = {
        "body": "幸福小区3栋门口的路灯坏了一个月，晚上很黑。",
        "category": category.pk,
        "location": {"lat": 28.2282, "lng": 112.9388},
        "contact": {"phone": "13800138000"},
    }
    with CaptureQueriesContext(connection) as queries:
        response = client.post(
            "/api/v1/submissions", payload, content_type="application/json", HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex
        )
    assert response.status_code == 201, response.content
    return [q["sql"] for q in queries.captured_queries]


def _open311(client: Client, key: str, category: Category) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        response = post_request(
            client, key, category, phone="13800138000", **{"attribute[external_id]": uuid.uuid4().hex}
        )
    assert response.status_code == 200, response.content
    return [q["sql"] for q in queries.captured_queries]


def test_an_open311_post_runs_the_apis_statements_and_its_own_row(en: Client, key: str, lamps: Category) -> None:
    _api(en, lamps), _open311(en, key, lamps)  # the lookups read, the key's last use written

    api, open311 = _api(en, lamps), _open311(en, key, lamps)

    assert len(open311) == len(api) + 1
    # The channel's tables: only the request's row, no read of the client (its key) or of anything else.
    assert [sql.split("(")[0] for sql in open311 if '"open311_' in sql] == ['INSERT INTO "open311_open311request" ']
    # No savepoint of its own (the test's transaction makes intake's own one a savepoint, for both alike).
    assert sum("SAVEPOINT" in sql for sql in open311) == sum("SAVEPOINT" in sql for sql in api)
