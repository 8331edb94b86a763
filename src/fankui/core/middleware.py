"""Middleware of the core: the request id every log line carries, a refusal that says "try again" when the site
cannot store anything, "not found" for an address with a control character, "bad request" for a Content-Length
that is not a number, and the Content-Security-Policy on pages."""

from __future__ import annotations

import errno
import logging
from collections.abc import Callable

from csp.middleware import CSPMiddleware
from django.core.exceptions import BadRequest
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from . import logs, text
from .errors import Unavailable

log = logging.getLogger("fankui.outage")

# How long a client is asked to wait when the database or the attachment store is out: a restart of PostgreSQL or a
# fail-over takes seconds to a minute; a client that retries sooner only adds to the queue.
RETRY_AFTER_SECONDS = 30
# The disk (or quota) is full: ENOSPC, EDQUOT. Nothing the client did; nothing stored (intake removes what it wrote).
STORAGE_FULL = frozenset({errno.ENOSPC, errno.EDQUOT})


class PageCSP(CSPMiddleware):
    """django-csp's middleware, for everything but JSON. A JSON answer (every API submission and staff call) is
    served with ``nosniff`` and never rendered as a page, so a policy on it protects nothing; django-csp builds the
    policy for every response, even one it then leaves without it, which cost each submission about 0.06 ms."""

    def process_response(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        if response.get("Content-Type", "").startswith("application/json"):
            return response
        return super().process_response(request, response)


class RequestId:
    """Gives each request an id (the client's ``X-Request-ID`` when it is a sane token, else a new one), puts it in
    the log context of everything the request does (``core.logs``), and answers it in ``X-Request-ID``. Intake keeps
    it with the submission, so the analysis and every message sent about the case log it too (docs/operations.md)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        request_id = logs.accept_request_id(request.headers.get("X-Request-ID", ""))
        request.request_id = request_id  # type: ignore[attr-defined]
        with logs.context(request_id=request_id):
            response = self.get_response(request)
        response["X-Request-ID"] = request_id
        return response


class NoControlCharactersInPath:
    """No address of the site has a control character (NUL, ...) or a lone surrogate in its path, so one that does is
    not found (the 404 page in the reader's language; JSON under /api/), before any view looks its part up:
    PostgreSQL refuses NUL even in a comparison, which made a 500 of ``/staff/attachments/%00/`` and of an Open311
    ``/tokens/%00.json`` (tests/core/test_hostile_parameters_never_make_a_500.py). The API is left to say more: its
    path parameters are ``core.text.Text``, refused with a 422 that names the parameter."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if text.first_control(request.path_info) is not None and not request.path_info.startswith("/api/"):
            raise Http404
        return self.get_response(request)


class ContentLengthIsANumber:
    """A request whose ``Content-Length`` is not a number is a bad request (the 400 page, JSON under /api/). Django
    reads the header with a bare ``int()`` the first time anything reads the body (the CSRF check, a form, the API),
    which made a 500 of every POST that sent ``Content-Length: abc`` through a server that passes the header on
    (tests/core/test_hostile_methods_headers_and_uploads_never_make_a_500.py)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        length = request.META.get("CONTENT_LENGTH")
        if length and not (length.isascii() and length.isdigit()):
            raise BadRequest(_("The request's Content-Length is not a number."))
        return self.get_response(request)


def is_outage(exc: BaseException) -> bool:
    """The database cannot be reached (connection refused, lost, server shutting down) or the disk is full: the
    request was fine, the server cannot keep it now."""
    if isinstance(exc, (OperationalError, InterfaceError, Unavailable)):
        return True
    return isinstance(exc, OSError) and exc.errno in STORAGE_FULL


def unavailable_response(request: HttpRequest, exc: BaseException | None = None) -> HttpResponse:
    """503 with ``Retry-After``: JSON under /api/ (and for clients asking for JSON), else a page that needs neither the
    request's session nor the database. The message says nothing was stored, so the person sends it again."""
    retry_after = exc.retry_after if isinstance(exc, Unavailable) else RETRY_AFTER_SECONDS
    detail = (
        str(exc.message)
        if isinstance(exc, Unavailable)
        else _("The service is briefly unavailable and nothing was stored. Please send it again in a minute.")
    )
    if request.path.startswith(("/api/", "/open311/")) or "json" in request.headers.get("Accept", ""):
        response: HttpResponse = JsonResponse({"code": "unavailable", "detail": detail}, status=503)
    else:
        response = HttpResponse(render_to_string("503.html", {"detail": detail}), status=503)
    response["Retry-After"] = str(retry_after)
    response["Cache-Control"] = "no-store"
    return response


class ServiceUnavailable:
    """A view that fails because the database is unreachable or the attachment store is full answers 503 with
    ``Retry-After``, never a 500 with a traceback: the submission is not half-stored (its transaction rolled back,
    intake removed the files it wrote) and the client can send it again. Failures before the view (a session read
    while the database is down) reach ``fankui.errorpages.server_error``, which answers the same."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        if not is_outage(exc):
            return None
        log.warning("refused %s %s with 503: %s", request.method, request.path, describe(exc))
        return unavailable_response(request, exc)


def describe(exc: BaseException) -> str:
    """The kind of failure, without a message that may name a host, a user or a path."""
    if isinstance(exc, OSError) and exc.errno in STORAGE_FULL:
        return f"storage full ({errno.errorcode.get(exc.errno or 0, exc.errno)})"
    return type(exc).__name__
