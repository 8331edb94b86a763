"""The pieces of the fault tests (``make faults``): a PostgreSQL cluster of their own, the real server and workers as
processes, an SMS gateway and a mail server that record what they receive, and a steady load of submissions.

Everything listens on loopback ports 8140-8149. The cluster is created with ``initdb`` under a temporary folder and
run as the ``postgres`` user on port 8149: the machine's own PostgreSQL is never touched."""

from __future__ import annotations

import contextlib
import glob
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.cookiejar import CookieJar
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import psycopg

WEB_PORT, SMS_PORT, SMTP_PORT, PG_PORT = 8140, 8141, 8142, 8149
LEASE_SECONDS = 15


def wait_for(what: str, found: Callable[[], Any], seconds: float = 60, every: float = 0.2) -> Any:
    deadline = time.monotonic() + seconds
    while True:
        value = found()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not happen within {seconds} s")
        time.sleep(every)


# --- PostgreSQL ---------------------------------------------------------------------------------------------------
def pg_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


class Cluster:
    """A throwaway PostgreSQL cluster on ``PG_PORT``, run as the ``postgres`` user (initdb refuses root)."""

    def __init__(self, root: Path) -> None:
        bindir = pg_bin()
        assert bindir is not None
        self.bin = bindir
        self.root = root
        self.data = root / "pgdata"
        self.log = root / "postgres.log"
        self.url = f"postgres://postgres@127.0.0.1:{PG_PORT}/fankui_faults"
        self.dsn = self.url.replace("postgres://", "postgresql://")
        self._connection: psycopg.Connection[Any] | None = None

    def _as_postgres(self, *command: str) -> subprocess.CompletedProcess[str]:
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        return subprocess.run([*prefix, *command], check=True, capture_output=True, text=True)

    def create(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres", "postgres")
        self._as_postgres(
            str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8"
        )
        self.start()
        self._as_postgres(str(self.bin / "createdb"), "-h", "127.0.0.1", "-p", str(PG_PORT), "fankui_faults")

    def start(self) -> None:
        # fsync off: the cluster lives for one test run and the machine is shared; a stop with ``-m immediate`` (a
        # crash of the server, not of the machine) still loses nothing that was committed.
        options = f"-p {PG_PORT} -c listen_addresses=127.0.0.1 -k {self.root} -c fsync=off -c max_connections=60"
        self._as_postgres(
            str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "start"
        )

    def stop(self, mode: str = "fast") -> None:
        self._as_postgres(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")

    def destroy(self) -> None:
        if self._connection is not None:
            self._connection.close()
        with contextlib.suppress(subprocess.CalledProcessError):
            self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)

    def query(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        """One connection kept open (polling ``pg_locks`` every 10 ms must not cost a connection each time), opened
        again after the cluster was restarted."""
        for attempt in (1, 2):
            try:
                if self._connection is None or self._connection.closed:
                    self._connection = psycopg.connect(self.dsn, autocommit=True)
                return list(self._connection.execute(sql, params).fetchall())  # type: ignore[arg-type]
            except psycopg.OperationalError:
                self._connection = None
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")


# --- What the messages reach ----------------------------------------------------------------------------------------
@dataclass
class Gateway:
    """An SMS gateway on loopback: records every POST (its ``id``, the outbox's idempotency key). ``hold()`` makes the
    next POST wait after it was recorded (the gateway took the message, the worker has not heard back), so a test
    can kill the worker in the middle of sending."""

    posts: list[dict[str, Any]] = field(default_factory=list)
    holding: threading.Event = field(default_factory=threading.Event)
    held: list[dict[str, Any]] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                data = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                data["peer_port"] = self.client_address[1]
                gateway.posts.append(data)
                if gateway.holding.is_set():
                    gateway.holding.clear()
                    gateway.held.append(data)
                    gateway.release.wait(120)
                try:
                    self.send_response(200)
                    self.end_headers()
                    self.wfile.write(b"{}")
                except OSError:
                    pass  # the worker died while we held it

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", SMS_PORT), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def hold(self) -> None:
        self.release.clear()
        self.holding.set()

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()

    def ids(self) -> list[int]:
        return [int(post["id"]) for post in self.posts]


class MailSink:
    """An SMTP server on loopback recording each message's Message-ID (aiosmtpd, already a dependency)."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        self.message_ids: list[str] = []
        sink = self

        class Handler:
            async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
                found = re.search(rb"^Message-ID:\s*(<[^>]+>)", envelope.content, re.MULTILINE | re.IGNORECASE)
                sink.message_ids.append(found.group(1).decode() if found else "")
                return "250 OK"

        self.controller = Controller(Handler(), hostname="127.0.0.1", port=SMTP_PORT)
        self.controller.start()

    def close(self) -> None:
        self.controller.stop()


# --- The site ---------------------------------------------------------------------------------------------------------
def children(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (Granian's worker processes)."""
    found = []
    for stat in glob.glob("/proc/[0-9]*/stat"):
        try:
            fields = Path(stat).read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.split("/")[2]))
    return found


