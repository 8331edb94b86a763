"""The one jurisdiction this endpoint serves (GeoReport v2, "jurisdiction_id"): what discovery publishes, and the
only value a client may send.

The specification lets an endpoint that serves one jurisdiction treat ``jurisdiction_id`` as an optional argument
("the response should be the same whether a parameter is passed and is empty or is not passed at all"); a value
given and not found is its 404 "jurisdiction_id provided was not found" on every method that takes it. So: absent,
empty or ours is served; anything else answers that 404, rather than quietly serving one city's data to a client
that asked for another."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest

from fankui.core.site import public_url

PARAMETER = "jurisdiction_id"


def ours() -> str:
    """``FANKUI_OPEN311_JURISDICTION_ID``, else, as the specification suggests, the site's host name without
    "www." (``FANKUI_PUBLIC_URL``: ``https://www.12345.example.gov.cn`` is ``12345.example.gov.cn``)."""
    configured = str(settings.FANKUI_OPEN311_JURISDICTION_ID or "").strip()
    if configured:
        return configured
    host = urlsplit(public_url()).hostname or ""
    return host.removeprefix("www.")


def foreign(request: HttpRequest) -> str | None:
    """The ``jurisdiction_id`` the request names when it is not ours (compared without case and surrounding blanks,
    as host names are), else None. Read from the query and, for a POST, from the form body."""
    sources = [request.GET, request.POST] if request.method == "POST" else [request.GET]
    mine = ours().lower()
    for params in sources:
        for value in params.getlist(PARAMETER):
            given = value.strip()
            if given and given.lower() != mine:
                return given
    return None
