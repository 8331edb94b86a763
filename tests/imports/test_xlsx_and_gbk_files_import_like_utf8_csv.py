from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from fankui.cases.models import Case
from fankui.cases.workflow import State
from fankui.imports import files
from fankui.imports.models import Outcome

from .conftest import outcomes, run_file

BODY = "小区门口的路灯坏了一个月，晚上很黑，请尽快修理。"


def test_a_gbk_csv_with_chinese_headers_is_read_as_gb18030(db: None, csv_file: Callable[..., Path]) -> None:
    header = ["留言编号", "留言主题", "留言时间", "留言详情", "答复意见", "答复时间"]
    path = csv_file(
        [["7", "路灯不亮", "2019/4/25 9:32:09", BODY, "已修复，感谢监督。", "2019/5/6 10:00:00"]],
        header=header,
        encoding="gbk",
    )
    job = run_file(path)
    assert job.encoding == "gb18030"
    case = Case.objects.get()
    assert case.submission.body == BODY
    assert case.replies.get().body == "已修复，感谢监督。"


def test_an_xlsx_with_date_cells_and_numeric_ids_is_imported(db: None, tmp_path: Path, settings: Any) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["编号", "标题", "时间", "内容", "答复", "答复时间"])
    sheet.append([101, "路灯不亮", datetime(2019, 4, 25, 9, 32, 9), BODY, "已修复。", "2019年5月6日"])
    sheet.append([None, None, None, None, None, None])
    sheet.append([102, "噪音", "2019-07-11 00:00:00", "夜里工地施工噪音太大。", "", ""])
    for _ in range(3):  # formatting stretches sheets past their last row
        sheet.append([None] * 6)
    path = tmp_path / "cases.xlsx"
    book.save(path)

    job = run_file(path)
    assert job.total_rows == 3
    assert outcomes(job)[3][0] == Outcome.FAILED  # the empty row between two full ones
    first = Case.objects.get(submission__external_id="import:101")
    assert first.state == State.CLOSED
    assert first.created_at == datetime.fromisoformat("2019-04-25T09:32:09+08:00")
    assert Case.objects.get(submission__external_id="import:102").state == State.RECEIVED
    # The rows read from the workbook are gone with the import; a file named on the command line stays where it is.
    assert not list(Path(settings.MEDIA_ROOT).rglob("rows-*")) and not list(files.cache_dir().glob("rows-*"))
    assert path.is_file()
