"""Reading and writing the CSV files the text tools take: encoding detected, columns checked, progress shown.

Files come from spreadsheets and other systems: UTF-8 (with or without the BOM Excel writes) or GBK/GB18030 from
older Chinese software. Problems are reported as one sentence that names the file and what to do (``CsvError``);
the management commands turn it into a ``CommandError``, so nobody sees a traceback for a bad file.
"""

from __future__ import annotations

import csv
import io
import re
import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from tqdm import tqdm

from .cells import neutralise

# Texts can be long (a letter pasted into one cell); the csv module's default limit of 128 KiB is too small.
csv.field_size_limit(min(sys.maxsize, 2**31 - 1))

# Tried in this order; GB18030 is a superset of GBK and GB2312, so it reads files saved in either.
ENCODINGS = ("utf-8-sig", "gb18030")
ENCODING_NAMES = {"utf-8-sig": "UTF-8", "gb18030": "GB18030 (GBK)"}


class CsvError(ValueError):
    """A file that cannot be used as given; the message says why in one sentence."""


@dataclass
class Table:
    path: Path
    encoding: str
    header: list[str]
    rows: list[dict[str, str]] = field(default_factory=list)

    @property
    def encoding_name(self) -> str:
        return ENCODING_NAMES.get(self.encoding, self.encoding)

    def texts(self, columns: Sequence[str]) -> list[str]:
        """The text of each row: the given columns joined with a space (empty cells left out)."""
        return [join_text(row, columns) for row in self.rows]

    def column(self, name: str) -> list[str]:
        return [row.get(name, "") for row in self.rows]


def parse_columns(value: str) -> list[str]:
    """``"title,body"`` -> ``["title", "body"]``; the command-line form of several text columns."""
    columns = [part.strip() for part in value.split(",") if part.strip()]
    if not columns:
        raise CsvError("No column given: name at least one, e.g. --text review or --text title,body.")
    return columns


def join_text(row: dict[str, str], columns: Sequence[str]) -> str:
    return " ".join(value for value in (row.get(column) or "" for column in columns) if value.strip()).strip()


def decode(data: bytes, path: Path | str = "input") -> tuple[str, str]:
    """The text of a file and the encoding it was in; ``CsvError`` when it is neither UTF-8 nor GB18030."""
    for encoding in ENCODINGS:
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise CsvError(
        f"{path}: the file is neither UTF-8 nor GB18030/GBK text (is it an Excel .xlsx or another encoding?). "
        "Save it as CSV in UTF-8."
    )


def read_table(
    path: Path | str,
    required: Iterable[str] = (),
    *,
    progress: bool = False,
    description: str = "reading",
) -> Table:
    """Read a whole CSV file with a header row, checking that the required columns are there and it has rows."""
    path = Path(path)
    if not path.exists():
        raise CsvError(f"{path}: no such file.")
    if path.is_dir():
        raise CsvError(f"{path}: is a folder, not a CSV file.")
    data = path.read_bytes()
    if not data.strip():
        raise CsvError(f"{path}: the file is empty.")
    text, encoding = decode(data, path)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [name.strip() for name in next(reader)]
    except (StopIteration, csv.Error) as exc:
        raise CsvError(f"{path}: no header row could be read ({exc}).") from exc
    missing = [name for name in required if name not in header]
    if missing:
        names = ", ".join(missing)
        raise CsvError(
            f"{path}: no column named {names} (the file, read as {ENCODING_NAMES.get(encoding, encoding)}, "
            f"has: {', '.join(header)})."
        )
    table = Table(path=path, encoding=encoding, header=header)
    bar = tqdm(desc=description, unit=" rows", disable=not progress, file=sys.stderr, leave=False)
    try:
        for values in reader:
            if not any(value.strip() for value in values):
                continue
            if len(values) < len(header):
                values = [*values, *[""] * (len(header) - len(values))]
            table.rows.append(dict(zip(header, values, strict=False)))
            bar.update()
    except csv.Error as exc:
        raise CsvError(f"{path}: line {reader.line_num} is not valid CSV ({exc}).") from exc
    finally:
        bar.close()
    if not table.rows:
        raise CsvError(f"{path}: the file has a header but no rows.")
    return table


def write_table(path: Path | str, header: Sequence[str], rows: Iterable[dict[str, Any]]) -> int:
    """Write rows as UTF-8 CSV without a BOM (other tools read the first column by name); returns how many. Text
    a spreadsheet would run as a formula is written as text (``cells.neutralise``)."""
    path = Path(path)
    if path.parent and not path.parent.exists():
        raise CsvError(f"{path}: the folder {path.parent} does not exist.")
    count = 0
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=list(header), extrasaction="ignore")
        writer.writerow({name: neutralise(name) for name in header})
        for row in rows:
            writer.writerow({key: neutralise(value) for key, value in row.items()})
            count += 1
    return count


def progress(
    items: Iterable[Any], *, total: int | None = None, description: str = "", enabled: bool = True
) -> Iterator[Any]:
    """A progress bar on standard error for long loops; silent when disabled."""
    yield from tqdm(items, total=total, desc=description, disable=not enabled, file=sys.stderr, leave=False)


# What ``fankui hot`` and ``fankui dedupe`` share: a file's texts, ids, times and likes.
_TIME = re.compile(
    r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})(?:\s*日)?"
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
