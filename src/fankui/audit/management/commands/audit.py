"""`fankui audit verify` checks the whole audit trail against its seals; `fankui audit seal` seals what is pending
now (the worker's `audit_seal` sweep does it every round)."""

from __future__ import annotations

import signal
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fankui.audit import chain


class Command(BaseCommand):
    help = "Verify the audit trail's seals (verify), or seal the rows not sealed yet (seal)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["verify", "seal"])
        parser.add_argument(
            "--every",
            type=float,
            default=0,
            help="seal: keep sealing every so many seconds until stopped (as the worker's audit_seal sweep does)",
        )
        parser.add_argument(
            "--head", default="", help="a seal hash printed by an earlier verify: it must still be in the chain"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "seal":
            self.stdout.write(f"sealed {self.seal(options['every'])} audit rows")
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

    def seal(self, every: float) -> int:
        stopping = False

        def stop(signum: int, frame: object) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        total = 0
        first = True
        while True:
            # One pass a round, like the worker's sweep; more only while a pass reaches its limit (a backlog):
            # each pass takes the horizon's brief lock.
            while (sealed := chain.seal()) >= chain.PASS_LIMIT * chain.BLOCK:
                total += sealed
            total += sealed
            if not every or stopping:
                return total
            if first:  # those who wait for a running sealer (fankui bench security) read this line
                self.stdout.write(f"sealing every {every} s until stopped")
                self.stdout.flush()
                first = False
            deadline = time.monotonic() + every
            while not stopping and time.monotonic() < deadline:
                time.sleep(0.05)
