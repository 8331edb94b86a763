"""The REST API under /api/v1/: one NinjaAPI, the routers of the apps, and one handler per error family so that
bad input always gets a JSON answer with a clear message, never a 500. The staff routers authenticate with
``accounts.api.staff_auth``; nothing imports this module but the URLs."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from fankui.analysis.api import router as analysis_router
from fankui.cases.api import router as cases_router
from fankui.core import schema_errors
from fankui.core.errors import DomainError, Unavailable
from fankui.core.throttle import Throttled
from fankui.insights.api import router as insights_router
from fankui.portal.api import router as portal_router
from fankui.surveys.api import router as surveys_router


class API(NinjaAPI):
    """ninja's API with its OpenAPI document built once per process, path and language, not on every request to
    ``openapi.json``: anyone may ask for it, and building it costs about a third of a second of CPU. The routes do
    not change while a process runs. The document returned is shared: never change it."""

    def get_openapi_schema(self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None) -> Any:
        key = (path_prefix, tuple(sorted((path_params or {}).items())), translation.get_language())
        schema = _schemas.get(key)
        if schema is None:
            schema = _schemas[key] = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        return schema


_schemas: dict[tuple[Any, ...], Any] = {}

api = API(
    title="Fankui API",
    version="1",
    description="Submit feedback, track it by code, and work cases (staff, with a bearer token).",
    urls_namespace="api",
)


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    response = api.create_response(request, exc.as_dict(), status=exc.status)
    if isinstance(exc, (Throttled, Unavailable)):
        response["Retry-After"] = str(exc.retry_after)
    return response


@api.exception_handler(NinjaValidationError)
def validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    errors: dict[str, list[str]] = {}
    for error in exc.errors:
        # ninja's locations start with where the value came from and, for a body, the parameter's name
        # (["body", "payload", "contact", "phone"]); clients want the field path ("contact.phone").
        location = [str(part) for part in error.get("loc", [])]
        if location[:1] == ["body"]:
            location = location[2:]
        elif location[:1] and location[0] in ("query", "path", "header", "cookie", "form", "file"):
            location = location[1:]
        errors.setdefault(".".join(location) or "request", []).append(schema_errors.message(error))
    return api.create_response(
        request,
        {"code": "validation_failed", "detail": _("The request is not valid."), "errors": errors},
        status=422,
    )


@api.exception_handler(AuthenticationError)
def authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(
        request, {"code": "unauthorized", "detail": _("A valid API token is required.")}, status=401
    )


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if exc.status_code == 400:
        # ninja's only 400 is a body it cannot parse ("Cannot parse request body"): say so in the reader's language.
        detail = _("The request body could not be read: send JSON (Content-Type: application/json).")
        return api.create_response(request, {"code": "bad_request", "detail": detail}, status=400)
    return api.create_response(request, {"code": "error", "detail": str(exc)}, status=exc.status_code)


api.add_router("/", portal_router)
api.add_router("/", cases_router)
api.add_router("/", insights_router)
api.add_router("/", analysis_router)
api.add_router("/", surveys_router)
