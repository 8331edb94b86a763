"""A real IMAP server for the mail tests: Debian's dovecot (apt-get install dovecot-imapd), started once per run on
a free loopback port with its own configuration in a temporary folder. Any user name logs in with the password
"secret", so each test takes a fresh name and so a fresh, empty mailbox. Skipped, saying why, without dovecot."""

from __future__ import annotations

import email.policy
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from imapclient import IMAPClient

DOVECOT = shutil.which("dovecot") or ("/usr/sbin/dovecot" if os.path.exists("/usr/sbin/dovecot") else None)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _config(root: Path, port: int) -> str:
    if os.geteuid() == 0:
        # As root, dovecot's own unprivileged users (made by the package) run the login and mail processes.
        internal, login = "dovecot", "dovenull"
    else:
        internal = login = pwd.getpwuid(os.geteuid()).pw_name
    owner = pwd.getpwnam(internal)
    os.chown(root / "home", owner.pw_uid, owner.pw_gid)
    return f"""
protocols = imap
first_valid_uid = 1
first_valid_gid = 1
listen = 127.0.0.1
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = {internal}
default_login_user = {login}
passdb {{
  driver = static
  args = password=secret
}}
userdb {{
  driver = static
  args = uid={owner.pw_uid} gid={owner.pw_gid} home={root}/home/%u
}}
mail_location = maildir:~/Maildir
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
"""


@pytest.fixture(scope="session")
def dovecot() -> Iterator[int]:
    if DOVECOT is None:
        pytest.skip("dovecot is not installed (apt-get install dovecot-imapd): the IMAP tests need a real server")
    root = Path(tempfile.mkdtemp(prefix="fankui-dovecot-"))
    root.chmod(0o755)  # dovecot's unprivileged processes reach their sockets under it
    for name in ("run", "state", "home"):
        (root / name).mkdir()
    port = free_port()
    config = root / "dovecot.conf"
    config.write_text(_config(root, port))
    subprocess.run([DOVECOT, "-c", str(config)], check=True)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.05)
        yield port
    finally:
        subprocess.run([DOVECOT, "-c", str(config), "stop"], check=False)
        shutil.rmtree(root, ignore_errors=True)


class Box:
    """A fresh mailbox on the test's dovecot: its URL for FANKUI_IMAP_URL, and a client to fill and inspect it."""

    def __init__(self, port: int) -> None:
        self.user = "t" + uuid.uuid4().hex[:12]
        self.url = f"imap://{self.user}:secret@127.0.0.1:{port}/INBOX"
        self.client = IMAPClient("127.0.0.1", port=port, ssl=False, timeout=30)
        self.client.login(self.user, "secret")

    def deliver(self, raw: bytes) -> None:
        self.client.append("INBOX", raw)

    def count(self, folder: str) -> int:
        if not self.client.folder_exists(folder):
            return 0
        return int(self.client.folder_status(folder, ["MESSAGES"])[b"MESSAGES"])


@pytest.fixture
def box(dovecot: int, settings: Any) -> Iterator[Box]:
    mailbox = Box(dovecot)
    settings.FANKUI_IMAP_URL = mailbox.url
    yield mailbox
    mailbox.client.logout()


def message(
    body: str = "小区门口的路灯坏了一个月，晚上很黑，请尽快修理。",
    *,
    subject: str = "路灯坏了",
    sender: str = "Zhang San <zhangsan@example.cn>",
    message_id: str | None = None,
    charset: str = "utf-8",
    headers: dict[str, str] | None = None,
    html: str | None = None,
) -> bytes:
    """An e-mail as a mail program would send it."""
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = "12345@fankui.example.cn"
    mail["Subject"] = subject
    mail["Message-ID"] = message_id or f"<{uuid.uuid4().hex}@mail.example.cn>"
    mail["Date"] = "Mon, 16 Nov 2026 09:00:00 +0800"
    for name, value in (headers or {}).items():
        mail[name] = value
    if html is not None:
        mail.set_content(html, subtype="html", charset=charset)
    else:
        mail.set_content(body, charset=charset)
    return mail.as_bytes(policy=email.policy.SMTP)  # CRLF line ends, as on the wire
