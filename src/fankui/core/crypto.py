"""Encryption at rest of personal data, and the keyed hashes that still find it.

Contact details are stored as Fernet tokens (AES-128-CBC with HMAC-SHA256, from ``cryptography``) under
``settings.FANKUI_ENCRYPTION_KEYS``: the first key encrypts, every key decrypts (``MultiFernet``), so a new key is
added in front and ``fankui rotate-key`` re-encrypts the rows with it. A token is random each time, so the database
cannot compare encrypted values: finding a caller's cases by number uses ``lookup_hash``, an HMAC-SHA256 under
``settings.FANKUI_LOOKUP_KEY`` of the normalised value, kept in a column beside it (docs/privacy.md).
"""

from __future__ import annotations

import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

# Every Fernet token starts with its version byte 0x80, which base64 writes as "gAAAAA" (the timestamp's high bytes
# are zero for centuries). A stored value without it is plain text from before encryption: read as it is, and
# encrypted by the migration or by `fankui rotate-key`.
TOKEN_PREFIX = "gAAAAA"


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    try:
        return MultiFernet([Fernet(key.encode()) for key in keys])
    except ValueError:
        raise ImproperlyConfigured(
            "FANKUI_ENCRYPTION_KEYS: each key must be 32 url-safe base64-encoded bytes "
            '(python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())")'
        ) from None


def fernet() -> MultiFernet:
    return _fernet(tuple(settings.FANKUI_ENCRYPTION_KEYS))


def is_encrypted(value: str) -> bool:
    return value.startswith(TOKEN_PREFIX)


def encrypt(text: str) -> str:
    """The token of ``text``; the empty string stays empty (so "has no phone" remains a plain comparison)."""
    return fernet().encrypt(text.encode()).decode() if text else ""


def decrypt(stored: str) -> str:
    if not is_encrypted(stored):
        return stored
    try:
        return fernet().decrypt(stored.encode()).decode()
    except InvalidToken:
        raise ImproperlyConfigured(
            "An encrypted value cannot be read with any key of FANKUI_ENCRYPTION_KEYS: "
            "a key that encrypted it is missing (keep old keys after the new one until `fankui rotate-key` ran)."
        ) from None


def lookup_hash(value: str) -> str:
    """The keyed hash (hex) that finds ``value`` (already normalised by the caller); empty for no value."""
    if not value:
        return ""
    return hmac.new(settings.FANKUI_LOOKUP_KEY.encode(), value.encode(), hashlib.sha256).hexdigest()
