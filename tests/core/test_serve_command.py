"""`fankui serve`: the production server answers pages, static files and the API, refuses a port already in use,
and stops cleanly on SIGTERM. One real server process on a throwaway SQLite database, on localhost."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest
from django.core.management.base import CommandError

from fankui.core.management.commands.serve import ensure_free, parse_bind


@pytest.fixture(autouse=True)
def _frozen_time() -> Iterator[None]:
    # A real server on the real clock: its start-up and shutdown wait on timeouts.
    yield


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize(
    ("bind", "expected"),
    [
        ("127.0.0.1:8000", ("127.0.0.1", 8000)),
        ("0.0.0.0:80", ("0.0.0.0", 80)),
        ("[::1]:8080", ("::1", 8080)),
    ],
)
def test_bind_addresses_are_read(bind: str, expected: tuple[str, int]) -> None:
    assert parse_bind(bind) == expected


@pytest.mark.parametrize("bind", ["127.0.0.1", "127.0.0.1:http", "127.0.0.1:70000", ""])
def test_a_bad_bind_address_is_a_clear_error(bind: str) -> None:
    with pytest.raises(CommandError, match="ADDRESS:PORT"):
        parse_bind(bind)


def test_a_host_name_is_resolved_to_an_address() -> None:
    # Granian takes addresses only ("localhost" was a traceback); /etc/hosts may list either loopback first.
    assert parse_bind("localhost:8000") in {("127.0.0.1", 8000), ("::1", 8000)}


def test_a_port_something_listens_on_is_refused() -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        with pytest.raises(CommandError, match="Cannot listen"):
            ensure_free("127.0.0.1", port)
    ensure_free("127.0.0.1", port)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    data = tmp_path_factory.mktemp("serve")
    env = {**os.environ, "FANKUI_DATA_DIR": str(data), "DJANGO_SETTINGS_MODULE": "fankui.settings"}
    env.pop("FANKUI_DATABASE_URL", None)
    subprocess.run([sys.executable, "-m", "fankui", "migrate", "--no-input", "-v0"], env=env, check=True)
    port = _free_port()
    command = [sys.executable, "-m", "fankui", "serve", "--bind", f"127.0.0.1:{port}", "--workers", "1"]
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(f"{base}/api/v1/openapi.json", timeout=2):
                break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                output = process.communicate()[0].decode(errors="replace")
                pytest.fail(f"the server did not start:\n{output}")
            time.sleep(0.2)
    yield base, process
    if process.poll() is None:
        process.kill()
        process.wait()


def test_the_server_answers_pages_static_files_and_the_api(server: tuple[str, subprocess.Popen[bytes]]) -> None:
    base, _ = server
    with urllib.request.urlopen(f"{base}/", timeout=10) as response:
        assert response.status == 200
        assert "text/html" in response.headers["Content-Type"]
    with urllib.request.urlopen(f"{base}/static/vendor/htmx.min.js", timeout=10) as response:
        assert response.status == 200
    request = urllib.request.Request(
        f"{base}/api/v1/submissions",
        data=json.dumps({"body": "幸福小区门口路灯不亮"}).encode(),
        headers={"Content-Type": "application/json", "Idempotency-Key": "serve-test-1"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 201
        answer = json.load(response)
    assert answer["tracking_url"] == f"{base}/track/{answer['tracking_code']}/"
    broken = urllib.request.Request(
        f"{base}/api/v1/submissions", data=b"{", headers={"Content-Type": "application/json"}
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(broken, timeout=10)
    assert refused.value.code == 400


def test_a_second_server_on_the_same_port_is_refused(server: tuple[str, subprocess.Popen[bytes]]) -> None:
    base, _ = server
    port = base.rsplit(":", 1)[1]
    second = subprocess.run(
        [sys.executable, "-m", "fankui", "serve", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert second.returncode != 0
    assert "Cannot listen on 127.0.0.1" in second.stderr


def test_sigterm_stops_the_server_and_its_workers(server: tuple[str, subprocess.Popen[bytes]]) -> None:
    base, process = server
    process.send_signal(signal.SIGTERM)
    output = process.communicate(timeout=30)[0].decode(errors="replace")
    assert process.returncode == 0, output
    # Links in messages (e-mails, SMS) point where the site is served, not at the default port 8000.
    assert f"Links in messages: {base}/" in output
    with pytest.raises(OSError):
        urllib.request.urlopen(f"{base}/", timeout=2)
