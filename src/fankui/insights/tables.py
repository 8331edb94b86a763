"""The report as plain tables: what the HTML, xlsx and PDF builders all render, so the three formats cannot
disagree. Cells are numbers as numbers (int, float, None for "no figure") or text."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Chart:
    kind: str  # "bar" or "line"
    label_column: int = 0
    value_column: int = 1
    limit: int = 12


@dataclass
class Table:
    title: str
    headers: list[str]
    rows: list[list[Any]]
    chart: Chart | None = None
    # Columns holding percentages (shown with one decimal and a % sign; stored as numbers in xlsx).
    percent_columns: tuple[int, ...] = ()


@dataclass
class Section:
    key: str
    title: str
    tables: list[Table] = field(default_factory=list)
    # Shown above the tables: e.g. why a section has no figures.
    note: str = ""
    available: bool = True
