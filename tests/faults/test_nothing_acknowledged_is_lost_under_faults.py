"""Faults under steady load, through the real server and workers on a PostgreSQL cluster of the test's own (issue 17,
docs/operations.md "Faults and guarantees"). One run, in order:

1. ``kill -9`` one of the server's two web processes;
2. ``kill -9`` a worker holding a batch of analyses, or the steps after one (seen in ``pg_locks``), and start it
   again; then every worker while analyses are committed and their steps still due (seen in their rows);
3. ``kill -9`` a worker in the middle of sending an SMS (the gateway holds the request), beside a second worker that
   takes the dead one's messages up once their lease expired;
4. stop PostgreSQL (``-m immediate``, as a crash) and start it again;
5. fill the attachment store (a 1 MB tmpfs) and send the web form with a picture.

Then: every acknowledged submission is there, once; every case analysed once, with its receipt queued and its
dispatch done, once; every receipt sent, none twice in effect (a repeat after a crash carries the same SMS id /
Message-ID); refusals were 503 with Retry-After, never a 500; a refused form left nothing behind; the request id of an
intake is in the logs of the intake, of its analysis and of its message.

``make faults`` runs it (``FAULTS_SHORT=1``: shorter phases, CI's version); the normal suite skips it."""

from __future__ import annotations

import errno
import os
import re
import shutil
import subprocess
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from .harness import (
    Cluster,
    Gateway,
    Load,
    MailSink,
    Site,
    children,
    files_under,
    pg_bin,
    pid_of_client_port,
    submit_form_with_attachment,
    wait_for,
)

pytestmark = pytest.mark.faults
passed: dict[str, bool] = {}

SHORT = os.environ.get("FAULTS_SHORT") == "1"
# Seconds of load between faults, and submissions per second (a shared two-core machine: modest on purpose).
PHASE = 4 if SHORT else 15
RATE = 4 if SHORT else 12


@pytest.fixture(autouse=True)
def _frozen_time() -> Iterator[None]:
    # Real processes on the real clock.
    yield


@pytest.fixture
def site() -> Iterator[tuple[Site, Cluster, Gateway, MailSink, bool]]:
    if pg_bin() is None:
        pytest.skip("PostgreSQL's server binaries (initdb, pg_ctl) are not installed")
    # Its own folder (not pytest's, which other runs rotate away): kept when the test fails, for its logs.
    root = Path(tempfile.mkdtemp(prefix="fankui-faults-"))
    cluster = Cluster(Path("/tmp") / f"fankui-faults-pg-{os.getpid()}")
    cluster.create()
    media = root / "data" / "media"
    media.mkdir(parents=True)
    # The attachment store on a 1 MB tmpfs, which the test fills (as root; else that phase is skipped).
    mounted = (
        os.geteuid() == 0
        and subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(media)], capture_output=True
        ).returncode
        == 0
    )
    gateway, mail = Gateway(), MailSink()
    site = Site(root, cluster, media)
    try:
        site.run("migrate", "--no-input", "-v0")
        site.route_the_load()
        yield site, cluster, gateway, mail, mounted
    finally:
        site.stop()
        gateway.close()
        mail.close()
        if mounted:
            subprocess.run(["umount", "-l", str(media)], check=False)
        cluster.destroy()
    if passed.get("yes"):
        shutil.rmtree(root, ignore_errors=True)
    else:
        print(f"\nfaults: the logs are kept in {root}")


def _analysing(cluster: Cluster) -> str | None:
    """The name of a worker inside an analysis batch: its transaction holds the rows it claimed (FOR UPDATE)."""
    rows = cluster.query(
        "SELECT a.application_name FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
        "JOIN pg_stat_activity a ON a.pid = l.pid "
        "WHERE c.relname = 'analysis_caseanalysis' AND l.mode = 'RowShareLock' AND a.application_name LIKE 'worker-%%'"
    )
    return str(rows[0][0]) if rows else None


def _pending_analyses(cluster: Cluster) -> int:
    return int(cluster.query("SELECT count(*) FROM analysis_caseanalysis WHERE status = 'pending'")[0][0])


def _followups_due(cluster: Cluster) -> int:
    return int(cluster.query("SELECT count(*) FROM analysis_caseanalysis WHERE followup <> ''")[0][0])


def _fill(folder: Path) -> Path:
    filler = folder / "filler"
    with filler.open("wb") as out:
        try:
            while True:
                out.write(b"\0" * 65536)
                out.flush()
        except OSError as exc:
            assert exc.errno == errno.ENOSPC
    return filler


