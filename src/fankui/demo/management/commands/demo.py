"""`fankui demo`: load the demo data into an empty database; otherwise say so and show the logins again."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = (
        "Load demo data (organisation, logins, categories, thousands of real closed cases and a few hundred open "
        "ones) into an empty database. Does nothing when the database already has cases or departments."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--data-dir",
            help="folder with the gov_*.csv files (default: FANKUI_DEMO_DATA, or shared/data beside the repository)",
        )
        parser.add_argument(
            "--force-small", action="store_true", help="load the small synthetic set even if real data is there"
        )
        parser.add_argument("--limit", type=int, default=None, help="read only the first N answered messages")
        parser.add_argument("--open", type=int, default=None, dest="open_cases", help="number of open cases (400)")

    def handle(self, *args: Any, **options: Any) -> None:
        from fankui.demo import loader, people, sources

        if not loader.database_is_empty():
            self.stdout.write("Database already has data; demo not loaded.")
            self._logins(people.login_table())
            return
        try:
            summary = loader.load(
                self.stdout.write,
                data_dir=options["data_dir"],
                force_small=options["force_small"],
                limit=options["limit"],
                open_cases=options["open_cases"] or loader.OPEN_CASES,
            )
        except sources.DataMissing as error:
            raise CommandError(f"Demo data not found: {error}.") from error
        states = ", ".join(f"{state} {n}" for state, n in sorted(summary.states.items()))
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo loaded in {summary.seconds:.1f} s from {summary.source}: {summary.closed + summary.open} cases "
                f"({summary.closed} closed with real history, {summary.open} recent open ones), "
                f"{summary.departments} departments, {summary.categories} categories."
            )
        )
        self.stdout.write(f"Cases by state: {states}")
        self._logins(people.login_table(summary.users_created))

    def _logins(self, lines: list[str]) -> None:
        if lines:
            self.stdout.write("")
            self.stdout.write("\n".join(lines))
