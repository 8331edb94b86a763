"""Cells of a spreadsheet or CSV file that a person will open: text never runs as a formula (CSV/formula injection).

A cell whose text starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return, which some spreadsheets skip
before reading one of those) is read by Excel, WPS and LibreOffice as a formula: ``=HYPERLINK("http://…?"&A1, "…")``
written in a complaint would send a neighbouring cell to an outside address when clicked. Every file export writes
its cells through ``neutralise`` (the xlsx report in ``insights.builders``, the CSV files of ``csvio.write_table``):
such text gets a leading apostrophe, the usual defence (OWASP, "CSV Injection"), so it shows as the text it was.
Numbers, dates and other values are left as they are.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """``value``, or for text a spreadsheet would read as a formula, the same text after an apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def neutralise_row(values: Iterable[Any]) -> list[Any]:
    return [neutralise(value) for value in values]
