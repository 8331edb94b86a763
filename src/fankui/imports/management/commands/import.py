"""`fankui import FILE.csv|xlsx`: import a file of requests through the intake, as history by default
(docs/imports.md). Thin: the mapping is read here, ``imports.services`` does the rest."""

from __future__ import annotations

import multiprocessing
import shutil
import sys
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections

from fankui.accounts.models import User
from fankui.core.errors import Conflict, ValidationFailed
from fankui.imports import files, mapping, reading, services
from fankui.imports.models import ImportJob, Outcome, Status


def _work(job_id: int) -> None:
    """One extra process's share of a job (forked: it opens its own database connection)."""
    services.run(ImportJob.objects.get(pk=job_id))
    connections.close_all()


class Command(BaseCommand):
    help = "Import a CSV or xlsx file of requests (history with replies by default), or dry-run it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", nargs="?", help="a .csv (UTF-8 or GB18030/GBK) or .xlsx file")
        parser.add_argument("--map", default="", help="field=column pairs, e.g. body=内容,title=标题,time=留言时间")
        parser.add_argument("--mapping-file", help="a JSON object or field=column lines; --map wins")
        parser.add_argument("--source", default="import", help="the source system's name, part of each row's key")
        parser.add_argument(
            "--new", action="store_true", help="import as new requests (receipts sent), not as history with replies"
        )
        parser.add_argument("--dry-run", action="store_true", help="check every row and report; write no case")
        parser.add_argument("--processes", type=int, default=1, help="processes working the file at once")
        parser.add_argument("--chunk-rows", type=int, default=None, help="rows committed at once")
        parser.add_argument("--background", action="store_true", help="only queue the job for `fankui worker`")
        parser.add_argument("--resume", type=int, metavar="JOB", help="continue an import that was cut short")
        parser.add_argument("--report", help="also copy the report (CSV) to this path")
        parser.add_argument("--user", help="the staff user name the import is recorded under")
        parser.add_argument("--fields", action="store_true", help="list the fields a column can feed and exit")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["fields"]:
            for field, (label, names) in mapping.FIELDS.items():
                self.stdout.write(f"{field:11} {label} (recognised: {', '.join(names)})")
            return
        user = None
        if options["user"]:
            user = User.objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"No user named {options['user']}.")
        try:
            job = self._job(options, user)
        except (reading.BadFile, mapping.MappingError) as exc:
            raise CommandError(str(exc)) from exc
        except ValidationFailed as exc:
            raise CommandError(" ".join(m for ms in exc.errors.values() for m in ms)) from exc
        except Conflict as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Import {job.pk}: {job.original_name}, columns {', '.join(f'{f}={c}' for f, c in job.mapping.items())}"
        )
        if options["background"]:
            self.stdout.write(f"Queued: `fankui worker` runs it (progress on /staff/imports/{job.pk}/).")
            return
        started = time.monotonic()
        self._run(job, max(1, options["processes"]))
        job.refresh_from_db()
        if job.status == Status.FAILED:
            raise CommandError(job.error)
        counts = services.progress(job)
        seconds = time.monotonic() - started
        self._summary(job, counts, seconds)
        if options["report"] and job.report:
            with files.open_for_reading(job.report) as report, open(options["report"], "wb") as out:
                shutil.copyfileobj(report, out)
            self.stdout.write(f"Report copied to {options['report']}")

    def _job(self, options: dict[str, Any], user: User | None) -> ImportJob:
        if options["resume"]:
            job = ImportJob.objects.filter(pk=options["resume"]).first()
            if job is None:
                raise CommandError(f"No import {options['resume']}.")
            if job.status not in (Status.QUEUED, Status.SCANNING, Status.RUNNING):
                raise CommandError(f"Import {job.pk} is {job.status}; only an unfinished import can be resumed.")
            return job
        if not options["file"]:
            raise CommandError("Name a file to import (or --resume JOB).")
        path = Path(options["file"]).expanduser().resolve()
        if not path.is_file():
            raise CommandError(f"{path}: no such file.")
        given = mapping.parse(options["map"], options["mapping_file"])
        job = services.create_job(
            path,
            path.name,
            user=user,
            given=given,
            source=options["source"],
            history=not options["new"],
            chunk_size=options["chunk_rows"],
            # A worker on any machine runs it: the file goes to the store, as an upload does.
            keep=options["background"],
        )
        return services.start(job, user, dry_run=options["dry_run"])

    def _run(self, job: ImportJob, processes: int) -> None:
        last = [0.0]

        def show(current: ImportJob) -> None:
            if time.monotonic() - last[0] < 2:
                return
            last[0] = time.monotonic()
            counts = services.progress(current)
            sys.stderr.write(f"\r  {counts['done']}/{counts['total']} rows ({counts['percent']}%)")
            sys.stderr.flush()

        services.scan(job)
        job.refresh_from_db()
        if job.status != Status.RUNNING:
            services.run(job)
            return
        children = []
        if processes > 1:
            connections.close_all()
            context = multiprocessing.get_context("fork")
            children = [context.Process(target=_work, args=(job.pk,)) for _ in range(processes - 1)]
            for child in children:
                child.start()
        services.run(job, out=show)
        for child in children:
            child.join()
        services.finish(job)
        sys.stderr.write("\n")

    def _summary(self, job: ImportJob, counts: dict[str, Any], seconds: float) -> None:
        what = "Dry run" if job.dry_run else "Imported"
        good = "valid" if job.dry_run else "imported"
        self.stdout.write(
            f"{what}: {counts['total']} rows in {seconds:.1f} s ({counts['total'] / max(seconds, 1e-9):.0f} rows/s): "
            f"{counts['imported']} {good}, {counts['skipped']} skipped, {counts['failed']} not imported."
        )
        bad = job.results.filter(outcome__in=[Outcome.FAILED, Outcome.SKIPPED]).order_by("row")
        for row in bad[:20]:
            self.stdout.write(f"  row {row.row}: {row.get_outcome_display()}: {row.reason}")
        if counts["failed"] + counts["skipped"] > 20:
            self.stdout.write(f"  ... {counts['failed'] + counts['skipped'] - 20} more in the report.")
        self.stdout.write(f"Report: {job.report} in the attachment store (--report PATH copies it out)")
