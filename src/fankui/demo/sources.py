"""Where the demo's messages come from: the real data folder (shared/data) read as CSV, or nothing.

The real files are never copied into the repository; they are read from the folder named by ``--data-dir``,
FANKUI_DEMO_DATA, or the ``shared/data`` folder found beside the repository (see ``core.datasets``).
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import islice
from pathlib import Path
from zoneinfo import ZoneInfo

from django.conf import settings

from fankui.core.datasets import shared_data_dir

TAXONOMY = "gov_category_taxonomy.csv"
REPLIES = "gov_messages_replies.csv"
UNLABELED = "gov_messages_unlabeled.csv"
HOT = "gov_messages_hot.csv"
REQUIRED = (TAXONOMY, REPLIES)

# The source platform is in China: its times are Beijing wall-clock times, whatever this server's zone is.
SOURCE_ZONE = ZoneInfo("Asia/Shanghai")
_FORMATS = ("%Y/%m/%d %H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y-%m-%d %H:%M", "%Y/%m/%d", "%Y-%m-%d")


class DataMissing(Exception):
    pass


@dataclass
class Message:
    """One message to load: what the citizen wrote and, for answered ones, the official reply."""

    source: str
    source_id: str
    title: str
    body: str
    received_at: datetime | None = None
    reply: str = ""
    replied_at: datetime | None = None

    @property
    def external_id(self) -> str:
        return f"demo:{self.source}:{self.source_id}"


def parse_time(raw: str) -> datetime | None:
    text = (raw or "").strip()
    for fmt in _FORMATS:
        try:
            return datetime.strptime(text, fmt).replace(tzinfo=SOURCE_ZONE)
        except ValueError:
            continue
    return None


def find_data_dir(explicit: str | None = None) -> Path | None:
    """The folder to read, or None when no real data is available. A folder that was named explicitly (option or
    FANKUI_DEMO_DATA) must hold the files: a typo should fail loudly, not quietly load synthetic data."""
    named = explicit or settings.FANKUI_DEMO_DATA
    if named:
        folder = Path(named).expanduser()
        missing = [name for name in REQUIRED if not (folder / name).is_file()]
        if missing:
            raise DataMissing(f"{folder} does not contain {', '.join(missing)}")
        return folder
    found = shared_data_dir()
    if found is not None and all((found / name).is_file() for name in REQUIRED):
        return found
    return None


def _rows(path: Path) -> Iterator[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        yield from csv.DictReader(handle)


def taxonomy(folder: Path) -> list[tuple[str, ...]]:
    return [(row["level1"], row["level2"], row["level3"]) for row in _rows(folder / TAXONOMY)]


def answered_messages(folder: Path, limit: int | None = None) -> list[Message]:
    """Messages with their real reply. Rows without a usable receipt time are skipped; a reply time before the
    receipt (a data-entry slip) is repaired to a day after it, so every history runs forwards."""
    messages = []
    for row in islice(_rows(folder / REPLIES), limit):
        received = parse_time(row["time"])
        body = (row.get("body") or "").strip()
        reply = (row.get("reply") or "").strip()
        if received is None or not body or not reply:
            continue
        replied = parse_time(row["reply_time"])
        if replied is None or replied <= received:
            replied = received + timedelta(days=1)
        messages.append(
            Message(
                source="replies",
                source_id=row["id"],
                title=(row.get("title") or "").strip(),
                body=body,
                received_at=received,
                reply=reply,
                replied_at=replied,
            )
        )
    return messages


def unanswered_messages(folder: Path, name: str = UNLABELED) -> list[Message]:
    """Messages without a reply (the unlabeled file, or the hot-issue file whose messages come in clusters about
    one issue); the demo gives them recent times, so their own time is not kept."""
    path = folder / name
    if not path.is_file():
        return []
    source = path.name.removeprefix("gov_messages_").removesuffix(".csv")
    return [
        Message(source=source, source_id=row["id"], title=row["title"].strip(), body=row["body"].strip())
        for row in _rows(path)
        if row.get("body", "").strip()
    ]
