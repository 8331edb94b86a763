"""Open311 GeoReport v2 at /open311/v2/ (docs/open311.md). Each view is thin: read the parameters, ask the key and
the rate limits, call one query or service, answer in the format the address asked for (.xml or .json).

Whatever goes wrong answers the specification's error list (400, 403, 404; 429 with Retry-After when throttled),
never a page and never a 500."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import HttpRequest, HttpResponse, QueryDict
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from fankui.core import text, throttle
from fankui.core.errors import Conflict, DomainError, Unavailable, ValidationFailed
from fankui.core.lookups import cached_lookups

from . import formats, jurisdiction, queries, schemas, services
from .models import Open311Client, parse_rate

log = logging.getLogger(__name__)
SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
# When this endpoint's behaviour last changed (the discovery document's changeset).
CHANGESET = "2026-12-04T00:00:00+08:00"

View = Callable[..., HttpResponse]


class Refused(Exception):
    """An answer in the specification's error list."""

    def __init__(self, status: int, *problems: str, retry_after: int | None = None) -> None:
        super().__init__(problems[0] if problems else "")
        self.status = status
        self.problems = list(problems)
        self.retry_after = retry_after


def endpoint(*methods: str, jurisdictional: bool = True) -> Callable[[View], View]:
    """Every Open311 view: the methods it answers, the per-address limit, the jurisdiction (``jurisdictional``: the
    method takes ``jurisdiction_id``; discovery does not), and every failure as the error list."""

    def decorate(view: View) -> View:
        @csrf_exempt
        @wraps(view)
        def wrapper(request: HttpRequest, fmt: str, **kwargs: Any) -> HttpResponse:
            try:
                if request.method not in methods:
                    response = formats.errors(fmt, 405, [_("This address does not accept this method.")])
                    response["Allow"] = ", ".join(methods)
                    return response
                throttle.check(request, "open311")
                _refuse_control_characters(request)
                if jurisdictional:
                    _refuse_other_jurisdictions(request)
                # The clients' keys, the services and the SLA's policies, read under one stamp (core.lookups).
                with cached_lookups():
                    return view(request, fmt, **kwargs)
            except Refused as refused:
                return formats.errors(fmt, refused.status, refused.problems, retry_after=refused.retry_after)
            except throttle.Throttled as error:
                return formats.errors(fmt, 429, [str(error.message)], retry_after=error.retry_after)
            except RequestDataTooBig:
                limit = max(1, settings.DATA_UPLOAD_MAX_MEMORY_SIZE // (1024 * 1024))
                return formats.errors(
                    fmt, 413, [_("The request is larger than this site accepts (%(mb)d MB).") % {"mb": limit}]
                )
            except TooManyFieldsSent:
                return formats.errors(fmt, 400, [_("The request has too many parameters.")])
            except ValidationFailed as error:  # the parameters (``schemas``): every problem, named
                return formats.errors(fmt, 400, schemas.lines(error.errors))
            except Unavailable as error:  # the attachment store is full: nothing was kept, send it again later
                return formats.errors(fmt, 503, [str(error.message)], retry_after=error.retry_after)
            except DomainError as error:
                return formats.errors(fmt, 400, [str(error.message)])

        return wrapper

    return decorate


def _refuse_control_characters(request: HttpRequest) -> None:
    """Every parameter, the attributes nobody reads included, by the product's one text rule (``core.text``)."""
    problems = []
    for params in (request.GET, request.POST if request.method == "POST" else QueryDict()):
        for name, values in params.lists():
            for value in [name, *values]:
                char = text.first_control(value)
                if char is not None:
                    problems.append(f"{text.strip_control(name)[:50]}: {text.message(char)}")
                    break
    if problems:
        raise Refused(400, *problems)


def _refuse_other_jurisdictions(request: HttpRequest) -> None:
    """The specification's 404 for a ``jurisdiction_id`` that is not this endpoint's (``jurisdiction``)."""
    given = jurisdiction.foreign(request)
    if given is not None:
        raise Refused(
            404,
            _("jurisdiction_id: “%(given)s” was not found; this endpoint serves only “%(ours)s”.")
            % {"given": given[:60], "ours": jurisdiction.ours()},
        )


def _client(request: HttpRequest) -> Open311Client:
    """The client whose api_key came with the request (403 without a working one), counted against its limit."""
    key = request.POST.get("api_key") or request.GET.get("api_key") or ""
    if not key.strip():
        raise Refused(403, _("An api_key is required; ask the organisation for one."))
    client = services.client_for_key(key.strip())
    if client is None:
        raise Refused(403, _("This api_key is not valid, or was revoked."))
    rule = _limit_of(client)
    if rule is not None:
        wait = throttle.count("open311_client", f"client:{client.pk}", rule)
        if wait:
            raise throttle.Throttled(wait)
    return client


def _limit_of(client: Open311Client) -> throttle.Rate:
    """The client's own limit (the admin's "rate"), else the site's (FANKUI_RATE_OPEN311_CLIENT)."""
    site = settings.FANKUI_RATE_LIMITS.get("open311_client")
    if not client.rate:
        return site
    try:
        return parse_rate(client.rate)
    except ValueError:
        return site  # written past the admin's validation: the site's limit holds


def _window(start: datetime | None, end: datetime | None) -> tuple[datetime, datetime]:
    """The specification's window: the last 90 days unless asked, and never more than 90 days."""
    if start is None and end is None:
        end = timezone.now()
    try:
        if end is None:
            assert start is not None
            end = start + queries.WINDOW
        if start is None:
            start = end - queries.WINDOW
    except OverflowError:  # 9999-12-31 + 90 days, 0001-01-01 - 90 days
        raise Refused(400, _("start_date or end_date is outside the calendar.")) from None
    if end < start:
        raise Refused(400, _("end_date is before start_date."))
    if end - start > queries.WINDOW:
        raise Refused(400, _("start_date and end_date may not be more than 90 days apart."))
    return start, end


# --- Discovery and services ---------------------------------------------------------------------------------------
@endpoint("GET", jurisdictional=False)
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    base = request.build_absolute_uri(reverse("open311:base"))
    data = {
        "changeset": CHANGESET,
        "contact": _("Ask the organisation running this site for an api_key; its administrators issue them."),
        "key_service": _("api_key issued by the site's administrators (fankui open311 clients add NAME)."),
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": base.rstrip("/"),
                "changeset": CHANGESET,
                "type": "production",
                "formats": ["text/xml", "application/json"],
                # Not a field of the discovery specification (clients ignore what they do not know): the one
                # jurisdiction_id this endpoint serves, for clients that send one.
                "jurisdiction_id": jurisdiction.ours(),
            }
        ],
    }
    return formats.render(fmt, "discovery", None, data)


