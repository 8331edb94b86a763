from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest


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
