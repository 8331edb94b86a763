"""Intake and the worker's claiming through PgBouncer in transaction mode (docs/deploy/README.md, "PgBouncer").

A cluster and a PgBouncer of the test's own, with fewer server connections (3) than clients (two web processes of
two threads, two workers at once): each transaction may run on another server connection. Every acknowledged
submission must be stored, every analysis done by one of the two workers, no sweep may fail."""

from __future__ import annotations

import asyncio
import re
import subprocess
import sys
from pathlib import Path

from fankui.bench.intake import post_many, sample_texts, serving, submission_request, tracking_code

from .clusters import POOL_PORT, PRIMARY_PORT, REPO, Cluster, PgBouncer, clusters, environment, fankui, needs

DATABASE = "fankui_scale_pool"


def test_intake_and_workers_through_pgbouncer_in_transaction_mode(place: Path) -> None:
    needs("pgbouncer")
    with clusters(place) as made:
        primary = Cluster(place / "primary", PRIMARY_PORT).create(DATABASE)
        made.append(primary)
        bouncer = PgBouncer(place / "pgbouncer", primary, POOL_PORT, pool_size=3)
        try:
            env = environment(place, primary.url(DATABASE, POOL_PORT), FANKUI_DATABASE_POOLED="1")
            migrated = fankui(env, "migrate", "--no-input", "-v0")
            assert migrated.returncode == 0, migrated.stderr

            with serving(env, workers=2, threads=2) as (base, _server):
                request = submission_request(sample_texts(50))
                result = asyncio.run(post_many(base, 300, 8, request, tracking_code, seed=3))
            assert result.errors == 0, result.error_samples
            assert len(result.codes) == 300

            # Two workers claim the pending analyses at the same time (SELECT ... FOR UPDATE SKIP LOCKED).
            command = [sys.executable, "-m", "fankui", "worker", "--once"]
            workers = [
                subprocess.Popen(
                    command, env=env, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
                )
                for _ in range(2)
            ]
            logs = [worker.communicate(timeout=600)[0] for worker in workers]
            assert [worker.returncode for worker in workers] == [0, 0], logs
            for log in logs:
                assert not re.search(r"sweep \S+ failed|Traceback", log), log

            stored = {row[0] for row in primary.query(DATABASE, "SELECT tracking_code FROM cases_case")}
            assert set(result.codes) <= stored
            statuses = dict(primary.query(DATABASE, "SELECT status, count(*) FROM analysis_caseanalysis GROUP BY 1"))
            assert statuses == {"done": 300}

            # It really was transaction pooling: PgBouncer's pool is in that mode, and PostgreSQL never saw more
            # server connections than the pool holds.
            pools = bouncer.admin("SHOW POOLS")
            assert any(row[0] == DATABASE and row[-1] == "transaction" for row in pools), pools
            servers = primary.query("postgres", "SELECT count(*) FROM pg_stat_activity WHERE datname = %s", DATABASE)
            assert servers[0][0] <= 3
        finally:
            bouncer.stop()
