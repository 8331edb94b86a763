"""The monthly report's 好差评 section has the rates of 一次一评 per service window and per member of staff, as the
issue asks ("rates per department, category, window, staff member and period ... in the monthly report"), within
the reader's scope."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager

import pytest

from fankui.accounts.models import Department, User
from fankui.insights import layout, periods, queries
from fankui.surveys import windows
from fankui.surveys.models import ServiceHall, ServicePoint, StaffBadge

pytestmark = pytest.mark.django_db


def goodbad_tables(scope: queries.Scope) -> dict[str, list[list[object]]]:
    report = queries.build(scope, periods.parse("2026-11"))
    section = next(s for s in layout.sections(report) if s.key == "goodbad")
    return {table.title: table.rows for table in section.tables}


@pytest.fixture
def rated(
    dept: Department, other_dept: Department, at: Callable[[str], AbstractContextManager[object]]
) -> tuple[ServicePoint, ServicePoint]:
    hall = ServiceHall.objects.create(name="市民中心")
    ours = ServicePoint.objects.create(hall=hall, department=dept, number="A03", name="不动产登记")
    theirs = ServicePoint.objects.create(hall=hall, department=other_dept, number="B09", name="机动车检验")
    badge = StaffBadge.objects.create(name="王芳", number="1024", department=dept, service_point=ours)
    with at("2026-11-10 10:00"):
        for level in (5, 4, 1):
            windows.rate_window(ours, level)
        windows.rate_window(badge, 5)
        windows.rate_window(theirs, 1)
    return ours, theirs


def test_the_report_has_the_rates_per_window_and_per_member_of_staff(rated: tuple[ServicePoint, ...]) -> None:
    tables = goodbad_tables(queries.whole_organisation())
    by_window = {row[0]: row[1:] for row in tables["By service window (一次一评)"]}
    # The badge's rating counts for its usual window too (the window it was given at).
    assert by_window["市民中心 A03 不动产登记"][0] == 4
    assert by_window["市民中心 B09 机动车检验"][0] == 1
    assert by_window["市民中心 B09 机动车检验"][1] == 0.0  # 满意率 of one 非常不满意
    by_staff = {row[0]: row[1:] for row in tables["By member of staff (一次一评)"]}
    assert by_staff == {"王芳 (1024)": by_staff["王芳 (1024)"]} and by_staff["王芳 (1024)"][0] == 1


def test_a_department_reads_only_its_own_windows(rated: tuple[ServicePoint, ...], dept: Department) -> None:
    head = User.objects.create(username="head", role="dept_head", department=dept)
    tables = goodbad_tables(queries.scope_for(head))
    assert [row[0] for row in tables["By service window (一次一评)"]] == ["市民中心 A03 不动产登记"]


def test_a_window_s_name_is_text_in_every_format(
    dept: Department, at: Callable[..., AbstractContextManager[object]]
) -> None:
    import io

    from openpyxl import load_workbook

    from fankui.insights import builders

    hall = ServiceHall.objects.create(name='=HYPERLINK("http://evil.example","x")')
    point = ServicePoint.objects.create(hall=hall, department=dept, number="A1", name="<script>alert(1)</script>")
    with at("2026-11-10 10:00"):
        windows.rate_window(point, 5)
    report = queries.build(queries.whole_organisation(), periods.parse("2026-11"))
    page = builders.html(report).decode()
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
    book = load_workbook(io.BytesIO(builders.xlsx(report)))
    cells = [c for sheet in book for row in sheet.iter_rows() for c in row if "HYPERLINK" in str(c.value or "")]
    assert cells and all(c.data_type != "f" and not str(c.value).startswith("=") for c in cells)
