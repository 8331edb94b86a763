"""``POST /partners/<slug>/submissions``: a partner system's signed request becomes a case (docs/partners.md).

Not part of the token API under /api/v1/: it authenticates by a signature over the exact bytes sent, so it reads the
body itself, and checks in this order, each with its own answer in JSON ``{"code", "detail", "errors"?}``: the
partner (401), the size (413), the signature and its timestamp (401), the partner's rate limit (429), the JSON
(400, 422 with every problem by field), then the one door of intake (422, 409). Nothing here answers 500.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from fankui.core.errors import DomainError
from fankui.core.text import as_id
from fankui.core.throttle import Throttled

from . import schemas, services, signing


def _error(error: DomainError) -> JsonResponse:
    response = JsonResponse(error.as_dict(), status=error.status, json_dumps_params={"ensure_ascii": False})
    if isinstance(error, Throttled):
        response["Retry-After"] = str(error.retry_after)
    return response


def _length(request: HttpRequest) -> int:
    return as_id(request.META.get("CONTENT_LENGTH")) or 0


@csrf_exempt
def submissions(request: HttpRequest, slug: str) -> JsonResponse:
    if request.method != "POST":
        response = JsonResponse(
            {"code": "method_not_allowed", "detail": _("This address does not accept this method.")}, status=405
        )
        response["Allow"] = "POST"
        return response
    try:
        partner = services.active_partner(slug)
        services.check_size(_length(request))
        try:
            body = request.body
        except RequestDataTooBig:
            raise services.too_large() from None
        services.check_size(len(body))  # a body sent without its length
        signed = services.verify(
            partner,
            request.headers.get(signing.TIMESTAMP_HEADER, ""),
            request.headers.get(signing.SIGNATURE_HEADER, ""),
            body,
        )
        services.count_request(partner)
        payload = schemas.parse(body)
        case, created = services.submit(signed, schemas.to_input(payload), payload.reference)
    except DomainError as error:
        return _error(error)
    answer: dict[str, Any] = {
        "tracking_code": case.tracking_code,
        # As POST /api/v1/submissions answers: the address this request reached (callbacks use FANKUI_PUBLIC_URL).
        "tracking_url": request.build_absolute_uri(reverse("portal:track", kwargs={"code": case.tracking_code})),
        "state": case.state,
        "received_at": timezone.localtime(case.created_at).isoformat(),
        "reference": payload.reference,
    }
    return JsonResponse(answer, status=201 if created else 200, json_dumps_params={"ensure_ascii": False})
