"""The signature of a partner webhook, both ways: HMAC-SHA256 under the partner's secret over
``"<timestamp>.<body>"``, sent as ``X-Fankui-Signature: sha256=<hex>`` beside ``X-Fankui-Timestamp: <unix seconds>``
(docs/partners.md has examples in Python and with curl and openssl). Plain functions, no database."""

from __future__ import annotations

import hashlib
import hmac
import re
import time
from collections.abc import Iterable

TIMESTAMP_HEADER = "X-Fankui-Timestamp"
SIGNATURE_HEADER = "X-Fankui-Signature"
DELIVERY_HEADER = "X-Fankui-Delivery"
EVENT_HEADER = "X-Fankui-Event"
PREFIX = "sha256="

_HEX = re.compile(r"[0-9a-f]{64}")
_TIMESTAMP = re.compile(r"[0-9]{1,12}")


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """The hex HMAC-SHA256 of ``timestamp + "." + body`` under ``secret`` (its UTF-8 bytes)."""
    return hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def headers(secret: str, body: bytes, now: float | None = None) -> dict[str, str]:
    """The two headers that sign ``body`` now."""
    timestamp = str(int(time.time() if now is None else now))
    return {TIMESTAMP_HEADER: timestamp, SIGNATURE_HEADER: PREFIX + signature(secret, timestamp, body)}


def parse_signature(value: str) -> str | None:
    """The hex digest of a ``sha256=<hex>`` header value, or None when it is not one."""
    value = value.strip()
    if not value.lower().startswith(PREFIX):
        return None
    digest = value[len(PREFIX) :].lower()
    return digest if _HEX.fullmatch(digest) else None


def parse_timestamp(value: str) -> int | None:
    value = value.strip()
    return int(value) if _TIMESTAMP.fullmatch(value) else None


def made_by(secrets: Iterable[str], timestamp: str, body: bytes, digest: str) -> bool:
    """Whether one of ``secrets`` made ``digest``; compared in constant time."""
    found = False
    for secret in secrets:
        if secret:
            # Every secret is tried, so the time taken does not say which one matched.
            found |= hmac.compare_digest(signature(secret, timestamp, body), digest)
    return found