@endpoint("GET")
def service_list(request: HttpRequest, fmt: str) -> HttpResponse:
    return formats.render(fmt, "services", "service", queries.services())


@endpoint("GET")
def service_definition(request: HttpRequest, fmt: str, code: str) -> HttpResponse:
    category = queries.find_service(code)
    if category is None:
        raise Refused(404, _("No service has the code “%(code)s”.") % {"code": code[:40]})
    return formats.render(fmt, "service_definition", None, queries.service_definition(category))


# --- Requests -----------------------------------------------------------------------------------------------------
@endpoint("GET", "POST")
def requests(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method == "POST":
        return _post_request(request, fmt)
    params = schemas.read_list(request.GET)
    categories = []
    for code in params.codes:
        category = queries.find_service(code)
        if category is None:
            raise Refused(404, _("No service has the code “%(code)s”.") % {"code": code[:40]})
        categories.append(category.pk)
    start, end = _window(params.start_date, params.end_date)
    filters = queries.Filters(ids=params.ids, categories=categories, start=start, end=end, statuses=params.statuses)
    return formats.render(fmt, "service_requests", "request", queries.find_requests(filters))


def _post_request(request: HttpRequest, fmt: str) -> HttpResponse:
    client = _client(request)
    params = schemas.read_request(request.POST)
    if text.as_id(params.service_code) is None:  # a code is a category's id (intake would take a name too)
        raise Refused(404, _("No service has the code “%(code)s”.") % {"code": params.service_code[:40]})
    try:
        case, sent, _created = services.submit(
            client,
            services.RequestInput(
                service_code=params.service_code,
                description=params.description,
                title=params.title,
                kind=params.kind,
                lat=params.lat,
                lng=params.long,
                address=params.address_string,
                first_name=params.first_name,
                last_name=params.last_name,
                phone=params.phone,
                email=params.email,
                media_url=params.media_url,
                client_request_id=params.client_request_id(request.headers.get("Idempotency-Key", ""))[:80],
            ),
        )
    except ValidationFailed as error:
        if "category" in error.errors:
            # Intake looks the category up itself (one query, not two): an unknown code is the specification's 404.
            raise Refused(404, _("No service has the code “%(code)s”.") % {"code": params.service_code[:40]}) from error
        raise Refused(400, *schemas.lines({_PARAM.get(k, k): ms for k, ms in error.errors.items()})) from error
    except Conflict as error:
        raise Refused(400, str(error.message)) from error
    track = request.build_absolute_uri(reverse("portal:track", kwargs={"code": case.tracking_code}))
    answer = [
        {
            "service_request_id": str(case.pk),
            "token": sent.token,
            "service_notice": _("Tracking code for the person who wrote: %(code)s (%(url)s)")
            % {"code": case.display_code, "url": track},
            "account_id": "",
        }
    ]
    return formats.render(fmt, "service_requests", "request", answer)


# The specification's names of intake's fields, in its messages.
_PARAM = {
    "body": "description",
    "title": "attribute[title]",
    "kind": "attribute[kind]",
    "contact_name": "first_name/last_name",
    "contact_phone": "phone",
    "contact_email": "email",
    "location": "lat/long",
    "idempotency_key": "attribute[external_id]",
}


@endpoint("GET")
def request_detail(request: HttpRequest, fmt: str, request_id: str) -> HttpResponse:
    found = queries.find_request(request_id)
    if not found:
        raise Refused(404, _("No request has the id “%(id)s”.") % {"id": request_id[:40]})
    return formats.render(fmt, "service_requests", "request", found)


@endpoint("GET")
def token(request: HttpRequest, fmt: str, token: str) -> HttpResponse:
    sent = queries.request_for_token(token)
    if sent is None:
        raise Refused(404, _("No request has this token."))
    return formats.render(
        fmt, "service_requests", "request", [{"service_request_id": str(sent.case_id), "token": sent.token}]
    )


@endpoint("GET", "POST")
def request_updates(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method == "POST":
        return _post_update(request, fmt)
    client = _client(request)
    params = schemas.read_window(request.GET)
    start, end = _window(params.start_date, params.end_date)
    return formats.render(fmt, "service_request_updates", "request_update", queries.updates(client, start, end))


def _post_update(request: HttpRequest, fmt: str) -> HttpResponse:
    """FixMyStreet's comment on a report: only on a request this client sent (another client's, or one that came by
    another channel, answers 404 like an unknown id: a key never learns which requests exist)."""
    client = _client(request)
    files = schemas.uploads(request.FILES)
    params = schemas.read_update(request.POST, attached=bool(files))
    sent = queries.own_request(client, params.service_request_id)
    if sent is None:
        raise Refused(404, _("No request of this client has the id “%(id)s”.") % {"id": params.service_request_id})
    try:
        supplement, _created = services.post_update(
            client,
            sent,
            services.UpdateInput(
                update_id=params.update_id,
                description=params.description,
                status=params.status,
                email=params.email,
                phone=params.phone,
                media_urls=params.media_url,
                files=files,
            ),
        )
    except ValidationFailed as error:
        raise Refused(400, *[f"description: {m}" for ms in error.errors.values() for m in ms]) from error
    answer = [{"update_id": queries.update_id(supplement), "service_request_id": str(sent.case_id)}]
    return formats.render(fmt, "service_request_updates", "request_update", answer)


@csrf_exempt
def not_found(request: HttpRequest, rest: str = "") -> HttpResponse:
    """Anything else under /open311/v2/: the error list, in XML (the required format) unless .json was asked."""
    fmt = "json" if rest.endswith(".json") else "xml"
    return formats.errors(fmt, 404, [_("There is nothing at this address.")])
