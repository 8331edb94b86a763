from __future__ import annotations

import pytest
from django.test import Client


@pytest.fixture
def en() -> Client:
    """A client whose requests ask for English."""
    return Client(HTTP_ACCEPT_LANGUAGE="en")
