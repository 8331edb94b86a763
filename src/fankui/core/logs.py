"""Logging helpers named in ``settings.LOGGING``."""

from __future__ import annotations

import logging


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
