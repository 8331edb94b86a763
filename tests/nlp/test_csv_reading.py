from __future__ import annotations

from pathlib import Path

import pytest

from fankui.nlp.csvio import CsvError, parse_columns, read_table, write_table


def write(path: Path, text: str, encoding: str) -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def test_it_reads_utf8_with_and_without_the_excel_bom(tmp_path: Path) -> None:
    for encoding in ("utf-8", "utf-8-sig"):
        table = read_table(write(tmp_path / "a.csv", "label,review\n1,很好吃\n", encoding), ["label", "review"])
        assert table.header == ["label", "review"]
        assert table.rows == [{"label": "1", "review": "很好吃"}]
        assert table.encoding_name == "UTF-8"


def test_it_reads_gbk_files_and_names_the_encoding(tmp_path: Path) -> None:
    table = read_table(write(tmp_path / "g.csv", "标题,内容\n路灯,小区路灯坏了\n", "gbk"), ["内容"])
    assert table.column("内容") == ["小区路灯坏了"]
    assert table.encoding_name == "GB18030 (GBK)"


def test_it_joins_several_text_columns_with_a_space(tmp_path: Path) -> None:
    table = read_table(write(tmp_path / "t.csv", "title,body\n路灯,坏了\n,只有正文\n", "utf-8"), ["title", "body"])
    assert table.texts(["title", "body"]) == ["路灯 坏了", "只有正文"]


def test_it_names_the_missing_column_and_the_columns_there_are(tmp_path: Path) -> None:
    with pytest.raises(CsvError, match=r"no column named text.*has: label, review"):
        read_table(write(tmp_path / "a.csv", "label,review\n1,好\n", "utf-8"), ["text"])


def test_it_refuses_an_empty_file_and_a_file_without_rows(tmp_path: Path) -> None:
    with pytest.raises(CsvError, match="empty"):
        read_table(write(tmp_path / "e.csv", "", "utf-8"))
    with pytest.raises(CsvError, match="no rows"):
        read_table(write(tmp_path / "h.csv", "label,review\n", "utf-8"))


def test_it_refuses_a_file_in_another_encoding_with_one_sentence(tmp_path: Path) -> None:
    path = tmp_path / "b.csv"
    path.write_bytes(b"label,review\n1,\xff\xfe\xff\n")
    with pytest.raises(CsvError, match="neither UTF-8 nor GB18030"):
        read_table(path)


def test_it_says_when_the_file_is_not_there(tmp_path: Path) -> None:
    with pytest.raises(CsvError, match="no such file"):
        read_table(tmp_path / "nope.csv")


def test_column_lists_are_split_on_commas_and_must_name_one() -> None:
    assert parse_columns("title, body") == ["title", "body"]
    with pytest.raises(CsvError):
        parse_columns(" , ")


def test_written_files_read_back_the_same(tmp_path: Path) -> None:
    write_table(tmp_path / "o.csv", ["a", "b"], [{"a": "一", "b": "x,y"}])
    assert read_table(tmp_path / "o.csv").rows == [{"a": "一", "b": "x,y"}]
