"""Fixtures of the SLA tests: the default policies (the 12345 limits) and people of the roles SLA involves."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.utils import translation

from fankui.accounts.models import Department, Role, User
from fankui.sla.defaults import ensure_defaults
from tests import factories


@pytest.fixture
def policies(db: None) -> int:
    return ensure_defaults()


@pytest.fixture
def dept_head(dept: Department) -> User:
    return factories.user(Role.DEPT_HEAD, dept)


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """Service messages are asserted in English (the default language is Chinese)."""
    with translation.override("en"):
        yield