def pid_of_client_port(port: int) -> int | None:
    """Which process holds the TCP connection whose local port is ``port`` (a worker talking to the gateway)."""
    out = subprocess.run(
        ["ss", "-Htnp", "state", "established", f"( sport = :{port} )"], capture_output=True, text=True
    ).stdout
    found = re.search(r"pid=(\d+)", out)
    return int(found.group(1)) if found else None


class Site:
    """``fankui serve`` (two web processes) and named ``fankui worker`` processes, on the cluster, logging JSON."""

    def __init__(self, root: Path, cluster: Cluster, media: Path) -> None:
        self.root = root
        self.cluster = cluster
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "fankui.settings",
            "FANKUI_DATA_DIR": str(root / "data"),
            "FANKUI_DATABASE_URL": cluster.url,
            "FANKUI_LOG_FORMAT": "json",
            "FANKUI_RATE_SUBMIT": "off",
            "FANKUI_RATE_SUBMIT_CONTACT": "off",
            "FANKUI_SMS_GATEWAY_URL": f"http://127.0.0.1:{SMS_PORT}/send",
            "FANKUI_SMTP_HOST": "127.0.0.1",
            "FANKUI_SMTP_PORT": str(SMTP_PORT),
            "FANKUI_SMTP_TLS": "0",
            "FANKUI_QUIET_HOURS": "",
            "FANKUI_NOTIFY_LEASE_SECONDS": str(LEASE_SECONDS),
            "FANKUI_WORKER_POLL_SECONDS": "1",
            "FANKUI_WORKER_STALE_SECONDS": "60",
            # The load's street lights go to one department by a keyword rule (``route_the_load``), and as the rule
            # is sure enough, each such case is dispatched by the worker right after its analysis.
            "FANKUI_AUTO_DISPATCH_CONFIDENCE": "0.5",
        }
        self.media = media
        self.server: subprocess.Popen[bytes] | None = None
        self.workers: dict[str, subprocess.Popen[bytes]] = {}
        self.logs: list[Path] = []

    def run(self, *args: str) -> None:
        done = subprocess.run([sys.executable, "-m", "fankui", *args], env=self.env, capture_output=True, text=True)
        assert done.returncode == 0, f"fankui {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"

    def route_the_load(self) -> None:
        """A department and a keyword rule that sends every case of the load (street lights) to it."""
        self.run(
            "shell",
            "-c",
            "from fankui.accounts.services import create_department\n"
            "from fankui.analysis.models import KeywordRule\n"
            "lights = create_department('市城管局', 'lights', None)\n"
            "KeywordRule.objects.create(name='路灯', keywords='路灯', department=lights)\n",
        )

    def _spawn(self, name: str, args: list[str], url: str | None = None) -> subprocess.Popen[bytes]:
        log = self.root / f"{name}-{len(self.logs)}.log"
        self.logs.append(log)
        env = {**self.env, **({"FANKUI_DATABASE_URL": url} if url else {})}
        with log.open("wb") as out:
            return subprocess.Popen(
                [sys.executable, "-m", "fankui", *args], env=env, stdout=out, stderr=subprocess.STDOUT
            )

    def start_server(self) -> None:
        self.server = self._spawn("server", ["serve", "--bind", f"127.0.0.1:{WEB_PORT}", "--workers", "2"])
        wait_for("the server answering", lambda: http("GET", "/healthz")[0] == 200, 60)

    def start_worker(self, name: str) -> subprocess.Popen[bytes]:
        # Its own application_name: the test sees in pg_locks when this worker holds a batch of analyses.
        url = f"{self.cluster.url}?application_name={name}"
        self.workers[name] = self._spawn(name, ["worker", "--interval", "0.5"], url)
        return self.workers[name]

    def stop_worker(self, name: str) -> None:
        process = self.workers.pop(name)
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def kill(self, process: subprocess.Popen[bytes] | int) -> None:
        pid = process if isinstance(process, int) else process.pid
        os.kill(pid, signal.SIGKILL)
        for name, worker in list(self.workers.items()):
            if worker.pid == pid:
                worker.wait()
                del self.workers[name]

    def stop(self) -> None:
        for name in list(self.workers):
            self.stop_worker(name)
        if self.server is not None and self.server.poll() is None:
            self.server.send_signal(signal.SIGTERM)
            try:
                self.server.wait(30)
            except subprocess.TimeoutExpired:
                self.server.kill()
                self.server.wait()

    def log_lines(self) -> Iterator[dict[str, Any]]:
        for log in self.logs:
            for line in log.read_text(errors="replace").splitlines():
                if line.startswith("{"):
                    try:
                        yield json.loads(line)
                    except ValueError:
                        continue


