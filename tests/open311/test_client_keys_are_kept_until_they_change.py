"""Each process keeps the active clients' keys while they stay unchanged (core.lookups): a post costs no query for
its key, a key revoked by any means stops at the next request, and the last-used time a request writes once a
minute does not throw the kept keys away."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from fankui.cases.models import Category
from fankui.core.models import LookupStamp
from fankui.open311 import services
from fankui.open311.models import Open311Client

from .conftest import post_request


def _key_queries(en: Client, key: str, lamps: Category) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        response = post_request(en, key, lamps)
    assert response.status_code == 200, response.content
    return response.status_code, sum("open311_open311client" in q["sql"] for q in queries.captured_queries)


def test_a_post_reads_no_key_while_the_clients_are_unchanged(en: Client, key: str, lamps: Category) -> None:
    post_request(en, key, lamps)
    # The first post of a minute writes the last-used time, and nothing else touches the client table.
    assert _key_queries(en, key, lamps) == (200, 0)


def test_the_last_used_time_renews_nothing(en: Client, key: str, lamps: Category) -> None:
    post_request(en, key, lamps)
    token = LookupStamp.objects.get(pk=1).token
    Open311Client.objects.update(last_used_at=timezone.now() - dt.timedelta(hours=1))
    assert LookupStamp.objects.get(pk=1).token == token


def test_a_key_revoked_past_the_models_stops_at_the_next_request(en: Client, key: str, lamps: Category) -> None:
    assert post_request(en, key, lamps).status_code == 200
    # Another process, or an administrator's SQL: nothing but the database knows of it.
    with connection.cursor() as cursor:
        cursor.execute("UPDATE open311_open311client SET active = %s", [False])
    assert post_request(en, key, lamps).status_code == 403
    assert services.client_for_key(key) is None


def test_a_new_client_works_at_its_first_request(en: Client, key: str, lamps: Category) -> None:
    assert post_request(en, key, lamps).status_code == 200
    _client, other = services.issue_client("第二个客户端")
    assert post_request(en, other, lamps).status_code == 200
