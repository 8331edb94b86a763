"""The dashboard and the reports read from a PostgreSQL streaming replica (FANKUI_REPLICA_DATABASE_URL,
core.replica), everything else from the primary; without a replica, or with one that is down, from the primary.

A primary and a replica of its own (initdb, pg_basebackup -R), on loopback. The replica's replay is paused, so
that the two hold different numbers of cases: which one the dashboard counts shows where it read."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from .clusters import REPLICA_PORT, REPLICA_PRIMARY_PORT, REPO, Cluster, clusters, environment, fankui, needs, wait_for

DATABASE = "fankui_scale_replica"


def probe(env: dict[str, str], *args: str) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-m", "tests.deploy.replica_probe", *args],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1]) if args[0] == "read" else {}


def seen(dashboard_total: int, reads_from: str) -> dict[str, object]:
    """What the probe reports: the dashboard's count, the primary's 5 cases, where reads go, the page's status."""
    return {"dashboard_total": dashboard_total, "primary_total": 5, "reads_from": reads_from, "page": 200}


def caught_up(replica: Cluster, count: int) -> bool:
    return replica.query(DATABASE, "SELECT count(*) FROM cases_case") == [(count,)]


def test_dashboard_reads_from_the_replica_and_falls_back_to_the_primary(place: Path) -> None:
    needs()
    with clusters(place) as made:
        primary = Cluster(place / "primary", REPLICA_PRIMARY_PORT).create(DATABASE)
        made.append(primary)
        on_primary = environment(
            place, primary.url(DATABASE), FANKUI_TWO_FACTOR_ROLES="none", FANKUI_DASHBOARD_CACHE_SECONDS="0"
        )
        migrated = fankui(on_primary, "migrate", "--no-input", "-v0")
        assert migrated.returncode == 0, migrated.stderr

        replica = Cluster(place / "replica", REPLICA_PORT).replica_of(primary)
        made.append(replica)
        assert replica.query(DATABASE, "SELECT pg_is_in_recovery()") == [(True,)]
        with_replica = {**on_primary, "FANKUI_REPLICA_DATABASE_URL": replica.url(DATABASE)}

        probe(on_primary, "seed", "3")
        wait_for("the replica catching up", lambda: caught_up(replica, 3))
        replica.query(DATABASE, "SELECT pg_wal_replay_pause()")
        probe(on_primary, "seed", "2")

        # The dashboard counts the replica's 3 cases; everything else reads the primary's 5.
        assert probe(with_replica, "read") == seen(3, "replica")
        # No replica configured: all from the primary.
        assert probe(on_primary, "read") == seen(5, "default")
        # The replica down: the dashboard still works, from the primary.
        replica.stop()
        assert probe(with_replica, "read") == seen(5, "default")
