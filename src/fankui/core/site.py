"""Where the site is served and reached, for links in messages and for ``fankui serve``."""

from __future__ import annotations

from django.conf import settings


def public_url() -> str:
    """The site's address as citizens reach it, for links in messages sent by the worker (no request there):
    ``FANKUI_PUBLIC_URL``, else the address the site is served on (``FANKUI_BIND``, which ``fankui serve --bind``
    and ``make run`` set for every process they start)."""
    return (settings.FANKUI_PUBLIC_URL or served_url()).rstrip("/")


def served_url(bind: str | None = None) -> str:
    """``http://HOST:PORT`` of an ``ADDRESS:PORT`` bind. An address that means "every interface" (0.0.0.0, ::) is
    no address to give anybody: this machine's own (127.0.0.1) stands in, and FANKUI_PUBLIC_URL should be set."""
    bind = (bind if bind is not None else settings.FANKUI_BIND).strip() or "127.0.0.1:8000"
    host, _, port = bind.rpartition(":")
    host = host.strip("[]")
    if not port.isdigit():
        host, port = bind.strip("[]"), "8000"
    if host in ("", "0.0.0.0", "::"):
        host = "127.0.0.1"
    if ":" in host:
        host = f"[{host}]"  # an IPv6 address in a URL
    return f"http://{host}" if port == "80" else f"http://{host}:{port}"
