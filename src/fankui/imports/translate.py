"""One row of a file as the intake takes it: a ``SubmissionInput`` (channel import, no receipt, the time it was
received), its idempotency key and, for history, the steps that bring its case to its recorded end. The rules for
what a request must be are intake's (``cases.services.receiving.check``); here only columns become fields, and what
cannot be read as the field it feeds (a date, a kind, a state) is said with the row."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from fankui.cases.services import MAX_TEXT
from fankui.core.vocab import Channel, Kind
from fankui.intake.services import SubmissionInput

# The kinds as a 12345 centre writes them.
KIND_WORDS = {
    "咨询": Kind.INQUIRY,
    "求助": Kind.HELP,
    "投诉": Kind.COMPLAINT,
    "举报": Kind.REPORT,
    "建议": Kind.SUGGESTION,
    "表扬": Kind.PRAISE,
}
# The ends a past case can be imported in; "" means: from its reply (replied, or closed once the rating window
# has passed).
STATE_WORDS = {
    "received": "received",
    "已接收": "received",
    "待受理": "received",
    "replied": "replied",
    "已答复": "replied",
    "已回复": "replied",
    "closed": "closed",
    "已办结": "closed",
    "办结": "closed",
    "已完结": "closed",
}


class RowError(ValueError):
    """A row that cannot be imported; the message is its reason in the report."""


@dataclass
class Translated:
    data: SubmissionInput
    key: str
    source_id: str
    reply: str = ""
    replied_at: datetime | None = None
    state: str = ""
    department: str = ""
    note: str = ""


def row_key(source: str, source_id: str, cells: list[str]) -> str:
    """The row's idempotency key: its identifier in the source system when the file has one, else a digest of the
    whole row, so the same file imported twice finds every row again."""
    basis = f"id\x1f{source}\x1f{source_id}" if source_id else "row\x1f" + "\x1f".join(c.strip() for c in cells)
    return "import:" + hashlib.sha256(basis.encode("utf-8")).hexdigest()[:48]


# 2019/4/25 9:32:09, 2019-07-11 00:00:00, 2019.4.25, 2019年4月25日 9时32分: a date, then perhaps a time.
DATE = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:(?:\s+|\s*T\s*)(\d{1,2})\s*[:时点]\s*(\d{1,2})(?:\s*[:分]\s*(\d{1,2})(?:\.\d+)?\s*秒?)?\s*分?)?$"
)


def parse_datetime(raw: str) -> datetime | None:
    """ISO 8601 (with or without a zone), ``2019/4/25 9:32:09``, ``2019-07-11 00:00:00``, ``2019年4月25日``; a time
    without a zone is the site's local time (Beijing time for a Chinese centre). None when unreadable."""
    text = raw.strip()
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        match = DATE.match(text)
        if match is None:
            return None
        try:
            year, month, day, hour, minute, second = (int(part) if part else 0 for part in match.groups())
            moment = datetime(year, month, day, hour, minute, second)
        except ValueError:  # 2019/2/30, 25:00
            return None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, timezone.get_default_timezone())
    return moment


def translate(cells: list[str], width: int, columns: dict[str, int], *, source: str, history: bool) -> Translated:
    """``cells`` of a file whose header has ``width`` columns, read through ``columns`` (field -> position)."""
    if not any(cell.strip() for cell in cells):
        raise RowError(_("Empty row."))
    if len(cells) > width and any(cell.strip() for cell in cells[width:]):
        raise RowError(
            _("The row has %(n)d cells where the header has %(m)d (a comma or quote out of place?).")
            % {"n": len(cells), "m": width}
        )
    if len(cells) < width:
        cells = [*cells, *[""] * (width - len(cells))]

    def get(name: str) -> str:
        position = columns.get(name)
        return cells[position].strip() if position is not None else ""

    source_id = get("id")
    received_raw = get("time")
    received = parse_datetime(received_raw)
    if received_raw and received is None:
        raise RowError(_("The time received “%(value)s” is not a date.") % {"value": received_raw[:40]})
    now = timezone.now()
    if received is not None and received > now + timedelta(minutes=5):
        raise RowError(_("The time received %(value)s is in the future.") % {"value": received_raw[:40]})
    kind = get("kind")
    kind = KIND_WORDS.get(kind, kind.lower())
    data = SubmissionInput(
        body=get("body"),
        title=get("title"),
        kind=kind,
        category=get("category") or None,
        channel=Channel.IMPORT,
        contact_name=get("name"),
        contact_phone=get("phone"),
        contact_email=get("email"),
        address=get("address"),
        external_id=f"{source}:{source_id}"[:100] if source_id else "",
        received_at=received,
        # People whose cases are history were answered long ago; a receipt now would only confuse them.
        receipt=not history,
        language=settings.LANGUAGE_CODE,
    )
    result = Translated(data=data, key=row_key(source, source_id, cells), source_id=source_id[:100])
    data.idempotency_key = result.key
    if history:
        _history(result, get, received, now)
    return result


def _history(result: Translated, get: Any, received: datetime | None, now: datetime) -> None:
    state_raw = get("state")
    state = STATE_WORDS.get(state_raw.lower()) if state_raw else ""
    if state is None:
        raise RowError(
            _("The state “%(value)s” cannot be imported: a past case is imported as received, replied or closed.")
            % {"value": state_raw[:40]}
        )
    reply = get("reply")
    replied_raw = get("reply_time")
    replied = parse_datetime(replied_raw)
    if replied_raw and replied is None:
        raise RowError(_("The time replied “%(value)s” is not a date.") % {"value": replied_raw[:40]})
    if state in ("replied", "closed") and not reply:
        raise RowError(_("A replied or closed case needs its reply, and this row has none."))
    if reply:
        if received is None:
            raise RowError(_("A case with a reply needs the time it was received, and this row has none."))
        if replied is None:
            raise RowError(_("The reply has no time (field “reply_time”)."))
        if replied > now + timedelta(minutes=5):
            raise RowError(_("The time replied %(value)s is in the future.") % {"value": replied_raw[:40]})
        if replied < received:
            # A slip in the source (seen in real exports); the reply cannot precede the request.
            result.note = _("The reply time %(replied)s was before the time received; the reply is dated then.") % {
                "replied": replied_raw[:40]
            }
            replied = received
        if len(reply) > MAX_TEXT:
            # The rule of a reply written on the case page (``cases.services.moves.reply``).
            raise RowError(_("The reply is too long: %(n)d characters at most.") % {"n": MAX_TEXT})
        result.reply, result.replied_at = reply, replied
    # "": the end follows from the reply (``services``: replied, or closed once the rating window has passed).
    result.state = state
    result.department = get("department")
