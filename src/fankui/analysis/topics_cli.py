"""What ``fankui hot`` and ``fankui dedupe`` share: reading the file's texts, ids, times and likes."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from .csvio import CsvError, Table, parse_columns, read_table

_TIME = re.compile(
    r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:[ T]+(\d{1,2})(?::(\d{1,2}))?(?::(\d{1,2}))?)?"
)


def parse_time(value: str) -> datetime | None:
    """``2019/8/19 11:34:04``, ``2019-07-11 00:00:00``, ``2019/09/05``, ``2019年9月5日``; None when unreadable."""
    match = _TIME.match(value or "")
    if not match:
        return None
    parts = [int(p) if p else 0 for p in match.groups()]
    try:
        return datetime(parts[0], parts[1], parts[2], min(parts[3], 23), min(parts[4], 59), min(parts[5], 59))
    except ValueError:
        return None


def parse_count(value: str) -> int:
    digits = (value or "").strip().replace(",", "")
    return int(digits) if digits.isdigit() else 0


@dataclass
class Rows:
    table: Table
    titles: list[str]
    bodies: list[str]
    ids: list[int | str]
    times: list[datetime | None] | None
    likes: list[int] | None
    unreadable_times: int = 0

    @property
    def texts(self) -> list[str]:
        return [f"{t} {b}".strip() for t, b in zip(self.titles, self.bodies, strict=True)]


def read_rows(
    path: str,
    text: str,
    *,
    id_column: str | None = None,
    time_column: str | None = None,
    likes_column: str | None = None,
    progress: bool = True,
) -> Rows:
    """Read the file; with two text columns or more the first is taken as the title. Raises ``CsvError``."""
    columns = parse_columns(text)
    extra = [c for c in (id_column, time_column, likes_column) if c]
    table = read_table(path, [*columns, *extra], progress=progress, description="reading")
    if len(columns) > 1:
        titles = table.column(columns[0])
        bodies = table.texts(columns[1:])
    else:
        titles = [""] * len(table.rows)
        bodies = table.texts(columns)
    if not any(t.strip() for t in titles) and not any(b.strip() for b in bodies):
        raise CsvError(f"{path}: the column(s) {', '.join(columns)} are empty in every row.")
    ids: list[int | str]
    if id_column:
        raw = [value.strip() for value in table.column(id_column)]
        ids = [int(v) for v in raw] if all(v.isdigit() for v in raw) else list(raw)
    else:
        # Row numbers as a person counts them in the file: the first row under the header is 1.
        ids = list(range(1, len(table.rows) + 1))
    times = [parse_time(v) for v in table.column(time_column)] if time_column else None
    unreadable = (
        sum(1 for t, v in zip(times, table.column(time_column), strict=True) if t is None and v.strip())
        if times and time_column
        else 0
    )
    likes = [parse_count(v) for v in table.column(likes_column)] if likes_column else None
    return Rows(table, titles, bodies, ids, times, likes, unreadable)
