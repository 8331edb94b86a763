"""`fankui deadline --from "YYYY-MM-DD HH:MM" (--working-days N | --working-hours N | --hours N)`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError
from django.utils import timezone

from fankui.sla import calendar

from ...services import lookups


class Command(BaseCommand):
    help = (
        "Print the deadline on the default organisation calendar (ISO 8601 with offset). N working days end at the "
        "close of working hours on the Nth working day after the start day; working hours count only time inside "
        "working hours on working days."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="start", required=True, help='local time, "YYYY-MM-DD HH:MM"')
        group = parser.add_mutually_exclusive_group(required=True)
        group.add_argument("--working-days", type=str, dest="working_days")
        group.add_argument("--working-hours", type=str, dest="working_hours")
        group.add_argument("--hours", type=str, dest="hours")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            naive = dt.datetime.strptime(options["start"].strip(), "%Y-%m-%d %H:%M")
        except ValueError:
            raise CommandError(f'--from must look like "2026-11-16 10:00", not {options["start"]!r}.') from None
        start = timezone.make_aware(naive)
        for name, unit, limit in (
            ("working_days", calendar.Unit.WORKING_DAYS, 365 * 3),
            ("working_hours", calendar.Unit.WORKING_HOURS, 20_000),
            ("hours", calendar.Unit.HOURS, 100_000),
        ):
            raw = options.get(name)
            if raw is None:
                continue
            flag = "--" + name.replace("_", "-")
            try:
                amount = int(raw) if unit == calendar.Unit.WORKING_DAYS else float(raw)
            except ValueError:
                raise CommandError(f"{flag} needs a number, not {raw!r}.") from None
            if amount < 0:
                raise CommandError(f"{flag} cannot be negative.")
            if amount > limit or amount != amount:
                raise CommandError(f"{flag} {raw} is not a realistic duration (at most {limit}).")
            try:
                cal = lookups.work_calendar()
            except DatabaseError:
                # Not migrated yet: the national calendar and the default working hours still answer.
                cal = calendar.WorkCalendar()
            try:
                result = calendar.deadline(cal, start, amount, unit)
            except ValueError as error:
                raise CommandError(str(error)) from None
            self.stdout.write(timezone.localtime(result).isoformat())
