"""Logging helpers named in ``settings.LOGGING``: one JSON object a line with the request id that follows a case.

A request gets an id (``core.middleware.RequestId``); intake keeps it with the submission, and the worker puts the
case's id back into the log context while it analyses the case and while it sends each message about it, so
``grep <id>`` finds a case's whole way: the intake, its analysis, every message sent (docs/operations.md "Logs").
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from pythonjsonlogger.json import JsonFormatter

# What the current request, or the case the worker is busy with, adds to every log line (request_id, case_id).
_context: ContextVar[dict[str, Any] | None] = ContextVar("fankui_log_context", default=None)
# A client's (or a proxy's) X-Request-ID is kept when it looks like an id: never free text in a log line.
_SANE_ID = re.compile(r"[A-Za-z0-9._:-]{8,64}")


def new_request_id() -> str:
    return uuid.uuid4().hex


def accept_request_id(offered: str) -> str:
    """The id a client or reverse proxy sent, if it is a plain token of 8 to 64 characters; else a new one."""
    return offered if _SANE_ID.fullmatch(offered or "") else new_request_id()


def current() -> dict[str, Any]:
    return dict(_context.get() or {})


def request_id() -> str:
    """The id of the request (or of the case the worker handles) in progress; "" outside of both."""
    return str((_context.get() or {}).get("request_id") or "")


@contextmanager
def context(**values: Any) -> Iterator[None]:
    """Everything logged inside the block carries ``values`` (empty ones are left out)."""
    token = _context.set({**(_context.get() or {}), **{k: v for k, v in values.items() if v not in (None, "")}})
    try:
        yield
    finally:
        _context.reset(token)


class WithContext(logging.Filter):
    """Copies the log context (``request_id``, ``case_id``) onto the record, for the JSON formatter and the plain
    format's ``%(request_id)s``."""

    def filter(self, record: logging.LogRecord) -> bool:
        values = _context.get() or {}
        for key, value in values.items():
            if not hasattr(record, key):
                setattr(record, key, value)
        if not hasattr(record, "request_id"):
            record.request_id = ""
        return True


class Json(JsonFormatter):
    """One JSON object a line: time, level, logger, message, the context (request_id, case) and any ``extra``;
    a traceback as ``exc_info``. Chinese stays readable (no \\u escapes)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("fmt", "%(asctime)s %(levelname)s %(name)s %(message)s")
        kwargs.setdefault("rename_fields", {"asctime": "time", "levelname": "level", "name": "logger"})
        kwargs.setdefault("json_ensure_ascii", False)
        super().__init__(*args, **kwargs)

    def add_fields(self, log_data: dict[str, Any], record: logging.LogRecord, message_dict: dict[str, Any]) -> None:
        super().add_fields(log_data, record, message_dict)
        if not log_data.get("request_id"):
            log_data.pop("request_id", None)
        # Django's request logger attaches the request and the server's socket: not data, and not serialisable.
        log_data.pop("request", None)
        log_data.pop("server_time", None)


class ClientErrorsInOneLine(logging.Filter):
    """A refused request (a 4xx: permission denied, a body that does not parse) is the client's doing, not a fault of
    the server: Django logs it with the exception's whole traceback, which buries real errors. Keep the one line
    ("Forbidden (Permission denied): /admin/...") and drop the traceback; 5xx keep theirs."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if isinstance(status, int) and status < 500:
            record.exc_info = None
            record.exc_text = None
        return True
