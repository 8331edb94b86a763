"""Stored files (a case's attachments, an action's evidence) may show people and their homes: served only to staff
the owner's app lets see them (``files``), every look recorded."""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpRequest

from fankui.accounts.models import User
from fankui.accounts.views import staff_required
from fankui.audit.services import record_file_access

from . import files
from .models import StoredFile


@staff_required
def stored_file(request: HttpRequest, token: str) -> FileResponse:
    user: User = request.user  # type: ignore[assignment]
    item = StoredFile.objects.select_related("owner_type").filter(token=token).first()
    # An unknown token and a file out of the user's sight answer the same 404.
    look = files.look(user, item) if item is not None else None
    if item is None or look is None:
        raise Http404
    try:
        handle = item.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    record_file_access(user, item.pk, look.what, case_id=look.case_id)
    # Always a download, never shown in the browser (a PDF can carry scripts and forms, and a file is what its
    # checked type says only as far as intake could tell); an <img> of a picture still shows it. nosniff: the
    # browser takes the type we stored, never guesses another from the bytes.
    response = FileResponse(handle, content_type=item.content_type, as_attachment=True, filename=item.original_name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
