"""The parameters of each Open311 call, read with the product's forms (``core.forms``: control characters refused)
and turned into the specification's error list by the views."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from fankui.core.forms import Form
from fankui.core.text import as_id
from fankui.core.text import validate as validate_text

# The client's own id of a request, in the order they are looked for (FixMyStreet sends its report's id).
CLIENT_ID_ATTRIBUTES = ("external_id", "fixmystreet_id")
MAX_CLIENT_ID = 80
MAX_IDS = 1000


class W3CDateTimeField(forms.CharField):
    """A datetime as the specification writes it (2026-11-16T10:00:00+08:00, ...Z); without an offset it is the
    site's time, a date alone its midnight."""

    def to_python(self, value: Any) -> datetime | None:  # type: ignore[override]
        text = super().to_python(value)
        validate_text(text)  # the product's message first, not "not a date"
        if not text:
            return None
        try:
            moment = parse_datetime(text)
            if moment is None:
                day = parse_date(text)
                moment = datetime.combine(day, time()) if day else None
        except ValueError:
            moment = None
        if moment is None:
            raise forms.ValidationError(
                _("“%(value)s” is not a date and time like 2026-11-16T10:00:00+08:00.") % {"value": text[:40]}
            )
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment)
        return moment


class MediaURLField(forms.URLField):
    """A picture's address; a control character gets the product's own message, not "enter a valid URL"."""

    def to_python(self, value: Any) -> str | None:
        validate_text(value)
        return super().to_python(value)


class RequestForm(Form):
    """POST requests: a new service request."""

    service_code = forms.CharField(max_length=20)
    lat = forms.FloatField(required=False, min_value=-90, max_value=90)
    long = forms.FloatField(required=False, min_value=-180, max_value=180)
    address_string = forms.CharField(required=False, max_length=300)
    address_id = forms.CharField(required=False, max_length=100)
    email = forms.EmailField(required=False, max_length=254)
    first_name = forms.CharField(required=False, max_length=50)
    last_name = forms.CharField(required=False, max_length=50)
    phone = forms.CharField(required=False, max_length=30)
    # The length is intake's rule (FANKUI_MAX_BODY_CHARS), said once there.
    description = forms.CharField(required=False, strip=True)
    media_url = MediaURLField(required=False, max_length=1000, assume_scheme="https")
    # Which kinds there are is intake's rule ("Unknown kind"), said once there, like the phone's and the text's length.
    # (A ChoiceField also cost as much as five text fields: Django copies its choices for every form.)
    kind = forms.CharField(required=False, max_length=20)
    title = forms.CharField(required=False, max_length=200)
    external_id = forms.CharField(required=False, max_length=MAX_CLIENT_ID)
    fixmystreet_id = forms.CharField(required=False, max_length=MAX_CLIENT_ID)

    # The specification's names of the attributes, and the form's own.
    ATTRIBUTES = {f"attribute[{name}]": name for name in ("kind", "title", *CLIENT_ID_ATTRIBUTES, "description")}

    def __init__(self, data: Any, *args: Any, **kwargs: Any) -> None:
        values = {name: data.get(name, "") for name in self.base_fields}
        for outside, inside in self.ATTRIBUTES.items():
            if outside in data and inside in self.base_fields:
                values[inside] = data.get(outside, "")
        # FixMyStreet repeats the text as attribute[description]; either will do.
        if not str(values.get("description") or "").strip():
            values["description"] = data.get("attribute[description]", "")
        super().__init__(values, *args, **kwargs)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        lat, lng = data.get("lat"), data.get("long")
        if (lat is None) != (lng is None) and not self.has_error("lat") and not self.has_error("long"):
            self.add_error("long" if lng is None else "lat", _("A position needs both lat and long."))
        nowhere = lat is None and lng is None and not data.get("address_string") and not data.get("address_id")
        if nowhere and not self.has_error("lat") and not self.has_error("long"):
            self.add_error(None, _("Say where: lat and long, or address_string."))
        if not data.get("description"):
            self.add_error("description", _("Please describe the request (description)."))
        return data

    def client_request_id(self, header: str) -> str:
        if header.strip():
            return header.strip()
        for name in CLIENT_ID_ATTRIBUTES:
            if self.cleaned_data.get(name):
                return str(self.cleaned_data[name])
        return ""


