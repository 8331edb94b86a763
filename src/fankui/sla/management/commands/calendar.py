"""`fankui calendar status` and `fankui calendar import FILE [--year Y] [--note TEXT] [--dry-run]`.

The yearly routine (docs/sla.md, "Next year's holidays"): when the State Council publishes next year's public
holidays and make-up working days, type them into a file (one ``date, holiday|workday, note`` per line) and import
it; the year then counts as known and open cases' deadlines are counted again.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser, no_translations
from django.db import DatabaseError

from fankui.core.errors import ValidationFailed
from fankui.sla import calendar
from fankui.sla.models import CalendarDay, CalendarYear

from ...services import calendars, lookups


class Command(BaseCommand):
    help = "What the working calendar knows, and the import of a year's public holidays and make-up working days."
    # It prints the coverage itself; the system check would say the same twice.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="status|import")
        actions.add_parser("status", help="the years known, until which day, and the overrides entered")
        load = actions.add_parser(
            "import",
            help="store a list of days (date, holiday|workday, note) as overrides and mark the year entered",
        )
        load.add_argument("file", help="UTF-8 (or GBK) text or CSV file; '-' reads standard input")
        load.add_argument("--year", type=int, help="the year the list completes (default: the latest year in it)")
        load.add_argument("--note", default="", help="where the list comes from, e.g. the notice's number")
        load.add_argument("--dry-run", action="store_true", help="check and report, store nothing")
        load.add_argument(
            "--partial",
            action="store_true",
            help="store the days without marking the year known (a local day off, or a list being completed)",
        )

    @no_translations  # English throughout, like the other commands' output
    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["action"] == "import":
                self._import(options)
            else:
                self._status()
        except DatabaseError as error:
            raise CommandError(f"The database is not ready ({error}); run `fankui migrate` first.") from None

    def _status(self) -> None:
        coverage = calendars.calendar_coverage()
        write = self.stdout.write
        write(f"Known until {coverage.known_until.isoformat()} ({coverage.days_left} days from today).")
        version = _package_version()
        write(f"  {calendar.PACKAGE_FIRST_YEAR}-{calendar.PACKAGE_LAST_YEAR}: chinesecalendar {version}")
        for entry in CalendarYear.objects.select_related("entered_by"):
            by = f" by {entry.entered_by.username}" if entry.entered_by else ""
            note = f" ({entry.note})" if entry.note else ""
            write(f"  {entry.year}: entered {entry.entered_at:%Y-%m-%d}{by}{note}")
        counts: Counter[tuple[int, bool]] = Counter(
            (day.year, is_workday) for day, is_workday in CalendarDay.objects.values_list("day", "is_workday")
        )
        years = sorted({year for year, _ in counts})
        if years:
            write("Overrides:")
            entered = lookups.entered_years()
            for year in years:
                state = "" if year <= calendar.PACKAGE_LAST_YEAR or year in entered else ", year not entered completely"
                write(f"  {year}: days off {counts[(year, False)]}, working days {counts[(year, True)]}{state}")
        if coverage.warn:
            self.stdout.write(self.style.WARNING("Warning: " + coverage.message))

    def _import(self, options: dict[str, Any]) -> None:
        text = _read(options["file"])
        try:
            report = calendars.import_calendar(
                text,
                year=options.get("year"),
                note=options.get("note") or "",
                dry_run=options["dry_run"],
                partial=options["partial"],
            )
        except ValidationFailed as error:
            for message in error.errors.get("file", []):
                self.stderr.write(str(message))
            raise CommandError("Nothing was stored: correct the lines above and import again.") from None
        for line, message in report.lines:
            self.stdout.write(f"line {line}: {message}")
        verb = "would be" if options["dry_run"] else "was"
        self.stdout.write(
            f"{report.added} added, {report.changed} changed, {report.unchanged} unchanged; "
            f"the deadlines of {report.recounted} running clocks were counted again."
            if not options["dry_run"]
            else f"{report.added} would be added, {report.changed} changed, {report.unchanged} unchanged (dry run)."
        )
        if report.year_entered:
            self.stdout.write(f"{report.year} {verb} marked as entered completely.")
        elif options["partial"]:
            self.stdout.write(f"{report.year} is not marked as entered completely (--partial).")
        elif report.year > calendar.PACKAGE_LAST_YEAR:
            self.stdout.write(f"{report.year} was already marked as entered completely.")
        coverage = calendars.calendar_coverage()
        if not options["dry_run"]:
            self.stdout.write(f"The working calendar is now known until {coverage.known_until.isoformat()}.")


def _package_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("chinesecalendar")
    except PackageNotFoundError:
        return "?"


def _read(name: str) -> str:
    import sys

    if name == "-":
        raw = sys.stdin.buffer.read()  # bytes: a GBK file piped in is decoded like one named
    else:
        try:
            raw = Path(name).read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {name}: {error.strerror}.") from None
    for encoding in ("utf-8-sig", "gbk"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise CommandError(f"{name} is neither UTF-8 nor GBK text.")
