"""The parameters of each Open311 call, read with pydantic models as the REST API reads its JSON (``intake.api``):
every text by the product's rule (``core.text.Text``: control characters refused), every finding in the reader's
language (``core.schema_errors``), named by the parameter the specification names, and every problem at once
(``ValidationFailed``, which the views turn into the specification's error list).

A form-encoded client sends an empty value for a parameter it does not give (``lat=``), so a blank value is not
given at all. Each value is trimmed first, as a Django form trims its text."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, time
from typing import Annotated, Any, TypeVar

from django import forms
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import URLValidator, validate_email
from django.http import QueryDict
from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from pydantic import AfterValidator, BaseModel, BeforeValidator, Field, ValidationError, field_validator
from pydantic_core import PydanticCustomError

from fankui.core import schema_errors, text
from fankui.core.errors import ValidationFailed
from fankui.core.text import Text, as_id

MAX_CLIENT_ID = 80
MAX_IDS = 1000
MAX_MEDIA_URL = 1000
MAX_MEDIA_URLS = 10

M = TypeVar("M", bound=BaseModel)


def _w3c_datetime(value: object) -> object:
    """A datetime as the specification writes it (2026-11-16T10:00:00+08:00, ...Z); without an offset it is the
    site's time, a date alone its midnight. Read by Django's parser, which takes exactly these forms (pydantic's would
    also take a number of seconds)."""
    if not isinstance(value, str):
        return value
    text.check(value)  # the product's message first, not "not a date"
    try:
        moment = parse_datetime(value)
        if moment is None:
            day = parse_date(value)
            moment = datetime.combine(day, time()) if day else None
    except ValueError:  # well formed but not in the calendar (2026-02-30)
        moment = None
    if moment is None:
        raise PydanticCustomError("datetime_parsing", "Input should be a valid datetime")
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


Moment = Annotated[datetime | None, BeforeValidator(_w3c_datetime)]


def _email(value: str) -> str:
    try:
        validate_email(value)
    except DjangoValidationError:
        raise ValueError(_("“%(value)s” is not a valid e-mail address.") % {"value": value[:60]}) from None
    return value


Email = Annotated[Text, Field(max_length=254), AfterValidator(_email)]

# Django's reading of an address: without a scheme it is https (as the URL fields of its forms read it), and the
# schemes its validator knows (http, https, ftp, ftps). The address is kept as written, not normalised.
_ASSUME_HTTPS = forms.URLField(assume_scheme="https")
_URL = URLValidator()


def _media_url(value: str) -> str:
    """A picture's address, kept for staff to open (the server never fetches it)."""
    url = str(_ASSUME_HTTPS.to_python(value))
    if len(url) > MAX_MEDIA_URL:
        raise PydanticCustomError(
            "string_too_long", "String should have at most {max_length} characters", {"max_length": MAX_MEDIA_URL}
        )
    try:
        _URL(url)
    except DjangoValidationError:
        raise PydanticCustomError("url_parsing", "Input should be a valid URL") from None
    return url


MediaURL = Annotated[Text, AfterValidator(_media_url)]


def _split(value: str) -> list[str]:
    """A comma-separated list, without blanks."""
    return [part.strip() for part in value.split(",") if part.strip()]


class RequestIn(BaseModel):
    """POST requests: a new service request. Which kinds there are, the phone number and the text's length are
    intake's rules ("Unknown kind"), said once there."""

    service_code: Text = Field(max_length=20)
    lat: float | None = Field(default=None, ge=-90, le=90, allow_inf_nan=False)
    long: float | None = Field(default=None, ge=-180, le=180, allow_inf_nan=False)
    address_string: Text = Field(default="", max_length=300)
    address_id: Text = Field(default="", max_length=100)
    email: Email = ""
    first_name: Text = Field(default="", max_length=50)
    last_name: Text = Field(default="", max_length=50)
    phone: Text = Field(default="", max_length=30)
    description: Text = ""
    media_url: MediaURL = ""
    kind: Text = Field(default="", max_length=20, alias="attribute[kind]")
    title: Text = Field(default="", max_length=200, alias="attribute[title]")
    external_id: Text = Field(default="", max_length=MAX_CLIENT_ID, alias="attribute[external_id]")
    fixmystreet_id: Text = Field(default="", max_length=MAX_CLIENT_ID, alias="attribute[fixmystreet_id]")

    def client_request_id(self, header: str) -> str:
        """The client's own id of the request: the Idempotency-Key header, else the attributes that carry one
        (FixMyStreet sends its report's id)."""
        return header.strip() or self.external_id or self.fixmystreet_id


class ListIn(BaseModel):
    """GET requests: which requests to list."""

    service_request_id: Text = ""
    service_code: Text = Field(default="", max_length=2000)
    start_date: Moment = None
    end_date: Moment = None
    status: Text = Field(default="", max_length=50)

    @field_validator("service_request_id")
    @classmethod
    def _not_too_many(cls, value: str) -> str:
        if len(_split(value)) > MAX_IDS:
            raise ValueError(_("At most %(n)d ids at once.") % {"n": MAX_IDS})
        return value

    @field_validator("status")
    @classmethod
    def _open_or_closed(cls, value: str) -> str:
        wrong = [part for part in _split(value.lower()) if part not in ("open", "closed")]
        if wrong:
            raise ValueError(_("status is open or closed, not “%(value)s”.") % {"value": wrong[0][:20]})
        return value.lower()

    @property
    def ids(self) -> list[int] | None:
        """The requests asked for by id (None: not asked). An id that names no request is simply not in the answer,
        like an unknown one."""
        if not self.service_request_id:
            return None
        return [pk for pk in map(as_id, _split(self.service_request_id)) if pk is not None]

    @property
    def codes(self) -> list[str]:
        return _split(self.service_code)

    @property
    def statuses(self) -> list[str]:
        return _split(self.status)


