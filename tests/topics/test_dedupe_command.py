"""fankui dedupe: groups of near-duplicate rows, each led by its earliest row."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

REPORT = "丽发新城小区旁边建了一个搅拌站，每天晚上噪音很大，灰尘满天飞，居民无法休息，请求尽快处理。"
AGAIN = "丽发新城小区旁边建了个搅拌站，每晚噪音很大，灰尘满天飞，居民根本无法休息，请尽快处理！"
COPY = "丽发新城小区旁边建了一个搅拌站，每天晚上噪音很大，灰尘满天飞，居民无法休息，请求尽快处理。"
LAMP = "小区门口的路灯坏了一个月，晚上很黑，请尽快修理。"
LAMP_AGAIN = "小区门口路灯坏了快一个月了，晚上很黑很黑，请尽快修理！"
OTHER = "请问外地社保怎么转到本市，需要哪些材料？"


def dedupe(path: Path, **options: Any) -> list[dict[str, Any]]:
    out = io.StringIO()
    call_command("dedupe", data=str(path), json=True, no_progress=True, stdout=out, **options)
    result: list[dict[str, Any]] = json.loads(out.getvalue())
    return result


def test_it_groups_rewordings_and_copies_under_the_earliest_row(tmp_path: Path) -> None:
    path = tmp_path / "m.csv"
    path.write_text(
        "no,text\n" + "\n".join(f"a{n},{t}" for n, t in enumerate([OTHER, REPORT, LAMP, AGAIN, COPY, LAMP_AGAIN])),
        encoding="utf-8",
    )

    groups = dedupe(path, text="text", id_column="no")

    assert [g["ids"] for g in groups] == [["a1", "a3", "a4"], ["a2", "a5"]]
    plant = groups[0]
    assert plant["primary"] == "a1" and plant["size"] == 3
    assert plant["similarity"][0] == 1.0 and plant["similarity"][2] == 1.0
    assert 0.6 <= plant["similarity"][1] < 1.0


def test_row_numbers_are_the_default_ids_and_the_threshold_is_adjustable(tmp_path: Path) -> None:
    path = tmp_path / "m.csv"
    path.write_text("text\n" + "\n".join([REPORT, OTHER, AGAIN]), encoding="utf-8")

    assert [g["ids"] for g in dedupe(path, text="text")] == [[1, 3]]
    assert dedupe(path, text="text", threshold=0.95) == []


def test_a_gbk_file_with_title_and_body_columns_is_read(tmp_path: Path) -> None:
    path = tmp_path / "m.csv"
    path.write_bytes(f"title,body\n噪音,{REPORT}\n路灯,{LAMP}\n噪音,{COPY}\n".encode("gbk"))

    assert [g["ids"] for g in dedupe(path, text="title,body")] == [[1, 3]]


def test_the_readable_form_counts_repeats(tmp_path: Path) -> None:
    path = tmp_path / "m.csv"
    path.write_text("text\n" + "\n".join([REPORT, COPY, OTHER]), encoding="utf-8")
    out = io.StringIO()

    call_command("dedupe", data=str(path), text="text", no_progress=True, stdout=out)

    assert out.getvalue().startswith("1 groups, 1 rows repeat an earlier one.")


@pytest.mark.parametrize(
    ("content", "options", "message"),
    [
        (b"text\nabc\n", {"text": "body"}, "no column named body"),
        (b"", {"text": "text"}, "empty"),
        (b"text\n", {"text": "text"}, "no rows"),
        (b"\xff\xfe\x00\x81\x00\xd8" * 10, {"text": "text"}, "neither UTF-8 nor GB18030"),
        (b"text\nabc\n", {"text": "text", "threshold": 1.5}, "--threshold"),
    ],
)
def test_bad_input_is_a_one_line_error(tmp_path: Path, content: bytes, options: dict[str, Any], message: str) -> None:
    path = tmp_path / "m.csv"
    path.write_bytes(content)

    with pytest.raises(CommandError, match=message):
        dedupe(path, **options)
