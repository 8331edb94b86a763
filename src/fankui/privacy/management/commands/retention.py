"""`fankui retention [--dry-run]`: anonymise the contact details of cases past their retention period and erase the
addresses of questionnaire invitations past theirs (the worker's ``privacy_retention`` sweep does the same, a bounded
amount each round)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from fankui.privacy import services


class Command(BaseCommand):
    help = (
        "Anonymise the contact details of cases closed longer ago than the retention period and erase the addresses "
        "of invitations to questionnaires closed longer ago than theirs (--dry-run: only say)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Say what would be anonymised; change nothing.")

    def handle(self, *args: Any, dry_run: bool = False, **options: Any) -> None:
        plan = services.retention_plan()
        for due in plan:
            oldest = timezone.localtime(due.oldest).strftime("%Y-%m-%d") if due.oldest else "-"
            self.stdout.write(f"{due.kind}: {due.count} case(s) past {due.years} year(s); oldest ended {oldest}")
        total = sum(due.count for due in plan)
        invitations = services.invitation_plan()
        self.stdout.write(
            f"invitations: {invitations.count} address(es) of questionnaires closed over {invitations.days} day(s) ago"
        )
        if dry_run:
            self.stdout.write(
                f"Would anonymise {total} case(s) and erase {invitations.count} invitation address(es)"
                " (dry run: nothing changed)."
            )
            return
        done = 0
        while True:
            step = services.apply_retention(limit=500)
            done += step
            if step == 0:
                break
        erased = invitations.count - services.invitation_plan().count
        self.stdout.write(f"Anonymised {done - erased} case(s). Erased {erased} invitation address(es).")
