"""Rate limits: the one module every public entry point (the web form, ``POST /api/v1/submissions``, tracking by
code, rating) and the login ask before they do anything.

A limit is "so many requests per window" (``settings.FANKUI_RATE_LIMITS``, from the ``FANKUI_RATE_*`` variables),
counted per client address and, for submissions, per phone number or e-mail address too. The counting is
django-ratelimit's (``get_usage``): a fixed window per key (its start offset by a hash of the key, so that windows
do not all end together), one counter in Django's cache per key and window (the key hashed: no address or phone
number is stored), one ``incr`` per request, nothing to clean up. At a window's edge a client may get up to twice
the limit in a short time; it still stops a burst of hundreds.

The cache must be shared by every server process for the counts to be right (``FANKUI_CACHE_URL``); with the
default, each process counts on its own.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import ngettext
from django_ratelimit.core import get_usage

from .errors import DomainError

View = Callable[..., HttpResponse]


class Throttled(DomainError):
    """Too many requests: try again after ``retry_after`` seconds."""

    status = 429
    code = "throttled"

    def __init__(self, retry_after: int) -> None:
        self.retry_after = max(1, retry_after)
        minutes = (self.retry_after + 59) // 60
        super().__init__(
            ngettext(
                "Too many requests from you in a short time. Please try again in %(minutes)d minute.",
                "Too many requests from you in a short time. Please try again in %(minutes)d minutes.",
                minutes,
            )
            % {"minutes": minutes}
        )


def client_address(request: HttpRequest | None) -> str:
    """The client's address: the connection's, or behind ``FANKUI_TRUSTED_PROXIES`` proxies the one the outermost
    of them saw (counted from the right of X-Forwarded-For, so a client cannot choose its own by sending one)."""
    if request is None:
        return ""
    proxies = settings.FANKUI_TRUSTED_PROXIES
    if proxies:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        # Only an address: a sign-in stores it (axes' inet column on PostgreSQL refuses anything else, a 500), and a
        # header a proxy passed on unchecked, or too many proxies counted, would let a client write anything there.
        if len(forwarded) >= proxies and _is_address(forwarded[-proxies]):
            return forwarded[-proxies]
    return str(request.META.get("REMOTE_ADDR", ""))


def _is_address(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def contact_key(value: str) -> str:
    """A phone number or e-mail address in one spelling, so that "138 0013 8000", "+86 13800138000" and "13800138000"
    count together."""
    value = value.strip().lower()
    if "@" in value:
        return value
    digits = "".join(ch for ch in value if ch.isdigit())
    # +86 138…, 0086 138… and 138… are one number (intake stores them alike), so one counter.
    if digits.startswith("0086"):
        digits = digits[4:]
    elif digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    return digits


# A limit: (requests, seconds), as settings.FANKUI_RATE_LIMITS holds them; None is no limit.
Rate = tuple[int, int] | None


def _hit(request: HttpRequest | None, scope: str, who: str, rate: Rate = None) -> int:
    """Count one request of ``who`` against ``rate``, by default the limit of ``scope``; the seconds until its window
    ends when this one is over the limit, else 0."""
    usage = get_usage(
        request,
        group=scope,
        key=lambda _group, _request: who,
        rate=rate or settings.FANKUI_RATE_LIMITS.get(scope),
        increment=True,
    )
    if usage is None or not usage["should_limit"]:
        return 0
    # time_left is -1 when the counter expired between two cache calls (django-ratelimit then refuses): wait a second.
    return max(1, usage["time_left"])


def check(request: HttpRequest, scope: str, *, contacts: tuple[str, ...] = ()) -> None:
    """Count this request of the client (and of each contact given) against the limits of ``scope``; raise
    ``Throttled`` when one of them is over."""
    waits = [_hit(request, scope, "ip:" + client_address(request))]
    for contact in {contact_key(c) for c in contacts if c and c.strip()} - {""}:
        waits.append(_hit(request, scope + "_contact", "contact:" + contact))
    wait = max(waits)
    if wait:
        raise Throttled(wait)


def page(request: HttpRequest, error: Throttled) -> HttpResponse:
    """The page that says so: 429, with Retry-After."""
    context = {"status": 429, "message": error.message, "base": "portal/base.html"}
    response = render(request, "429.html", context, status=429)
    response["Retry-After"] = str(error.retry_after)
    return response


def counted(scope: str) -> Callable[[View], View]:
    """A page's decorator: each request counts against the limit of ``scope`` before the page does anything, and one
    over it gets the 429 page. For every public page that looks a case up by its tracking code (``"track"``): none
    may be a way round the tracking page's limit to try made-up codes."""

    def decorator(view: View) -> View:
        @wraps(view)
        def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            try:
                check(request, scope)
            except Throttled as exc:
                return page(request, exc)
            return view(request, *args, **kwargs)

        return checked

    return decorator


def check_user(request: HttpRequest, scope: str) -> None:
    """Count this request of the signed-in user against the limit of ``scope``; raise ``Throttled`` when over it.
    For staff endpoints called as a person works (the operator's suggestions while typing): counted per person, as a
    centre's operators often reach the site from one address behind its NAT."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return
    wait = _hit(request, scope, f"user:{user.pk}")
    if wait:
        raise Throttled(wait)


def count(scope: str, who: str, rate: Rate) -> int:
    """Count one request of ``who`` (a key of the caller's choosing, e.g. an API client's id) against ``rate``,
    which the caller holds (a limit of its own per client; None: no limit); the seconds to wait when over it, else 0."""
    return 0 if rate is None else _hit(None, scope, who, rate)