def test_nothing_acknowledged_is_lost_and_nothing_is_done_twice(
    site: tuple[Site, Cluster, Gateway, MailSink, bool],
) -> None:
    site_, cluster, gateway, mail, mounted = site
    site_.start_server()
    site_.start_worker("worker-a")
    site_.start_worker("worker-b")
    load = Load(RATE)
    load.start()
    report: dict[str, object] = {}
    started = time.monotonic()
    took: dict[str, float] = {}

    def lap(name: str) -> None:
        took[name] = round(time.monotonic() - started - sum(took.values()), 1)

    try:
        time.sleep(PHASE)

        # 1. A web process killed under load: Granian starts another; requests it held fail (never acknowledged).
        web = children(site_.server.pid)  # type: ignore[union-attr]
        assert len(web) == 2, web
        os.kill(web[0], 9)
        server = site_.server.pid  # type: ignore[union-attr]
        wait_for("a new web process", lambda: len(children(server)) == 2 and web[0] not in children(server))
        time.sleep(PHASE)

        lap("web_kill")
        # 2. A worker killed in the middle of an analysis batch: PostgreSQL rolls its transaction back when its
        # connection dies, the rows are pending again and the next worker analyses them.
        busy = wait_for("a worker inside an analysis batch", lambda: _analysing(cluster), 120, 0.01)
        site_.kill(site_.workers[busy])
        report["killed_mid_analysis"] = busy
        site_.start_worker(busy)
        time.sleep(PHASE)

        lap("analysis_kill")
        # 2b. Every worker killed while analyses are committed and their steps (flag, dispatch, topics) still due:
        # nobody is left who was doing them; the follow-up sweep of the restarted workers does each after the lease.
        for _attempt in range(20):
            wait_for("analyses whose steps are due", lambda: _followups_due(cluster), 120, 0.005)
            names = list(site_.workers)
            for name in names:
                site_.kill(site_.workers[name])
            left = _followups_due(cluster)
            for name in names:
                site_.start_worker(name)
            if left:
                break
            time.sleep(1)
        assert left, "the workers were never killed with steps due"
        report["killed_with_steps_due"] = left
        time.sleep(PHASE)

        lap("followup_kill")
        # 3. A worker killed while the gateway holds its SMS: the message (and the rest of that worker's claim) is
        # sent again by a worker once the lease expired, with the same id.
        gateway.hold()
        wait_for("an SMS held by the gateway", lambda: gateway.held, 120, 0.05)
        lap("send_kill_held")
        held = gateway.held[0]
        holder = pid_of_client_port(held["peer_port"])
        assert holder in [worker.pid for worker in site_.workers.values()], (holder, site_.workers)
        site_.kill(holder)
        gateway.release.set()
        site_.start_worker("worker-c")
        wait_for(
            "the held SMS sent again after its lease",
            lambda: gateway.ids().count(int(held["id"])) >= 2,
            LEASE_WAIT,
        )
        report["resent_after_lease"] = int(held["id"])

        lap("send_kill")
        # 4. PostgreSQL stopped as if it crashed, then started again: meanwhile every submission is refused with 503
        # and Retry-After; afterwards the same server and workers carry on.
        outage_started = time.monotonic()
        cluster.stop("immediate")
        time.sleep(PHASE)
        cluster.start()
        outage_ended = time.monotonic()
        time.sleep(PHASE)

        lap("outage")
        # 5. The attachment store full: the form is refused with 503, nothing of it kept (no row, no file).
        if mounted:
            filler = _fill(site_.media)
            before = set(files_under(site_.media))
            status, headers, page = submit_form_with_attachment(
                "附件存储已满时提交的反馈，应当被拒绝且不留下任何东西。"
            )
            assert status == 503, (status, page[:500])
            assert headers.get("retry-after")
            assert set(files_under(site_.media)) == before
            stored = cluster.query("SELECT count(*) FROM intake_submission WHERE body LIKE '附件存储已满时%%'")
            assert stored[0][0] == 0
            filler.unlink()
            status, headers, _page = submit_form_with_attachment("附件存储有空间后再次提交的反馈，这次应当保存成功。")
            assert status == 302, status
            assert cluster.query("SELECT count(*) FROM intake_storedfile")[0][0] >= 1
            report["storage_full_refused"] = True
        else:
            report["storage_full_refused"] = "skipped: tmpfs could not be mounted (needs root)"
        lap("storage_full")
    finally:
        load.stop()

    # Every case analysed, every step after its analysis done (a killed worker's once its lease passed) and every
    # receipt sent before the checks.
    wait_for("every analysis done", lambda: _pending_analyses(cluster) == 0, 180, 0.5)
    wait_for("every step after the analyses done", lambda: _followups_due(cluster) == 0, 180, 0.5)
    wait_for(
        "every message sent",
        lambda: (
            cluster.query("SELECT count(*) FROM notify_message WHERE status = 'queued' AND channel <> 'in_app'")[0][0]
            == 0
        ),
        180,
        0.5,
    )

    lap("drain")

    # --- Nothing acknowledged lost, nothing stored twice, nothing half-stored ---------------------------------------
    keys = {attempt.key for attempt in load.attempts}
    assert load.acknowledged.keys() == keys, "a refused submission was never acknowledged on its retries"
    stored = dict(
        cluster.query(
            "SELECT s.idempotency_key, c.tracking_code FROM intake_submission s "
            "JOIN cases_case c ON c.submission_id = s.id WHERE s.idempotency_key = ANY(%s)",
            list(keys),
        )
    )
    assert stored == load.acknowledged  # each key: exactly the case acknowledged
    orphans = cluster.query(
        "SELECT count(*) FROM intake_submission s "
        "WHERE NOT EXISTS (SELECT 1 FROM cases_case c WHERE c.submission_id = s.id)"
    )
    assert orphans[0][0] == 0

    # --- Refusals were clean -----------------------------------------------------------------------------------------
    statuses = Counter(attempt.status for attempt in load.attempts)
    assert set(statuses) <= {0, 200, 201, 503}, statuses  # 0: the connection of the killed web process
    refused = [attempt for attempt in load.attempts if attempt.status == 503]
    assert refused, "the outage refused nothing: it was not under load"
    assert all(attempt.retry_after and attempt.code == "unavailable" for attempt in refused)
    during = [a for a in load.attempts if outage_started + 1 < a.at < outage_ended - 0.5]
    assert during and all(a.status == 503 for a in during), Counter(a.status for a in during)

    # --- Every case analysed once, every receipt sent once in effect -----------------------------------------------
    analyses = cluster.query("SELECT status, attempts, count(*) FROM analysis_caseanalysis GROUP BY 1, 2")
    assert [(status, attempts) for status, attempts, _n in analyses] == [("done", 1)], analyses
    receipts = cluster.query(
        "SELECT case_id, count(*) FROM notify_message WHERE key LIKE 'case:%%:receipt' GROUP BY 1 HAVING count(*) > 1"
    )
    assert receipts == []
    # Each analysed case of the load: its receipt queued and, sent to the department by the keyword rule, dispatched
    # once by the system (a worker killed with a batch in hand or between its commit and the dispatch included).
    load_cases = cluster.query(
        "SELECT c.id, c.state, c.lead_department_id IS NOT NULL, "
        "(SELECT count(*) FROM notify_message m WHERE m.key = 'case:' || c.id || ':receipt'), "
        "(SELECT count(*) FROM audit_event e WHERE e.case_id = c.id AND e.action = 'dispatch') "
        "FROM cases_case c JOIN intake_submission s ON s.id = c.submission_id WHERE s.idempotency_key = ANY(%s)",
        list(keys),
    )
    assert len(load_cases) == len(keys)
    wrong = [row for row in load_cases if tuple(row[1:]) != ("dispatched", True, 1, 1)]
    assert wrong == [], wrong[:5]
    report["dispatched_once"] = len(load_cases)
    sent_sms = {
        row[0] for row in cluster.query("SELECT id FROM notify_message WHERE channel = 'sms' AND status = 'sent'")
    }
    posted = Counter(gateway.ids())
    assert set(posted) == sent_sms  # every SMS reached the gateway; none the gateway did not get was marked sent
    repeated = {message for message, n in posted.items() if n > 1}
    # Only what a killed worker had in hand was posted again, with the same id (the gateway's idempotency key).
    assert int(report["resent_after_lease"]) in repeated  # type: ignore[call-overload]
    sent_mail = cluster.query("SELECT count(*) FROM notify_message WHERE channel = 'email' AND status = 'sent'")[0][0]
    assert len(set(mail.message_ids)) == sent_mail and all(mail.message_ids)

    # --- One request id from intake to analysis to message ---------------------------------------------------------
    lines = list(site_.log_lines())
    request_id = next(a.request_id for a in load.attempts if a.status == 201)
    stages = {line.get("logger") for line in lines if line.get("request_id") == request_id}
    assert {"fankui.intake", "fankui.analysis", "fankui.notify"} <= stages, stages
    # How many analyses' steps a worker left (killed between the commit and them) and the follow-up sweep did.
    taken_up = (re.match(r"taking up the follow-ups of (\d+) ", str(line.get("message", ""))) for line in lines)
    report["follow_ups_taken_up"] = sum(int(found.group(1)) for found in taken_up if found)
    assert report["follow_ups_taken_up"] >= report["killed_with_steps_due"]  # type: ignore[operator]

    passed["yes"] = True
    print(
        "\nfaults:",
        {
            "submissions": len(keys),
            "attempts": dict(statuses),
            "sms_posts": sum(posted.values()),
            "sms_repeated_same_id": len(repeated),
            **report,
            "seconds": took,
        },
    )


LEASE_WAIT = 120
