"""pydantic's findings about what a client sent, field by field, in the reader's language.

pydantic writes its messages in English only ("Input should be a valid number"); the way its documentation gives to
say them otherwise is by each error's ``type`` and its context (``ctx``: the limit that was passed, the values
allowed). Every entry point that reads JSON with a schema (the REST API's 422, the partners' webhook) says them
through :func:`message`, so a client that asks for Chinese gets Chinese for every field, as the forms' errors are.
A type not listed here keeps pydantic's own words rather than lose the finding; our own validators raise
``PydanticCustomError`` with a message already in the reader's language (``core.text``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

_NUMBER = _("Give a number.")
_WHOLE = _("Give a whole number.")
_BOOLEAN = _("Give true or false.")
_TEXT = _("Give a text.")
_OBJECT = _("Give an object ({...}).")
_DAY = _("Give a day as YYYY-MM-DD.")
_MOMENT = _("Give a date and time like 2026-11-16T10:00:00+08:00.")

MESSAGES: dict[str, Promise] = {
    "missing": _("This field is required."),
    "string_type": _TEXT,
    "string_too_short": _("At least %(min_length)s characters."),
    "string_too_long": _("At most %(max_length)s characters."),
    "string_pattern_mismatch": _("This is not in the expected form."),
    "int_type": _WHOLE,
    "int_parsing": _WHOLE,
    "int_from_float": _WHOLE,
    "int_parsing_size": _WHOLE,
    "float_type": _NUMBER,
    "float_parsing": _NUMBER,
    "finite_number": _NUMBER,
    "decimal_type": _NUMBER,
    "decimal_parsing": _NUMBER,
    "bool_type": _BOOLEAN,
    "bool_parsing": _BOOLEAN,
    "greater_than": _("Give more than %(gt)s."),
    "greater_than_equal": _("Give at least %(ge)s."),
    "less_than": _("Give less than %(lt)s."),
    "less_than_equal": _("Give at most %(le)s."),
    "enum": _("Give one of %(expected)s."),
    "literal_error": _("Give one of %(expected)s."),
    "list_type": _("Give a list ([...])."),
    "too_short": _("Give at least %(min_length)s items."),
    "too_long": _("Give at most %(max_length)s items."),
    "dict_type": _OBJECT,
    "model_type": _OBJECT,
    "model_attributes_type": _OBJECT,
    "date_type": _DAY,
    "date_parsing": _DAY,
    "date_from_datetime_parsing": _DAY,
    "date_from_datetime_inexact": _DAY,
    "datetime_type": _MOMENT,
    "datetime_parsing": _MOMENT,
    "datetime_from_date_parsing": _MOMENT,
    "uuid_type": _("Give an id like 0f8fad5b-d9cb-469f-a165-70867728950e."),
    "uuid_parsing": _("Give an id like 0f8fad5b-d9cb-469f-a165-70867728950e."),
    "url_type": _("Give a web address (https://...)."),
    "url_parsing": _("Give a web address (https://...)."),
    "url_scheme": _("Give a web address (https://...)."),
    "json_invalid": _("This is not valid JSON."),
    "json_type": _("This is not valid JSON."),
    "extra_forbidden": _("This field is not accepted."),
}


def message(error: Mapping[str, Any]) -> str:
    """One finding in the active language."""
    kind, context = error.get("type", ""), error.get("ctx") or {}
    if kind in ("value_error", "assertion_error") and "error" in context:
        return str(context["error"])  # our own words, without pydantic's "Value error, " before them
    template = MESSAGES.get(kind)
    if template is None:
        return str(error.get("msg", ""))
    values = {name: _shown(value) for name, value in context.items()}
    try:
        return str(template) % values
    except (KeyError, TypeError, ValueError):
        return str(error.get("msg", ""))


def _shown(value: Any) -> Any:
    # pydantic lists the values allowed as "'a', 'b' or 'c'": the English "or" would sit in a Chinese sentence.
    if isinstance(value, str):
        return value.replace(" or ", ", ")
    # The limit of a float field is a float: "at most 90", not "at most 90.0".
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value
