from __future__ import annotations

from collections.abc import Iterator

import pytest

from fankui.desk import knowledge


@pytest.fixture(autouse=True)
def _no_kept_knowledge() -> Iterator[None]:
    # Each test has its own database: an index kept from another test would name its rows.
    knowledge.forget()
    yield
    knowledge.forget()
