"""`fankui audit verify` checks the whole audit trail against its seals; `fankui audit seal` seals what is pending
now (the worker's `audit_seal` sweep does it every round)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fankui.audit import chain


class Command(BaseCommand):
    help = "Verify the audit trail's seals (verify), or seal the rows not sealed yet (seal)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["verify", "seal"])
        parser.add_argument(
            "--head", default="", help="a seal hash printed by an earlier verify: it must still be in the chain"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "seal":
            total = 0
            while sealed := chain.seal():
                total += sealed
            self.stdout.write(f"sealed {total} audit rows")
            return
        started = time.perf_counter()
        report = chain.verify(options["head"])
        seconds = time.perf_counter() - started
        if not report.ok:
            raise CommandError(
                f"audit trail tampered with: {report.problem} (checked {report.blocks} seals, {report.sealed} rows)"
            )
        self.stdout.write(
            f"audit trail intact: {report.sealed} rows in {report.blocks} seals, {report.unsealed} not sealed yet, "
            f"{seconds:.1f} s; head {report.head}"
        )