class WindowIn(BaseModel):
    """GET servicerequestupdates: the updates between two moments."""

    start_date: Moment = None
    end_date: Moment = None


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


class UpdateIn(BaseModel):
    """POST servicerequestupdates (FixMyStreet's extension): a comment on a request the client sent."""

    service_request_id: Text = Field(max_length=18)
    update_id: Text = Field(max_length=MAX_CLIENT_ID)
    description: Text = ""
    status: Text = Field(default="", max_length=40)
    updated_datetime: Moment = None  # read and ignored: the time is when it reached us
    email: Email = ""
    phone: Text = Field(default="", max_length=30)
    first_name: Text = Field(default="", max_length=50)
    last_name: Text = Field(default="", max_length=50)
    media_url: list[MediaURL] = Field(default_factory=list, max_length=MAX_MEDIA_URLS)

    @field_validator("status")
    @classmethod
    def _fixmystreets_status(cls, value: str) -> str:
        status = value.lower()
        if status and status not in UPDATE_STATUSES:
            raise ValueError(
                _("status is one of %(list)s, not “%(value)s”.")
                % {"list": ", ".join(s.upper() for s in UPDATE_STATUSES), "value": status[:40]}
            )
        return status


# --- Reading a call's parameters ---------------------------------------------------------------------------------
def read_request(data: QueryDict) -> RequestIn:
    values = _given(data, _NAMES[RequestIn])
    # FixMyStreet repeats the text as attribute[description]; either will do.
    if "description" not in values:
        described = data.get("attribute[description]", "").strip()
        if described:
            values["description"] = described
    request, problems = _validated(RequestIn, values)
    # The rules across parameters: pydantic's model validators run only once every field is valid, and the
    # specification's list names every problem at once. A position already refused is not asked for again.
    if not problems.keys() & {"lat", "long"}:
        if ("lat" in values) != ("long" in values):
            missing = "long" if "lat" in values else "lat"
            problems.setdefault(missing, []).append(_("A position needs both lat and long."))
        elif "lat" not in values and not values.keys() & {"address_string", "address_id"}:
            problems.setdefault("", []).append(_("Say where: lat and long, or address_string."))
    if "description" not in values:
        problems.setdefault("description", []).append(_("Please describe the request (description)."))
    return _valid(request, problems)


def read_list(data: QueryDict) -> ListIn:
    return _valid(*_validated(ListIn, _given(data, _NAMES[ListIn])))


def read_window(data: QueryDict) -> WindowIn:
    return _valid(*_validated(WindowIn, _given(data, _NAMES[WindowIn])))


def read_update(data: QueryDict, attached: bool) -> UpdateIn:
    """``attached``: files came with the update, which then needs no words."""
    values: dict[str, Any] = _given(data, [name for name in _NAMES[UpdateIn] if name != "media_url"])
    urls = [url.strip() for url in data.getlist("media_url") if url.strip()]  # one, or the name repeated
    if urls:
        values["media_url"] = urls
    update, problems = _validated(UpdateIn, values)
    if "description" not in values and not attached and not urls:
        problems.setdefault("description", []).append(_("Please write the update (description), or attach a picture."))
    return _valid(update, problems)


def uploads(files: MultiValueDict[str, UploadedFile]) -> list[UploadedFile]:
    """Every file that came: FixMyStreet names its photos photo1, photo2...; any name is taken, several under one
    name too."""
    return [upload for name in files for upload in files.getlist(name)]


def lines(errors: Mapping[str, list[str]]) -> list[str]:
    """Every problem as one line, naming its parameter (``lat: ...``); a problem of no one parameter alone."""
    return [f"{name}: {problem}" if name else str(problem) for name, problems in errors.items() for problem in problems]


# Each model's parameters, by the specification's names (the aliases).
_NAMES: dict[type[BaseModel], list[str]] = {
    model: [info.alias or name for name, info in model.model_fields.items()]
    for model in (RequestIn, ListIn, WindowIn, UpdateIn)
}


def _given(data: QueryDict, names: Iterable[str]) -> dict[str, Any]:
    """The parameters of ``names`` that were given, trimmed (a repeated one: its last value, as Django reads it)."""
    values = {}
    for name in names:
        value = data.get(name, "").strip()
        if value:
            values[name] = value
    return values


def _validated(model: type[M], values: dict[str, Any]) -> tuple[M | None, dict[str, list[str]]]:
    """``values`` read by ``model``, or None and every finding by the parameter's name."""
    try:
        return model.model_validate(values), {}
    except ValidationError as error:
        problems: dict[str, list[str]] = {}
        for item in error.errors(include_url=False):
            name = str(item["loc"][0]) if item["loc"] else ""
            problems.setdefault(name, []).append(schema_errors.message(item))
        return None, problems


def _valid(found: M | None, problems: dict[str, list[str]]) -> M:
    if problems or found is None:
        raise ValidationFailed(problems)
    return found
