from __future__ import annotations

import csv
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from fankui.imports import services
from fankui.imports.models import ImportJob

HEADER = ["id", "user", "title", "time", "body", "reply", "reply_time"]


@pytest.fixture(autouse=True)
def _data_dir(settings: Any, tmp_path: Path) -> Iterator[None]:
    settings.FANKUI_DATA_DIR = tmp_path / "var"
    settings.FANKUI_DATA_DIR.mkdir()
    yield


@pytest.fixture
def csv_file(tmp_path: Path) -> Callable[..., Path]:
    """``csv_file(rows, header=HEADER, encoding="utf-8", name="in.csv")``: a file to import."""

    def make(
        rows: Sequence[Sequence[str]], header: Sequence[str] = HEADER, encoding: str = "utf-8", name: str = "in.csv"
    ) -> Path:
        path = tmp_path / name
        with path.open("w", encoding=encoding, newline="") as out:
            writer = csv.writer(out)
            if header:
                writer.writerow(header)
            writer.writerows(rows)
        return path

    return make


def run_file(path: Path, *, dry_run: bool = False, user: Any = None, **options: Any) -> ImportJob:
    """Make, start and run an import of ``path`` to its end, as `fankui import` does."""
    job = services.create_job(path, path.name, user=user, **options)
    job = services.start(job, user, dry_run=dry_run)
    services.run(job)
    job.refresh_from_db()
    return job


def outcomes(job: ImportJob) -> dict[int, tuple[str, str]]:
    return {row.row: (row.outcome, row.reason) for row in job.results.order_by("row")}
