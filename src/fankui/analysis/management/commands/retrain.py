"""``fankui retrain``: retrain the category and routing models from the organisation's own cases."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fankui.analysis import services


class Command(BaseCommand):
    help = (
        "Retrain the category and routing models from closed and dispatched cases and staff corrections; a new "
        "model replaces the current one only if its cross-validated macro-F1 is not worse."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("names", nargs="*", help="category and/or routing (default: both)")
        parser.add_argument("--force", action="store_true", help="Replace the current model even if the new is worse.")

    def handle(self, *args: Any, **options: Any) -> None:
        names = options["names"] or list(services.TRAINED)
        unknown = [name for name in names if name not in services.TRAINED]
        if unknown:
            raise CommandError(f"Unknown model {', '.join(unknown)}: choose from {', '.join(services.TRAINED)}.")
        replaced = False
        for name in names:
            result = services.retrain(name, force=options["force"])
            self.stdout.write(result.message)
            replaced = replaced or result.replaced
        services.mark_retrained()
        if replaced:
            count = services.requeue_unrouted()
            self.stdout.write(f"{count} cases in triage without a suggestion are queued for analysis again.")
