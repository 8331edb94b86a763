from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from .objectstore import s3, s3_storage  # noqa: F401  (fixtures of the tests of S3 storage)


@pytest.fixture(autouse=True)
def _frozen_time() -> Iterator[None]:
    # These tests run real servers for real seconds (timeouts, PgBouncer, replication): the clock is not frozen.
    yield


@pytest.fixture
def place() -> Iterator[Path]:
    """A temporary folder the postgres user can enter (pytest's own tmp_path is private to root)."""
    folder = Path(tempfile.mkdtemp(prefix="fankui-deploy-"))
    folder.chmod(0o755)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # Each test starts PostgreSQL clusters, PgBouncer or an object store and runs migrations: minutes, the same on
    # either engine of the suite. `make deploy-tests` runs them once (CI too); `make test` skips them.
    if os.environ.get("DEPLOY_TESTS") == "1":
        return
    skip = pytest.mark.skip(reason="deployment tests: run them with `make deploy-tests`")
    for item in items:
        if "tests/deploy/" in str(item.path):
            item.add_marker(skip)
