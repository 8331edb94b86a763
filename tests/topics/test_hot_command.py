"""fankui hot: the documented command line on small files, and one-line errors for bad files."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

PLANT = [
    ("投诉丽发新城附近建搅拌站噪音扰民", "丽发新城小区旁边新建了搅拌站，日夜施工，噪音扰民，灰尘很大。"),
    ("丽发新城搅拌站噪音太大", "搅拌站就在丽发新城小区旁边，晚上噪音吵得睡不着觉，请关停搅拌站。"),
    ("丽发新城旁搅拌站扰民", "丽发新城居民强烈要求搬迁搅拌站，噪音和粉尘严重影响生活。"),
]
FUMES = [
    ("魅力之城小区临街门面油烟扰民", "魅力之城小区底层商铺油烟直排，烧烤夜宵摊经营到凌晨。"),
    ("魅力之城底层餐馆油烟扰民", "魅力之城小区一楼的餐馆没有排烟管道，油烟直排进家里。"),
]
OTHER = [
    ("公交车太少", "希望增加公交线路，早上上班等车要半小时。"),
    ("咨询社保转移", "请问外地社保怎么转到本市，需要哪些材料？"),
]


def write(tmp_path: Path, rows: list[tuple[str, str]], *, encoding: str = "utf-8", extra: bool = True) -> Path:
    lines = ["id,title,body,time,likes"] if extra else ["title,body"]
    for n, (title, body) in enumerate(rows, 1):
        lines.append(f"m{n},{title},{body},2019/11/{3 * n} 10:00:00,{n}" if extra else f"{title},{body}")
    path = tmp_path / "messages.csv"
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return path


def hot(**options: Any) -> list[dict[str, Any]]:
    out = io.StringIO()
    call_command("hot", json=True, no_progress=True, stdout=out, **options)
    result: list[dict[str, Any]] = json.loads(out.getvalue())
    return result


def test_it_prints_the_k_hottest_topics_with_label_keywords_size_heat_and_ids(tmp_path: Path) -> None:
    path = write(tmp_path, [*PLANT, *OTHER, *FUMES], extra=False)

    topics = hot(data=str(path), text="title,body", top=5)

    assert [t["size"] for t in topics] == [3, 2]
    plant, fumes = topics
    assert set(plant) == {"label", "keywords", "size", "heat", "ids"}
    assert plant["ids"] == [1, 2, 3]  # row numbers, the first row under the header is 1
    assert fumes["ids"] == [6, 7]
    assert plant["label"].startswith("丽发新城") and "搅拌站" in plant["keywords"]
    assert fumes["label"].startswith("魅力之城") and "油烟" in fumes["label"]
    assert plant["heat"] > fumes["heat"]
    assert len(hot(data=str(path), text="title,body", top=1)) == 1


def test_ids_times_and_likes_come_from_the_named_columns(tmp_path: Path) -> None:
    path = write(tmp_path, [*FUMES, *OTHER, *PLANT])

    topics = hot(data=str(path), text="title,body", id_column="id", time="time", likes="likes", top=3, details=True)

    fumes = next(t for t in topics if t["place"] == "魅力之城")
    plant = next(t for t in topics if t["place"] == "丽发新城")
    assert fumes["ids"] == ["m1", "m2"] and fumes["support"] == 1 + 2
    assert plant["support"] == 5 + 6 + 7
    # The file's last time is "now": the plant's three reports are in the last 7 days, the fumes' before that.
    assert plant["recent"] == 3 and plant["growth"] > 1
    assert fumes["recent"] == 0


def test_likes_add_heat(tmp_path: Path) -> None:
    quiet = write(tmp_path, [*PLANT, *OTHER])
    without = hot(data=str(quiet), text="title,body", top=1)[0]["heat"]

    with_likes = hot(data=str(quiet), text="title,body", likes="likes", top=1)[0]["heat"]

    assert with_likes > without


def test_a_gbk_file_is_read(tmp_path: Path) -> None:
    path = write(tmp_path, [*PLANT, *OTHER], encoding="gbk")

    assert hot(data=str(path), text="title,body", top=3)[0]["label"].startswith("丽发新城")


def test_one_text_column_works_without_titles(tmp_path: Path) -> None:
    path = tmp_path / "reviews.csv"
    path.write_text("review\n" + "\n".join(body for _, body in [*PLANT, *OTHER]) + "\n", encoding="utf-8")

    assert hot(data=str(path), text="review", top=3)[0]["ids"] == [1, 2, 3]


def test_the_readable_form_lists_labels(tmp_path: Path) -> None:
    path = write(tmp_path, [*PLANT, *OTHER])
    out = io.StringIO()

    call_command("hot", data=str(path), text="title,body", top=3, no_progress=True, stdout=out)

    assert "1. 丽发新城" in out.getvalue()


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"text": "content"}, "no column named content"),
        ({"text": "title,body", "time": "when"}, "no column named when"),
        ({"text": "title,body", "likes": "votes"}, "no column named votes"),
        ({"text": "title,body", "top": 0}, "--top must be 1 or more"),
        ({"text": ","}, "No column given"),
    ],
)
def test_bad_options_are_one_line_errors(tmp_path: Path, options: dict[str, Any], message: str) -> None:
    path = write(tmp_path, PLANT)

    with pytest.raises(CommandError, match=message):
        hot(data=str(path), **options)


def test_an_empty_file_a_missing_file_and_a_bad_encoding_are_named(tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    binary = tmp_path / "book.csv"
    binary.write_bytes(b"PK\x03\x04\xff\xfe\x00\x81\x00" * 20)

    with pytest.raises(CommandError, match="empty"):
        hot(data=str(empty), text="title")
    with pytest.raises(CommandError, match="no such file"):
        hot(data=str(tmp_path / "missing.csv"), text="title")
    with pytest.raises(CommandError, match="neither UTF-8 nor GB18030"):
        hot(data=str(binary), text="title")


def test_a_file_where_nothing_repeats_has_no_topic(tmp_path: Path) -> None:
    path = write(tmp_path, OTHER)

    assert hot(data=str(path), text="title,body", top=5) == []