# --- HTTP -------------------------------------------------------------------------------------------------------------
def http(
    method: str,
    path: str,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    opener: urllib.request.OpenerDirector | None = None,
    timeout: float = 15,
) -> tuple[int, dict[str, str], bytes]:
    """(status, headers, body); status 0 when the connection failed (a web process killed under the request)."""
    request = urllib.request.Request(f"http://127.0.0.1:{WEB_PORT}{path}", data=body, method=method)
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    try:
        with (opener or urllib.request.build_opener()).open(request, timeout=timeout) as response:
            return response.status, _lower(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, _lower(error.headers), error.read()
    except (OSError, urllib.error.URLError):
        return 0, {}, b""


def _lower(headers: Any) -> dict[str, str]:
    return {name.lower(): value for name, value in headers.items()}


@dataclass
class Attempt:
    key: str
    request_id: str
    status: int
    retry_after: str | None
    code: str
    at: float


class Load:
    """A steady stream of ``POST /api/v1/submissions`` from a few threads, each with an Idempotency-Key and an
    X-Request-ID. A refused one (503, a broken connection) is sent again with the same key a second later, as a
    client should; every attempt is recorded."""

    def __init__(self, per_second: float, threads: int = 3) -> None:
        self.per_second = per_second
        self.threads = threads
        self.attempts: list[Attempt] = []
        self.acknowledged: dict[str, str] = {}  # key -> tracking code
        self.retry: list[tuple[str, dict[str, Any]]] = []
        self.stopping = threading.Event()
        self.lock = threading.Lock()
        self._threads: list[threading.Thread] = []
        self.counter = 0

    def _payload(self) -> dict[str, Any]:
        with self.lock:
            self.counter += 1
            n = self.counter
        contact = {"phone": f"139{n:08d}"} if n % 2 else {"email": f"citizen{n}@example.com"}
        return {"title": f"负载 {n}", "body": f"第 {n} 条：小区路灯坏了，晚上很黑，请尽快修理。", "contact": contact}

    def send(self, key: str, payload: dict[str, Any]) -> Attempt:
        request_id = f"faults-{uuid.uuid4().hex[:16]}"
        status, headers, body = http(
            "POST",
            "/api/v1/submissions",
            json.dumps(payload).encode(),
            {"Content-Type": "application/json", "Idempotency-Key": key, "X-Request-ID": request_id},
        )
        code = ""
        if status in (200, 201):
            code = json.loads(body)["tracking_code"]
        elif body[:1] == b"{":
            code = json.loads(body).get("code", "")
        attempt = Attempt(key, request_id, status, headers.get("retry-after"), code, time.monotonic())
        with self.lock:
            self.attempts.append(attempt)
            if status in (200, 201):
                self.acknowledged[key] = code
        return attempt

    def _run(self) -> None:
        pause = self.threads / self.per_second
        while not self.stopping.is_set():
            started = time.monotonic()
            with self.lock:
                due = self.retry.pop(0) if self.retry else None
            key, payload = due or (uuid.uuid4().hex, self._payload())
            attempt = self.send(key, payload)
            if attempt.status not in (200, 201):
                with self.lock:
                    self.retry.append((key, payload))
                self.stopping.wait(1.0)
            self.stopping.wait(max(0.0, pause - (time.monotonic() - started)))

    def start(self) -> None:
        for _ in range(self.threads):
            thread = threading.Thread(target=self._run, daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self) -> None:
        """Stop the stream, then send every refused submission again until it is acknowledged."""
        self.stopping.set()
        for thread in self._threads:
            thread.join(30)
        deadline = time.monotonic() + 60
        while self.retry and time.monotonic() < deadline:
            key, payload = self.retry.pop(0)
            if self.send(key, payload).status not in (200, 201):
                self.retry.append((key, payload))
                time.sleep(0.5)


# --- The web form with an attachment ------------------------------------------------------------------------------
def png_bytes() -> bytes:
    from io import BytesIO

    from PIL import Image

    out = BytesIO()
    Image.new("RGB", (64, 64), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


def submit_form_with_attachment(body: str) -> tuple[int, dict[str, str], bytes]:
    """The public form, as a browser sends it: its page first (the CSRF cookie and the form's token), then a
    multipart POST with one picture. Redirects are not followed: 302 means stored."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: Any, **kwargs: Any) -> None:
            return None

    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()), NoRedirect())
    status, _headers, page = http("GET", "/", opener=opener)
    assert status == 200, status
    csrf = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    token = re.search(rb'name="token" value="([^"]*)"', page)
    assert csrf and token
    fields = {
        "csrfmiddlewaretoken": csrf.group(1).decode(),
        "token": token.group(1).decode(),
        "title": "附件",
        "body": body,
        "contact_phone": "13912345678",
    }
    boundary = uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="attachments"; filename="photo.png"\r\n'
        "Content-Type: image/png\r\n\r\n".encode()
        + png_bytes()
        + b"\r\n"
    )
    data = b"".join(parts) + f"--{boundary}--\r\n".encode()
    headers = {"Content-Type": f"multipart/form-data; boundary={boundary}", "Referer": f"http://127.0.0.1:{WEB_PORT}/"}
    return http("POST", "/", data, headers, opener=opener)


def files_under(folder: Path) -> list[Path]:
    return [path for path in folder.rglob("*") if path.is_file()]
