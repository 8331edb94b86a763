"""The fault tests run only when asked (``make faults``, which sets FANKUI_FAULTS=1): they start a PostgreSQL
cluster, a server and workers, and take a minute or more. The normal suite lists them as skipped, saying how."""

from __future__ import annotations

import os

import pytest


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if os.environ.get("FANKUI_FAULTS") == "1":
        return
    skip = pytest.mark.skip(reason="fault tests: run them with `make faults` (FAULTS_SHORT=1 for the short version)")
    for item in items:
        if item.get_closest_marker("faults"):
            item.add_marker(skip)
