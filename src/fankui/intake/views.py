"""Attachments are personal data: served only to staff who can see their case, every look recorded."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest

from fankui.audit.services import record_access
from fankui.cases.queries import visible_cases

from .models import Attachment

# Shown in the browser; anything else (never stored today, intake accepts only these) is downloaded.
INLINE_TYPES = ("image/", "application/pdf")


@login_required
def attachment(request: HttpRequest, token: str) -> FileResponse:
    item = Attachment.objects.select_related("submission__case").filter(token=token).first()
    # An unknown token and a case out of the user's sight answer the same 404.
    if item is None or not visible_cases(request.user).filter(submission_id=item.submission_id).exists():  # type: ignore[arg-type]
        raise Http404
    case = item.submission.case
    try:
        handle = item.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    record_access(request.user, case, "attachment")  # type: ignore[arg-type]
    response = FileResponse(
        handle,
        content_type=item.content_type,
        as_attachment=not item.content_type.startswith(INLINE_TYPES),
        filename=item.original_name,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
