"""The two formats of GeoReport v2: XML (required by the specification) and JSON (optional), from one structure.

A document is a list of objects (services, requests, updates, errors) or one object (a service definition, the
discovery document). Each list has its XML element name and each of its items the item's (``services`` /
``service``); lists inside an object are named by ``ITEM_NAMES``. Every text is UTF-8, with the XML declaration
saying so, as the specification asks. Datetimes are written by ``when`` with their offset."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from xml.etree import ElementTree

from django.http import HttpResponse
from django.utils import timezone

from fankui.core.text import strip_control

FORMATS = ("xml", "json")
CONTENT_TYPES = {"xml": "text/xml; charset=utf-8", "json": "application/json; charset=utf-8"}
# The element of each item of a list inside an object (a service definition's attributes and their values, the
# discovery's endpoints and their formats).
ITEM_NAMES = {"attributes": "attribute", "values": "value", "endpoints": "endpoint", "formats": "format"}


def when(moment: datetime | None) -> str | None:
    """A datetime in the W3C profile of ISO 8601 with the site's offset (2026-11-16T10:00:00+08:00); None stays."""
    if moment is None:
        return None
    return timezone.localtime(moment).replace(microsecond=0).isoformat()


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    # XML 1.0 cannot carry control characters at all; nothing we store has them, but a writer must never fail.
    return strip_control(str(value))


def _fill(element: ElementTree.Element, name: str, value: Any) -> None:
    child = ElementTree.SubElement(element, name)
    if isinstance(value, dict):
        for key, inner in value.items():
            _fill(child, key, inner)
    elif isinstance(value, list):
        item_name = ITEM_NAMES.get(name, "item")
        for inner in value:
            _fill(child, item_name, inner)
    else:
        child.text = _text(value)


def to_xml(root: str, item: str | None, data: Any) -> bytes:
    """``data`` (a list of ``item`` elements, or one object when ``item`` is None) under ``root``."""
    element = ElementTree.Element(root)
    if item is None:
        for key, value in data.items():
            _fill(element, key, value)
    else:
        for value in data:
            _fill(element, item, value)
    body = ElementTree.tostring(element, encoding="unicode")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + body).encode("utf-8")


def render(fmt: str, root: str, item: str | None, data: Any, *, status: int = 200) -> HttpResponse:
    if fmt == "json":
        content = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    else:
        content = to_xml(root, item, data)
    response = HttpResponse(content, status=status, content_type=CONTENT_TYPES.get(fmt, CONTENT_TYPES["xml"]))
    # A list answered to anybody is the same for everybody: caches and proxies must not mix formats or languages.
    response["Vary"] = "Accept-Language"
    return response


def errors(fmt: str, status: int, messages: list[str], *, retry_after: int | None = None) -> HttpResponse:
    """The specification's error list: each error with the HTTP status as its code and a description."""
    data = [{"code": status, "description": message} for message in messages]
    response = render(fmt if fmt in FORMATS else "xml", "errors", "error", data, status=status)
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    return response
