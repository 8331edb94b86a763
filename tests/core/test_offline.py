"""Government intranets have no internet: no page may load anything from another host."""

from __future__ import annotations

import re

import pytest
from django.test import Client

EXTERNAL = re.compile(r"""(?:src|href)=["'](?:https?:)?//""")


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/track/", "/api/v1/docs", "/accounts/login/"])
def test_public_pages_load_nothing_from_other_hosts(path: str) -> None:
    response = Client().get(path, follow=True)
    assert response.status_code == 200
    assert not EXTERNAL.search(response.content.decode())
