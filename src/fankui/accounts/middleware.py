"""The staff session: rate-limited login, the second factor before any staff page, and the idle timeout."""

from __future__ import annotations

import time
from collections.abc import Callable
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse

from fankui.core import throttle

from . import permissions

# Pages a signed-in user who still owes the second factor may open: the sign-in steps themselves (_open_paths), the
# language switch, assets, and the API (which authenticates by token, never by this session).
OPEN_PREFIXES = ("/i18n/", "/static/", "/api/")
# A working session's expiry moves forward at most this often: a write per minute, not per request.
TOUCH_EVERY_SECONDS = 60
TOUCHED = "_fankui_seen"


class StaffSession:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        # The API signs in by token, never here: its POSTs (every submission) skip looking up the login paths.
        if request.method == "POST" and not request.path.startswith("/api/") and request.path in _login_paths():
            try:
                throttle.check(request, "login")
            except throttle.Throttled as exc:
                return throttle.page(request, exc)
        user = request.user
        if user.is_authenticated:
            step = permissions.two_factor_step(user)
            if step and not (request.path.startswith(OPEN_PREFIXES) or request.path in _open_paths()):
                return _second_factor(request, step)
            _touch(request)
        return self.get_response(request)


def _login_paths() -> set[str]:
    return {reverse("accounts:login"), reverse("admin:login"), reverse("accounts:verify")}


def _open_paths() -> set[str]:
    names = [
        "accounts:login",
        "accounts:logout",
        "accounts:verify",
        "accounts:two_factor",
        "admin:login",
        "admin:logout",
    ]
    return {reverse(name) for name in names}


def _second_factor(request: HttpRequest, step: str) -> HttpResponse:
    target = reverse("accounts:verify" if step == "verify" else "accounts:two_factor")
    return redirect(f"{target}?{urlencode({'next': request.get_full_path()})}")


def _touch(request: HttpRequest) -> None:
    """Keep a session in use alive: saving it sets its expiry to now + SESSION_COOKIE_AGE (FANKUI_SESSION_IDLE_HOURS),
    so a session unused for that long ends."""
    if time.time() - int(request.session.get(TOUCHED, 0)) >= TOUCH_EVERY_SECONDS:
        mark_fresh(request)


def mark_fresh(request: HttpRequest) -> None:
    request.session[TOUCHED] = int(time.time())
