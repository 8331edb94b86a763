"""`fankui bench mail`: e-mails delivered to the inbound SMTP listener and turned into cases, per second.

A throwaway database (``fankui.bench.intake.bench_database``) is migrated by a child process, which starts the
listener (``fankui.mail.smtpd``, the same code as `fankui mail smtpd`) on a free loopback port and sends ``n``
messages from ``--concurrency`` SMTP clients. Each message is acknowledged only after its case committed, so the
clock stops when the last "250" arrived; afterwards the cases are counted: an acknowledged message without its case
counts as lost. With ``--replies`` the citizens then answer in their threads (every other reply with a photo), each
reply a supplement on its case (``cases.services.supplements``): ``email_supplements_per_s``.
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
    parser.add_argument(
        "--replies",
        type=int,
        default=0,
        help="then as many replies on those cases, every other one with a photo: supplements per second (default 0)",
    )


def _photo() -> bytes:
    from io import BytesIO

    from PIL import Image

    buffer = BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(buffer, format="JPEG")
    return buffer.getvalue()


def _messages(n: int) -> tuple[list[bytes], list[str]]:
    texts = sample_texts()
    out, ids = [], []
    for index in range(n):
        title, body = texts[index % len(texts)]
        mail = EmailMessage()
        mail["From"] = f"citizen{index}@example.cn"
        mail["To"] = "12345@fankui.example.cn"
        mail["Subject"] = title
        ids.append(f"<{uuid.uuid4().hex}@bench.example.cn>")
        mail["Message-ID"] = ids[-1]
        mail.set_content(body, charset="utf-8", cte="base64")
        out.append(mail.as_bytes(policy=email.policy.SMTP))  # CRLF line ends, as on the wire
    return out, ids


def _replies(count: int, ids: list[str]) -> list[bytes]:
    """Each citizen's reply in their thread (In-Reply-To their first e-mail), every other one with a photo."""
    photo = _photo()
    out = []
    for index in range(count):
        original = index % len(ids)
        mail = EmailMessage()
        mail["From"] = f"citizen{original}@example.cn"
        mail["To"] = "12345@fankui.example.cn"
        mail["Subject"] = "Re: 补充"
        mail["Message-ID"] = f"<{uuid.uuid4().hex}@bench.example.cn>"
        mail["In-Reply-To"] = ids[original]
        mail.set_content("补充一下：今天又看了一次，问题还在，附上照片。", charset="utf-8", cte="base64")
        if index % 2 == 0:
            mail.add_attachment(photo, maintype="image", subtype="jpeg", filename=f"现场{index}.jpg")
        out.append(mail.as_bytes(policy=email.policy.SMTP))
    return out


def _send(port: int, concurrency: int, messages: list[bytes]) -> tuple[float, list[str]]:
    """Send ``messages`` from ``concurrency`` SMTP clients; (seconds until the last answer, errors)."""
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
    return time.perf_counter() - started, errors


def inner(n: int, concurrency: int, replies: int = 0) -> dict[str, Any]:
    """Runs in a child process whose environment names the throwaway database."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fankui.settings")
    django.setup()
    from django.core.management import call_command

    from fankui.cases.models import Case, Supplement
    from fankui.mail import smtpd

    call_command("migrate", verbosity=0, interactive=False)
    port = free_port()
    listener = smtpd.controller(f"127.0.0.1:{port}", workers=concurrency)
    listener.start()
    messages, ids = _messages(n)
    elapsed, errors = _send(port, concurrency, messages)
    cases = Case.objects.count()
    result: dict[str, Any] = {
        "email_cases_per_s": round(cases / elapsed, 1) if elapsed else 0.0,
        "email_errors": len(errors),
        "email_lost": max(0, n - len(errors) - cases),
        "error_samples": errors[:5],
    }
    if replies and ids:
        elapsed, errors = _send(port, concurrency, _replies(replies, ids))
        kept = Supplement.objects.count()
        result.update(
            {
                "email_supplements_per_s": round(kept / elapsed, 1) if elapsed else 0.0,
                "email_reply_errors": len(errors),
                "email_replies_lost": max(0, replies - len(errors) - kept),
            }
        )
    listener.stop()
    listener.handler.close()
    return result


def measure(n: int = 1000, concurrency: int = 4, replies: int = 0) -> dict[str, Any]:
    """{"email_cases_per_s", "email_errors", "email_lost", "engine"} (and with ``replies`` the supplements' figures):
    for `fankui bench mail` and `bench channels`."""
    with bench_database() as (engine, env):
        completed = subprocess.run(
            [sys.executable, "-m", "fankui.bench.mail", str(n), str(concurrency), str(replies)],
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
    result = measure(options["n"], options["concurrency"], options.get("replies") or 0)
    return {
        "bench": "mail",
        "engine": result.pop("engine"),
        "n": options["n"],
        "concurrency": options["concurrency"],
        "cores": os.cpu_count() or 1,
        **result,
    }


if __name__ == "__main__":
    print(json.dumps(inner(int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]) if len(sys.argv) > 3 else 0)))