class ListForm(Form):
    """GET requests: which requests to list."""

    service_request_id = forms.CharField(required=False)
    service_code = forms.CharField(required=False, max_length=2000)
    start_date = W3CDateTimeField(required=False)
    end_date = W3CDateTimeField(required=False)
    status = forms.CharField(required=False, max_length=50)

    def clean_service_request_id(self) -> list[int] | None:
        raw = self.cleaned_data["service_request_id"]
        if not raw:
            return None
        parts = [part.strip() for part in raw.split(",") if part.strip()]
        if len(parts) > MAX_IDS:
            raise forms.ValidationError(_("At most %(n)d ids at once.") % {"n": MAX_IDS})
        # An id that names no request is simply not in the answer, like an unknown one.
        return [pk for pk in map(as_id, parts) if pk is not None]

    def clean_status(self) -> list[str]:
        parts = [part.strip().lower() for part in self.cleaned_data["status"].split(",") if part.strip()]
        wrong = [part for part in parts if part not in ("open", "closed")]
        if wrong:
            raise forms.ValidationError(_("status is open or closed, not “%(value)s”.") % {"value": wrong[0][:20]})
        return parts

    def clean_service_code(self) -> list[str]:
        return [part.strip() for part in self.cleaned_data["service_code"].split(",") if part.strip()]


class WindowForm(Form):
    """GET servicerequestupdates: the updates between two moments."""

    start_date = W3CDateTimeField(required=False)
    end_date = W3CDateTimeField(required=False)


# The statuses FixMyStreet sends with a comment (its extended list, upper case); anything else is refused, so a
# client's mistake is seen at once rather than shown to staff.
UPDATE_STATUSES = (
    "open",
    "closed",
    "fixed",
    "in_progress",
    "action_scheduled",
    "investigating",
    "duplicate",
    "not_councils_responsibility",
    "no_further_action",
    "internal_referral",
    "for_triage",
    "cancelled",
    "reopen",
)
MAX_MEDIA_URLS = 10


class UpdateForm(Form):
    """POST servicerequestupdates (FixMyStreet's extension): a comment on a request the client sent."""

    service_request_id = forms.CharField(max_length=18)
    update_id = forms.CharField(max_length=MAX_CLIENT_ID)
    description = forms.CharField(required=False, strip=True)
    status = forms.CharField(required=False, max_length=40)
    updated_datetime = W3CDateTimeField(required=False)
    email = forms.EmailField(required=False, max_length=254)
    phone = forms.CharField(required=False, max_length=30)
    first_name = forms.CharField(required=False, max_length=50)
    last_name = forms.CharField(required=False, max_length=50)

    def __init__(self, data: Any, files: Any = None, *args: Any, **kwargs: Any) -> None:
        super().__init__({name: data.get(name, "") for name in self.base_fields}, *args, **kwargs)
        # A QueryDict repeats a name; a plain mapping (a test's, a caller's) holds one value or a list.
        urls = data.getlist("media_url") if hasattr(data, "getlist") else data.get("media_url") or []
        self.media_urls = [str(url) for url in ([urls] if isinstance(urls, str) else urls) if str(url).strip()]
        # FixMyStreet names its photos photo1, photo2...; any name is taken, several under one name too.
        self.uploads = [upload for name in files for upload in files.getlist(name)] if files is not None else []

    def clean_status(self) -> str:
        status = self.cleaned_data["status"].strip().lower()
        if status and status not in UPDATE_STATUSES:
            raise forms.ValidationError(
                _("status is one of %(list)s, not “%(value)s”.")
                % {"list": ", ".join(s.upper() for s in UPDATE_STATUSES), "value": status[:40]}
            )
        return status

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if len(self.media_urls) > MAX_MEDIA_URLS:
            self.add_error(None, _("At most %(n)d media_url.") % {"n": MAX_MEDIA_URLS})
        url = MediaURLField(max_length=1000, assume_scheme="https")
        for value in self.media_urls[:MAX_MEDIA_URLS]:
            try:
                url.clean(value)
            except forms.ValidationError as error:
                self.add_error(None, f"media_url: {error.messages[0]}")
        if not data.get("description") and not self.uploads and not self.media_urls:
            self.add_error("description", _("Please write the update (description), or attach a picture."))
        return data


FIELD_NAMES = {name: f"attribute[{name}]" for name in ("kind", "title", *CLIENT_ID_ATTRIBUTES)}


def messages(form: forms.BaseForm) -> list[str]:
    """Every problem of ``form`` as one line each, naming the parameter (``lat: ...``)."""
    out = []
    for name, problems in form.errors.items():
        label = FIELD_NAMES.get(name, name) if name != "__all__" else ""
        for problem in problems:
            out.append(f"{label}: {problem}" if label else str(problem))
    return out
