"""Notify's settings: ``FANKUI_<NAME>`` on the settings module (tests override them there) or in the environment.
The site's address for links (``public_url``, ``served_url``) is core's (``core.site``): ``fankui serve`` needs it
too."""

from __future__ import annotations

from django.conf import settings

from fankui.core.site import public_url, served_url, setting

__all__ = ["from_email", "public_url", "served_url", "setting", "sms_gateway_url"]


def sms_gateway_url() -> str:
    """Where SMS are POSTed as JSON ({"to", "text"}); empty means SMS wait in the queue."""
    return setting("SMS_GATEWAY_URL")


def from_email() -> str:
    return setting("FROM_EMAIL") or str(getattr(settings, "DEFAULT_FROM_EMAIL", "webmaster@localhost"))
