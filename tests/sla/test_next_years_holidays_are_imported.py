"""Next year's public holidays are entered from the published list: until then deadlines count 2027-01-01 as a
working day and administrators are warned; after the import the deadline skips the holiday, open cases' clocks are
counted again and the warning stops. Every line is checked, nothing is stored unless all are valid, and importing
the same list twice changes nothing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import CommandError, call_command

from fankui.accounts.models import Role
from fankui.core.errors import ValidationFailed
from fankui.sla.models import CalendarDay, CalendarYear, Clock, Stage
from fankui.sla.services import calendars
from tests import factories

SH = ZoneInfo("Asia/Shanghai")
# An example list, not the real 2027 arrangement (see the file's header).
EXAMPLE = Path(__file__).parent / "data" / "example_2027_holidays.txt"


def reply(case: object) -> dt.datetime | None:
    return Clock.objects.get(case=case, stage=Stage.REPLY, stopped_at__isnull=True).deadline


def run(*args: str) -> tuple[str, str]:
    from io import StringIO

    out, err = StringIO(), StringIO()
    call_command("calendar", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def write(tmp_path: Path, text: str, encoding: str = "utf-8") -> str:
    path = tmp_path / "list.csv"
    path.write_bytes(text.encode(encoding))
    return str(path)


def test_new_year_2027_is_a_working_day_until_the_list_is_imported(
    policies: int, _frozen_time: time_machine.Coordinates, client_for: object
) -> None:
    _frozen_time.move_to(dt.datetime(2026, 12, 29, 10, 0, tzinfo=SH))
    inquiry = factories.case(kind="inquiry")
    complaint = factories.case(kind="complaint")
    # Three working days from Tuesday 29 December: the 30th, the 31st and (the package knows no 2027) 1 January.
    assert reply(inquiry) == dt.datetime(2027, 1, 1, 17, 30, tzinfo=SH)
    assert reply(complaint) == dt.datetime(2027, 1, 15, 17, 30, tzinfo=SH)
    coverage = calendars.calendar_coverage()
    assert coverage.warn and coverage.known_until == dt.date(2026, 12, 31)
    supervisor = factories.user(Role.SUPERVISOR)
    page = client_for(supervisor).get("/staff/cases/", headers={"Accept-Language": "en"})  # type: ignore[operator]
    assert "Holidays known until 2026-12-31" in page.content.decode()

    out, _ = run("import", str(EXAMPLE), "--note", "example list")

    assert reply(inquiry) == dt.datetime(2027, 1, 4, 17, 30, tzinfo=SH)
    assert reply(complaint) == dt.datetime(2027, 1, 18, 17, 30, tzinfo=SH)
    assert "line 5: 2027-01-01 holiday 元旦（示例）: added" in out
    assert "2027 was marked as entered completely." in out
    assert CalendarYear.objects.get(year=2027).note == "example list"
    assert calendars.calendar_coverage().known_until == dt.date(2027, 12, 31)
    assert not calendars.calendar_coverage().warn
    page = client_for(supervisor).get("/staff/cases/", headers={"Accept-Language": "en"})  # type: ignore[operator]
    assert "Holidays known until" not in page.content.decode()


def test_importing_the_same_list_again_changes_nothing(policies: int) -> None:
    run("import", str(EXAMPLE))
    rows = list(CalendarDay.objects.values_list("day", "is_workday", "note"))
    out, _ = run("import", str(EXAMPLE))
    assert "0 added, 0 changed, 25 unchanged; the deadlines of 0 running clocks were counted again." in out
    assert "2027 was already marked as entered completely." in out
    assert list(CalendarDay.objects.values_list("day", "is_workday", "note")) == rows
    assert CalendarYear.objects.count() == 1


def test_every_bad_line_is_reported_and_nothing_is_stored(tmp_path: Path, db: None) -> None:
    text = "\n".join(
        [
            "2027-01-01, holiday, 元旦",
            "2027-02-30, holiday, no such day",
            "2027-02-01, day off",
            "2027-01-01, workday, twice",
            "2040-01-02, holiday, too far ahead",
            "just words",
            "2027-03-10..2027-03-01, holiday, backwards",
        ]
    )
    with pytest.raises(CommandError):
        run("import", write(tmp_path, text))
    assert not CalendarDay.objects.exists() and not CalendarYear.objects.exists()
    with pytest.raises(ValidationFailed) as caught:
        calendars.import_calendar(text)
    messages = caught.value.errors["file"]
    assert [m.split(":")[0] for m in messages] == ["line 2", "line 3", "line 4", "line 5", "line 6", "line 7"]
    assert "is listed twice (also on line 1)" in messages[2]


def test_a_dry_run_reports_and_stores_nothing(db: None) -> None:
    out, _ = run("import", str(EXAMPLE), "--dry-run")
    assert "25 would be added" in out
    assert not CalendarDay.objects.exists() and not CalendarYear.objects.exists()


def test_a_list_without_a_weekday_off_in_its_year_is_refused(tmp_path: Path, db: None) -> None:
    with pytest.raises(CommandError):
        run("import", write(tmp_path, "2027-02-13, workday, 调休\n2026-12-31, holiday\n"))
    with pytest.raises(CommandError):
        run("import", str(EXAMPLE), "--year", "2028")
    assert not CalendarDay.objects.exists()


def test_a_list_saved_from_excel_in_gbk_with_chinese_words_is_read(tmp_path: Path, db: None) -> None:
    text = '日期,类型,说明\n2027/1/1，休，元旦\n"2027-02-13"\t班\t"调休, 上班"\n'
    out, _ = run("import", write(tmp_path, text, "gbk"), "--partial")
    assert CalendarDay.objects.get(day=dt.date(2027, 1, 1)).is_workday is False
    assert CalendarDay.objects.get(day=dt.date(2027, 2, 13)).note == "调休, 上班"
    assert not CalendarYear.objects.exists()  # two days are not a year's list
    assert "2027 is not marked as entered completely (--partial)." in out


def test_a_list_too_short_to_be_a_whole_year_does_not_make_the_year_known(tmp_path: Path, db: None) -> None:
    with pytest.raises(CommandError):
        run("import", write(tmp_path, "2027-01-01, holiday, 元旦\n"))
    assert not CalendarDay.objects.exists()
    # Without the Spring Festival, thirty days off are not a year's list either.
    autumn = "2027-09-01..2027-09-30, holiday, 示例\n"
    with pytest.raises(CommandError):
        run("import", write(tmp_path, autumn))
    run("import", write(tmp_path, "2027-01-01, holiday, 元旦\n"), "--partial")
    assert CalendarDay.objects.filter(day=dt.date(2027, 1, 1)).exists() and not CalendarYear.objects.exists()


def test_a_note_keeps_its_hash_sign_and_loses_control_characters(tmp_path: Path, db: None) -> None:
    run("import", write(tmp_path, "2027-01-01, holiday, 国办发明电 #12\x00\n"), "--partial")
    assert CalendarDay.objects.get(day=dt.date(2027, 1, 1)).note == "国办发明电 #12"


def test_the_status_says_what_is_known_and_until_when(db: None) -> None:
    CalendarDay.objects.create(day=dt.date(2028, 5, 2), is_workday=False, note="local day off")
    out, _ = run("status")
    assert "Known until 2026-12-31 (45 days from today)." in out
    assert "2004-2026: chinesecalendar" in out
    assert "2028: days off 1, working days 0, year not entered completely" in out
    assert "Warning:" in out
    run("import", str(EXAMPLE))
    out, _ = run("status")
    assert "Known until 2027-12-31" in out and "2027: entered 2026-11-16" in out and "Warning:" not in out


def test_a_corrected_list_changes_only_the_days_that_differ(tmp_path: Path, policies: int) -> None:
    run("import", str(EXAMPLE))
    corrected = EXAMPLE.read_text().replace("2027-02-13, workday", "2027-02-13, holiday")
    out, _ = run("import", write(tmp_path, corrected))
    assert "line 7: 2027-02-13 holiday 春节调休上班（示例，虚构）: changed (was: workday)" in out
    assert "0 added, 1 changed, 24 unchanged" in out
    assert CalendarDay.objects.get(day=dt.date(2027, 2, 13)).is_workday is False
