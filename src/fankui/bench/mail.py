"""`fankui bench mail`: e-mails delivered to the inbound SMTP listener and turned into cases, per second.

A throwaway database (``fankui.bench.intake.bench_database``) is migrated by a child process, which starts the
listener (``fankui.mail.smtpd``, the same code as `fankui mail smtpd`) on a free loopback port and sends ``n``
messages from ``--concurrency`` SMTP clients. Each message is acknowledged only after its case committed, so the
clock stops when the last "250" arrived; afterwards the cases are counted: an acknowledged message without its case
counts as lost.
"""

from __future__ import annotations

import argparse
import email.policy
import json
import os
import smtplib
import subprocess
import sys
import threading
import time
import uuid
from email.message import EmailMessage
from typing import Any

from fankui.bench.intake import bench_database, free_port, sample_texts


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-n", type=int, default=1000, help="messages to send (default 1000)")
    parser.add_argument("--concurrency", type=int, default=4, help="SMTP clients at once (default 4)")


def _messages(n: int) -> list[bytes]:
    texts = sample_texts()
    out = []
    for index in range(n):
        title, body = texts[index % len(texts)]
        mail = EmailMessage()
        mail["From"] = f"citizen{index}@example.cn"
        mail["To"] = "12345@fankui.example.cn"
        mail["Subject"] = title
        mail["Message-ID"] = f"<{uuid.uuid4().hex}@bench.example.cn>"
        mail.set_content(body, charset="utf-8", cte="base64")
        out.append(mail.as_bytes(policy=email.policy.SMTP))  # CRLF line ends, as on the wire
    return out


def inner(n: int, concurrency: int) -> dict[str, Any]:
    """Runs in a child process whose environment names the throwaway database."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fankui.settings")
    django.setup()
    from django.core.management import call_command

    from fankui.cases.models import Case
    from fankui.mail import smtpd

    call_command("migrate", verbosity=0, interactive=False)
    port = free_port()
    listener = smtpd.controller(f"127.0.0.1:{port}", workers=concurrency)
    listener.start()
    messages = _messages(n)
    queue = iter(messages)
    lock = threading.Lock()
    errors: list[str] = []

    def client() -> None:
        with smtplib.SMTP("127.0.0.1", port, timeout=120) as connection:
            while True:
                with lock:
                    raw = next(queue, None)
                if raw is None:
                    return
                try:
                    connection.sendmail("citizen@example.cn", ["12345@fankui.example.cn"], raw)
                except smtplib.SMTPException as error:
                    errors.append(str(error)[:200])

    started = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    listener.stop()
    listener.handler.close()
    cases = Case.objects.count()
    return {
        "email_cases_per_s": round(cases / elapsed, 1) if elapsed else 0.0,
        "email_errors": len(errors),
        "email_lost": max(0, n - len(errors) - cases),
        "error_samples": errors[:5],
    }


def measure(n: int = 1000, concurrency: int = 4) -> dict[str, Any]:
    """{"email_cases_per_s", "email_errors", "email_lost", "engine"}: for `fankui bench mail` and `bench channels`."""
    with bench_database() as (engine, env):
        completed = subprocess.run(
            [sys.executable, "-m", "fankui.bench.mail", str(n), str(concurrency)],
            env=env,
            capture_output=True,
            text=True,
        )
        if completed.returncode != 0:
            raise RuntimeError("the e-mail benchmark failed:\n" + "\n".join(completed.stderr.splitlines()[-5:]))
        result: dict[str, Any] = json.loads(completed.stdout.strip().splitlines()[-1])
    result["engine"] = engine
    return result


def run(options: dict[str, Any]) -> dict[str, Any]:
    result = measure(options["n"], options["concurrency"])
    return {
        "bench": "mail",
        "engine": result.pop("engine"),
        "n": options["n"],
        "concurrency": options["concurrency"],
        "cores": os.cpu_count() or 1,
        **result,
    }


if __name__ == "__main__":
    print(json.dumps(inner(int(sys.argv[1]), int(sys.argv[2]))))
