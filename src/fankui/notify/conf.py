"""Notify's settings: ``FANKUI_<NAME>`` on the settings module (tests override them there) or in the environment."""

from __future__ import annotations

import os

from django.conf import settings


def setting(name: str, default: str = "") -> str:
    value = getattr(settings, f"FANKUI_{name}", None)
    if value is None:
        value = os.environ.get(f"FANKUI_{name}", default)
    return str(value)


def sms_gateway_url() -> str:
    """Where SMS are POSTed as JSON ({"to", "text"}); empty means SMS wait in the queue."""
    return setting("SMS_GATEWAY_URL")


def webhook_secret() -> str:
    """The key that signs webhook bodies (X-Fankui-Signature: sha256=<hex>); defaults to the site's secret."""
    return setting("WEBHOOK_SECRET") or str(settings.SECRET_KEY)


def public_url() -> str:
    """The site's address as citizens reach it, for links in messages sent by the worker (no request there)."""
    return setting("PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")


def from_email() -> str:
    return setting("FROM_EMAIL") or str(getattr(settings, "DEFAULT_FROM_EMAIL", "webmaster@localhost"))
