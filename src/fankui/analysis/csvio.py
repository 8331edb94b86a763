"""Reading and writing the CSV files the text tools take: encoding detected, columns checked, progress shown.

Files come from spreadsheets and other systems: UTF-8 (with or without the BOM Excel writes) or GBK/GB18030 from
older Chinese software. Problems are reported as one sentence that names the file and what to do (``CsvError``);
the management commands turn it into a ``CommandError``, so nobody sees a traceback for a bad file.
"""

from __future__ import annotations

import csv
import io
import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tqdm import tqdm

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
    """Write rows as UTF-8 CSV without a BOM (other tools read the first column by name); returns how many."""
    path = Path(path)
    if path.parent and not path.parent.exists():
        raise CsvError(f"{path}: the folder {path.parent} does not exist.")
    count = 0
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=list(header), extrasaction="ignore")
        writer.writeheader()
        for row in rows:
            writer.writerow(row)
            count += 1
    return count


def progress(
    items: Iterable[Any], *, total: int | None = None, description: str = "", enabled: bool = True
) -> Iterator[Any]:
    """A progress bar on standard error for long loops; silent when disabled."""
    yield from tqdm(items, total=total, desc=description, disable=not enabled, file=sys.stderr, leave=False)
