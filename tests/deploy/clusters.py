"""Servers the deployment tests start for themselves on loopback, in a temporary folder: PostgreSQL clusters (a
primary, a streaming replica of it), PgBouncer in front of one. Never the machine's shared PostgreSQL.

initdb, PostgreSQL and PgBouncer refuse to run as root: as root they run as the ``postgres`` user."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
import pytest

# The ports of this project's deployment tests (loopback only).
PRIMARY_PORT, POOL_PORT, REPLICA_PRIMARY_PORT, REPLICA_PORT = 54360, 54362, 54364, 54365
REPO = Path(__file__).resolve().parents[2]


def pg_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


def needs(*programs: str) -> None:
    """Skip the test when a server it starts is not installed, or when it could not run it as another user."""
    if pg_bin() is None:
        pytest.skip("PostgreSQL's server programs (initdb, pg_ctl) are not installed")
    for program in programs:
        if shutil.which(program) is None and not Path(f"/usr/sbin/{program}").exists():
            pytest.skip(f"{program} is not installed (apt-get install {program})")
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        pytest.skip("runuser is missing: as root the servers must run as the postgres user")


def as_postgres(*command: str, **kwargs: Any) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else list(command)


def wait_for(what: str, found: Callable[[], Any], seconds: float = 60) -> Any:
    deadline = time.monotonic() + seconds
    while True:
        value = found()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not happen within {seconds} s")
        time.sleep(0.2)


def owned_folder(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    return root


class Cluster:
    """A PostgreSQL cluster on ``port`` under ``root``."""

    def __init__(self, root: Path, port: int) -> None:
        bindir = pg_bin()
        assert bindir is not None
        self.bin, self.root, self.port = bindir, owned_folder(root), port
        self.data = root / "data"
        self.log = root / "postgres.log"

    def run(self, program: str, *args: str) -> str:
        done = subprocess.run(as_postgres(str(self.bin / program), *args), capture_output=True, text=True)
        if done.returncode:
            raise AssertionError(f"{program} {' '.join(args)} failed: {done.stderr}{self.tail()}")
        return done.stdout

    def tail(self) -> str:
        return self.log.read_text()[-2000:] if self.log.exists() else ""

    def create(self, database: str) -> Cluster:
        self.run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")
        self.start()
        self.run("createdb", "-h", "127.0.0.1", "-p", str(self.port), database)
        return self

    def replica_of(self, primary: Cluster) -> Cluster:
        """A streaming replica of ``primary``: its base backup with the standby settings (-R), started."""
        self.run(
            "pg_basebackup", "-h", "127.0.0.1", "-p", str(primary.port), "-U", "postgres", "-D", str(self.data),
            "-R", "-X", "stream", "--no-sync",
        )  # fmt: skip
        self.start()
        return self

    def start(self) -> None:
        # fsync off: the cluster lives for one test and the machine is shared.
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.root} -c fsync=off -c max_connections=40"
        self.run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "start")

    def stop(self) -> None:
        subprocess.run(
            as_postgres(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop"),
            capture_output=True,
        )

    def url(self, database: str, port: int | None = None) -> str:
        return f"postgres://postgres@127.0.0.1:{port or self.port}/{database}"

    def query(self, database: str, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        with psycopg.connect(f"postgresql://postgres@127.0.0.1:{self.port}/{database}", autocommit=True) as conn:
            return list(conn.execute(sql, params).fetchall())  # type: ignore[arg-type]


@contextmanager
def clusters(tmp_path: Path) -> Iterator[list[Cluster]]:
    """Collects the clusters a test makes and stops them all afterwards."""
    made: list[Cluster] = []
    try:
        yield made
    finally:
        for cluster in reversed(made):
            cluster.stop()
        shutil.rmtree(tmp_path, ignore_errors=True)


class PgBouncer:
    """PgBouncer on ``port`` in front of ``cluster``, in transaction mode with a pool of ``pool_size`` server
    connections per database and user."""

    def __init__(self, root: Path, cluster: Cluster, port: int, pool_size: int = 3) -> None:
        self.root, self.port = owned_folder(root), port
        (root / "userlist.txt").write_text('"postgres" ""\n')
        self.ini = root / "pgbouncer.ini"
        self.ini.write_text(
            "[databases]\n"
            f"* = host=127.0.0.1 port={cluster.port}\n"
            "[pgbouncer]\n"
            f"listen_addr = 127.0.0.1\nlisten_port = {port}\nunix_socket_dir = {root}\n"
            f"auth_type = trust\nauth_file = {root / 'userlist.txt'}\nadmin_users = postgres\n"
            f"pool_mode = transaction\ndefault_pool_size = {pool_size}\nmax_client_conn = 200\n"
            f"logfile = {root / 'pgbouncer.log'}\npidfile = {root / 'pgbouncer.pid'}\n"
        )
        for path in root.iterdir():
            if os.geteuid() == 0:
                shutil.chown(path, "postgres", "postgres")
        program = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
        self.process = subprocess.Popen(as_postgres(program, str(self.ini)), stdout=subprocess.DEVNULL)
        wait_for("PgBouncer answering", self._answers, 20)

    def _answers(self) -> bool:
        try:
            self.admin("SHOW VERSION")
            return True
        except psycopg.OperationalError:
            return False

    def admin(self, command: str) -> list[tuple[Any, ...]]:
        """A command of PgBouncer's console (SHOW POOLS, SHOW STATS)."""
        url = f"postgresql://postgres@127.0.0.1:{self.port}/pgbouncer"
        with psycopg.connect(url, autocommit=True, prepare_threshold=None) as conn:
            cursor = conn.cursor()
            cursor.execute(command, prepare=False)
            return list(cursor.fetchall())

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def fankui(env: dict[str, str], *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "fankui", *args], env=env, capture_output=True, text=True, timeout=timeout, cwd=REPO
    )


def environment(tmp_path: Path, database_url: str, **more: str) -> dict[str, str]:
    """The environment of the server and workers a test starts: its own data folder, no public rate limits."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("FANKUI_")}
    env.update(
        {
            "FANKUI_DATA_DIR": str(tmp_path / "var"),
            "FANKUI_DATABASE_URL": database_url,
            "FANKUI_RATE_SUBMIT": "off",
            "FANKUI_RATE_SUBMIT_CONTACT": "off",
        }
    )
    env.update(more)
    return env
