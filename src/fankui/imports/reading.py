"""Reading an import file in constant memory: find its encoding, its header and where each chunk of rows starts,
then read one chunk from its offset.

A CSV is read as it is (UTF-8 with or without BOM, else GB18030, which covers GBK and GB2312): one pass finds the
encoding, a second notes the byte offset of every ``chunk_size``-th record (a line feed byte never occurs inside a
character of either encoding, so the file can be cut at line starts; the csv module takes one line at a time and
yields a record as soon as its last line is in, so the bytes handed to it so far end where the next record starts).
An xlsx is read once with openpyxl in read-only mode and its rows written as JSON lines beside it; chunks then seek
into that. Nothing holds more than a chunk of rows.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from itertools import islice
from pathlib import Path
from typing import Any, BinaryIO

from django.utils.translation import gettext as _

# Letters pasted into one cell can be long; the csv module's default of 128 KiB per field is too small.
csv.field_size_limit(min(sys.maxsize, 2**31 - 1))

ENCODINGS = ("utf-8-sig", "gb18030")
ENCODING_NAMES = {"utf-8-sig": "UTF-8", "gb18030": "GB18030 (GBK)"}
BLOCK = 1 << 20


class BadFile(ValueError):
    """A file that cannot be imported at all; the message says why and what to do, in one sentence."""


@dataclass
class Scan:
    header: list[str]
    encoding: str
    total: int
    # (first row number, rows, offset) of each chunk; the header is row 1.
    chunks: list[tuple[int, int, int]] = field(default_factory=list)


def zipped() -> str:
    return _("This is an Excel workbook or another zip file, not a CSV file: save it as .xlsx.")


def binary() -> str:
    return _("The file is not text (it holds binary data): save the table as CSV (UTF-8) or .xlsx.")


def unknown_encoding() -> str:
    return _("The file is neither UTF-8 nor GB18030/GBK text: save it as CSV (UTF-8) or .xlsx and upload it again.")


def scan(path: Path, fmt: str, chunk_size: int, rows_file: Path) -> Scan:
    """``rows_file``: where an xlsx's rows are written as JSON lines (a local file, then kept in the store)."""
    if not path.is_file():
        raise BadFile(_("The file %(name)s is not there any more.") % {"name": path.name})
    if path.stat().st_size == 0:
        raise BadFile(_("The file is empty."))
    if fmt == "xlsx":
        return _scan_xlsx(path, chunk_size, rows_file)
    return _scan_csv(path, detect_encoding(path), chunk_size)


def detect_encoding(path: Path) -> str:
    """UTF-8 (a BOM allowed) or GB18030, read through once in blocks; ``BadFile`` for anything else."""
    with path.open("rb") as handle:
        head = handle.read(8)
        if head.startswith(b"PK\x03\x04"):
            raise BadFile(zipped())
    for encoding in ENCODINGS:
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            with path.open("rb") as handle:
                while block := handle.read(BLOCK):
                    if b"\x00" in block:
                        raise BadFile(binary())
                    decoder.decode(block)
                decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return encoding
    raise BadFile(unknown_encoding())


def _scan_csv(path: Path, encoding: str, chunk_size: int) -> Scan:
    consumed = 0
    line_number = 0

    def lines(handle: BinaryIO) -> Iterator[str]:
        nonlocal consumed, line_number
        first = True
        for raw in handle:
            consumed += len(raw)
            line_number += 1
            yield raw.decode(encoding if first else _body_encoding(encoding))
            first = False

    with path.open("rb") as handle:
        reader = csv.reader(lines(handle))
        try:
            header = [name.strip() for name in next(reader, [])]
            if not any(header):
                raise BadFile(_("The file has no header row (the first row must name the columns)."))
            result = Scan(header=header, encoding=encoding, total=0)
            start = consumed
            for _record in reader:
                if result.total % chunk_size == 0:
                    result.chunks.append((result.total + 2, 0, start))
                result.total += 1
                start = consumed
        except csv.Error as exc:
            raise BadFile(
                _("Line %(line)d is not valid CSV (%(error)s).") % {"line": line_number, "error": exc}
            ) from exc
    result.chunks = _sized(result.chunks, result.total)
    return result


def _body_encoding(encoding: str) -> str:
    # The BOM is only at the start of the file.
    return "utf-8" if encoding == "utf-8-sig" else encoding


def _sized(starts: list[tuple[int, int, int]], total: int) -> list[tuple[int, int, int]]:
    sized = []
    for number, (first, _rows, offset) in enumerate(starts):
        end = starts[number + 1][0] if number + 1 < len(starts) else total + 2
        sized.append((first, end - first, offset))
    return sized


def cell_text(value: Any) -> str:
    """A spreadsheet cell as the text an import reads: dates in ISO form, whole numbers without ``.0``."""
    if value is None:
        return ""
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _open_xlsx(path: Path) -> Any:
    from openpyxl import load_workbook  # a few hundred ms to import; only xlsx files need it

    try:
        # Read-only: rows are streamed from the sheet's XML, never held whole.
        return load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises zipfile, KeyError or XML errors for damaged files
        raise BadFile(_("The file is not a readable .xlsx workbook (%(error)s).") % {"error": exc}) from exc


def xlsx_header(path: Path) -> list[str]:
    book = _open_xlsx(path)
    try:
        first = next(book.worksheets[0].iter_rows(values_only=True), ())
    finally:
        book.close()
    return [cell_text(value).strip() for value in first]


def _scan_xlsx(path: Path, chunk_size: int, rows_file: Path) -> Scan:
    book = _open_xlsx(path)
    try:
        sheet = book.worksheets[0]
        values = sheet.iter_rows(values_only=True)
        header = [cell_text(value).strip() for value in next(values, ())]
        if not any(header):
            raise BadFile(_("The file has no header row (the first row must name the columns)."))
        result = Scan(header=header, encoding="", total=0)
        with rows_file.open("wb") as out:
            empties = 0
            for row in values:
                cells = [cell_text(value) for value in row]
                if not any(cell.strip() for cell in cells):
                    # Formatting often stretches a sheet past its last row: empty rows count only before a full one.
                    empties += 1
                    continue
                for pending in [*[[]] * empties, cells]:
                    if result.total % chunk_size == 0:
                        result.chunks.append((result.total + 2, 0, out.tell()))
                    out.write(json.dumps(pending, ensure_ascii=False).encode() + b"\n")
                    result.total += 1
                empties = 0
    finally:
        book.close()
    result.chunks = _sized(result.chunks, result.total)
    return result


def read_chunk(path: Path, fmt: str, encoding: str, offset: int, rows: int, rows_file: Path) -> Iterator[list[str]]:
    """The ``rows`` records that start at ``offset``, each a list of cells (an xlsx's from ``rows_file``)."""
    if fmt == "xlsx":
        with rows_file.open("rb") as handle:
            handle.seek(offset)
            for line in islice(handle, rows):
                yield json.loads(line)
        return
    with path.open("rb") as raw:
        raw.seek(offset)
        text = io.TextIOWrapper(raw, encoding=_body_encoding(encoding), newline="")
        yield from islice(csv.reader(text), rows)


def encoding_name(encoding: str) -> str:
    return ENCODING_NAMES.get(encoding, encoding)
