from __future__ import annotations

from pathlib import Path

import pytest
from django.utils import translation

from fankui.imports import mapping


def test_the_columns_of_the_wenzheng_export_are_recognised() -> None:
    header = ["id", "user", "title", "time", "body", "reply", "reply_time"]
    assert mapping.guess(header) == {
        "id": "id",
        "title": "title",
        "body": "body",
        "time": "time",
        "reply": "reply",
        "reply_time": "reply_time",
    }


def test_chinese_headers_are_recognised() -> None:
    header = ["留言编号", "留言用户", "留言主题", "留言时间", "留言详情", "答复意见", "答复时间", "联系电话"]
    assert mapping.guess(header) == {
        "id": "留言编号",
        "title": "留言主题",
        "time": "留言时间",
        "body": "留言详情",
        "reply": "答复意见",
        "reply_time": "答复时间",
        "phone": "联系电话",
    }


def test_a_mapping_given_wins_over_the_guess_and_an_empty_column_leaves_a_field_out() -> None:
    header = ["编号", "内容", "备注", "标题"]
    given = mapping.parse("body=备注,title=")
    assert mapping.complete(header, given) == {"id": "编号", "body": "备注"}


def test_a_mapping_file_may_be_json_or_lines_and_the_command_line_wins(tmp_path: Path) -> None:
    as_json = tmp_path / "map.json"
    as_json.write_text('{"body": "内容", "title": "标题"}', encoding="utf-8")
    assert mapping.parse("title=主题", as_json) == {"body": "内容", "title": "主题"}
    as_lines = tmp_path / "map.txt"
    as_lines.write_text("# columns of the old system\nbody=诉求内容\ntime = 来电时间\n", encoding="utf-8")
    assert mapping.parse("", as_lines) == {"body": "诉求内容", "time": "来电时间"}


def test_unknown_fields_and_malformed_pairs_are_refused_with_the_list_of_fields() -> None:
    with translation.override("en"), pytest.raises(mapping.MappingError, match=r"Unknown field texte.*body"):
        mapping.parse("texte=内容")
    with translation.override("en"), pytest.raises(mapping.MappingError, match="not of the form field=column"):
        mapping.parse("body")


def test_a_mapping_to_a_missing_column_names_the_columns_the_file_has() -> None:
    with translation.override("en"):
        assert mapping.check(["标题", "内容"], {"body": "详情"}) == (
            "The file has no column body=详情. Its columns: 标题, 内容."
        )
        assert "No column holds the text" in mapping.check(["标题"], {"title": "标题"})
        assert mapping.check(["标题", "内容"], {"body": "内容"}) == ""
