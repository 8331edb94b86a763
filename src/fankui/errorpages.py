"""Error pages in the site's look and the reader's language, with a way back; JSON under /api/.

``urls.py`` names the handlers of 400 (413 for a body over Django's size limit), 403, 404 and 500;
``MethodNotAllowedPage`` (a middleware) gives the 405 that Django's ``require_POST`` and the API answer without a
page of their own the same treatment. Staff who are signed in get the staff header (their work is one click away),
everybody else the public one.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import DisallowedHost, RequestDataTooBig
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from fankui.accounts import permissions
from fankui.core.middleware import is_outage, unavailable_response

API_PREFIX = "/api/"

# What the API says for each status it did not answer itself (its own errors carry their own code and detail).
API_ERRORS: dict[int, tuple[str, Callable[[], str]]] = {
    400: ("bad_request", lambda: _("The request could not be understood.")),
    403: ("forbidden", lambda: _("You may not do this.")),
    404: ("not_found", lambda: _("There is nothing at this address.")),
    405: ("method_not_allowed", lambda: _("This address does not accept this method.")),
    413: (
        "too_large",
        lambda: _("The request is larger than this site accepts (%(mb)d MB).") % {"mb": _limit_mb()},
    ),
    500: ("server_error", lambda: _("Something went wrong on our side; it was recorded. Please try again later.")),
}


def _limit_mb() -> int:
    return max(1, settings.DATA_UPLOAD_MAX_MEMORY_SIZE // (1024 * 1024))


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIX)


def _api_error(status: int) -> JsonResponse:
    code, detail = API_ERRORS[status]
    return JsonResponse({"code": code, "detail": detail()}, status=status)


def _is_staff(request: HttpRequest) -> bool:
    return permissions.is_staff(getattr(request, "user", None))


def _back(request: HttpRequest) -> str:
    """The page the reader came from, when it is one of ours (never an outside address)."""
    referer = request.headers.get("Referer", "")
    if not referer:
        return ""
    try:
        host = request.get_host()
    except DisallowedHost:  # the 400 of a request for a host we do not serve: no way back to offer
        return ""
    return referer if url_has_allowed_host_and_scheme(referer, {host}, request.is_secure()) else ""


def _page(request: HttpRequest, status: int) -> HttpResponse:
    if _is_api(request):
        return _api_error(status)
    staff = _is_staff(request)
    context = {
        "status": status,
        "staff": staff,
        "base": "staff_base.html" if staff else "portal/base.html",
        "back": _back(request),
        "limit_mb": _limit_mb(),
    }
    return render(request, f"{status}.html", context, status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    # Django turns a body over DATA_UPLOAD_MAX_MEMORY_SIZE into a 400; the client needs to know it was the size.
    return _page(request, 413 if isinstance(exception, RequestDataTooBig) else 400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(request, 403)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent without its security token (cookies blocked, or the page open for very long): the 403 page in
    the site's look, saying what to do, instead of Django's technical English page."""
    if _is_api(request):
        return _api_error(403)
    context = {
        "status": 403,
        "staff": _is_staff(request),
        "base": "staff_base.html" if _is_staff(request) else "portal/base.html",
        "back": _back(request),
        "csrf": True,
    }
    return render(request, "403.html", context, status=403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(request, 404)


def server_error(request: HttpRequest) -> HttpResponse:
    """Whatever failed may fail again (the database, a template): a page that needs no request context and no
    query, as Django's own. The database unreachable before any view ran (a session read, a middleware's query)
    answers 503 with Retry-After, as ``core.middleware.ServiceUnavailable`` does for views."""
    failure = sys.exc_info()[1]
    if failure is not None and is_outage(failure):
        return unavailable_response(request, failure)
    if _is_api(request):
        return _api_error(500)
    return HttpResponse(render_to_string("500.html"), status=500)


class MethodNotAllowedPage:
    """A 405 (a link to an address that only takes a form's POST, say) is an empty page in the browser and a line
    of text from the API: a page with a way back, or the API's JSON error. The ``Allow`` header is kept."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not isinstance(response, HttpResponseNotAllowed):
            return response
        page = _page(request, 405)
        page["Allow"] = response["Allow"]
        return page
