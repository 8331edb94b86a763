"""Rate limits: the one module every public entry point (the web form, ``POST /api/v1/submissions``, tracking by
code, rating) and the login ask before they do anything.

A limit is "so many requests per window" (``settings.FANKUI_RATE_LIMITS``, from the ``FANKUI_RATE_*`` variables),
counted per client address and, for submissions, per phone number or e-mail address too, in Django's cache. The
window is fixed (it starts at a multiple of its length): one counter per key and window, one ``incr`` per request,
nothing to clean up. At a window's edge a client may get up to twice the limit in a short time; that is the price
of the simplicity, and still stops a burst of hundreds.

The cache must be shared by every server process for the counts to be right (``FANKUI_CACHE_URL``); with the
default, each process counts on its own.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import ngettext

from .errors import DomainError


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
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return str(request.META.get("REMOTE_ADDR", ""))


def contact_key(value: str) -> str:
    """A phone number or e-mail address in one spelling, so that "138 0013 8000" and "13800138000" count together."""
    value = value.strip().lower()
    if "@" in value:
        return value
    return "".join(ch for ch in value if ch.isdigit())


@dataclass(frozen=True)
class Limit:
    count: int
    seconds: int


def limit(scope: str) -> Limit | None:
    rate = settings.FANKUI_RATE_LIMITS.get(scope)
    return Limit(*rate) if rate else None


def _hit(scope: str, who: str, rule: Limit, now: float) -> int:
    """Count one request of ``who`` in its current window; the seconds until it ends when this one is over."""
    window = int(now // rule.seconds)
    digest = hashlib.sha256(who.encode()).hexdigest()[:24]
    key = f"throttle:{scope}:{digest}:{window}"
    # add() is a no-op when the key exists; incr() is atomic in the shared caches (database, Redis).
    cache.add(key, 0, timeout=rule.seconds + 1)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between the two calls
        cache.set(key, 1, timeout=rule.seconds + 1)
        count = 1
    if count <= rule.count:
        return 0
    return int((window + 1) * rule.seconds - now) or 1


def check(request: HttpRequest, scope: str, *, contacts: tuple[str, ...] = ()) -> None:
    """Count this request of the client (and of each contact given) against the limits of ``scope``; raise
    ``Throttled`` when one of them is over."""
    now = time.time()
    waits = []
    rule = limit(scope)
    if rule is not None:
        waits.append(_hit(scope, "ip:" + client_address(request), rule, now))
    contact_rule = limit(scope + "_contact")
    if contact_rule is not None:
        for contact in {contact_key(c) for c in contacts if c and c.strip()} - {""}:
            waits.append(_hit(scope + "_contact", "contact:" + contact, contact_rule, now))
    wait = max(waits, default=0)
    if wait:
        raise Throttled(wait)


def page(request: HttpRequest, error: Throttled) -> HttpResponse:
    """The page that says so: 429, with Retry-After."""
    context = {"status": 429, "message": error.message, "base": "portal/base.html"}
    response = render(request, "429.html", context, status=429)
    response["Retry-After"] = str(error.retry_after)
    return response


def check_user(request: HttpRequest, scope: str) -> None:
    """Count this request of the signed-in user against the limit of ``scope``; raise ``Throttled`` when over it.
    For staff endpoints called as a person works (the operator's suggestions while typing): counted per person, as a
    centre's operators often reach the site from one address behind its NAT."""
    rule = limit(scope)
    user = getattr(request, "user", None)
    if rule is None or user is None or not user.is_authenticated:
        return
    wait = _hit(scope, f"user:{user.pk}", rule, time.time())
    if wait:
        raise Throttled(wait)


def count(scope: str, who: str, rule: Limit) -> int:
    """Count one request of ``who`` (a key of the caller's choosing, e.g. an API client's id) against ``rule``,
    which the caller holds (a limit of its own per client); the seconds to wait when over it, else 0."""
    return _hit(scope, who, rule, time.time())
