"""The one rule for text people send us: no control characters.

No person types a control character (C0 other than tab, line feed and carriage return, DEL, C1) or a lone surrogate
half; they come from a broken client, a paste out of another program, or someone probing. PostgreSQL refuses NUL
in a text column (a 500 if nothing stops it earlier) while SQLite stores it, and a lone surrogate cannot even be
encoded as UTF-8. So every entry point refuses them with a message in the reader's language, naming the field:
the API through ``Text`` (a 422 field by field), every form through ``core.forms`` (an error beside the field).
Where a value is not the person's words but is only looked up or compared, refusing is still the simpler answer
(the same message everywhere); ``strip_control`` is for text read from files, where there is nobody to ask.
"""

from __future__ import annotations

import re
from typing import Annotated

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from pydantic import AfterValidator
from pydantic_core import PydanticCustomError

# C0 controls but \t \n \r, DEL, C1 controls, and surrogate halves (only a lone one can reach a Python str).
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def first_control(value: str) -> str | None:
    """The first forbidden character of ``value``, or None when it has none."""
    match = CONTROL.search(value)
    return match.group() if match else None


def message(char: str) -> str:
    """What the reader is told, naming the character by its code point (control characters have no names)."""
    return _(
        "The text contains an invisible control character (%(code)s), which is not allowed; it often comes with "
        "text pasted from another program. Please type that part again."
    ) % {"code": f"U+{ord(char):04X}"}


def check(value: str) -> str:
    """``value`` unchanged, or ValueError with the message when it has a forbidden character."""
    char = first_control(value)
    if char is not None:
        raise ValueError(message(char))
    return value


def strip_control(value: str) -> str:
    """``value`` without forbidden characters: for text read from files and kept as read."""
    return CONTROL.sub("", value)


def validate(value: object) -> None:
    """The rule as a Django validator (``core.forms`` puts it on every text field)."""
    char = first_control(value) if isinstance(value, str) else None
    if char is not None:
        raise ValidationError(message(char), code="control_character")


def _pydantic_check(value: str) -> str:
    char = first_control(value)
    if char is not None:
        # A custom error so the API's 422 shows the message alone, without pydantic's "Value error, " prefix.
        raise PydanticCustomError("control_character", message(char))
    return value


# Every text of the API's input (bodies, query, path and header parameters) is of this type
# (tests/core/test_control_characters_are_refused_everywhere.py walks them all).
Text = Annotated[str, AfterValidator(_pydantic_check)]


def as_id(value: object, max_digits: int = 18) -> int | None:
    """The whole number a parameter names (an id, a page), or None: ASCII digits only, at most ``max_digits`` (18
    fit a database integer). ``str.isdigit`` is not the test: "²" passes it and ``int`` refuses it (a 500), "٣"
    passes both and would be read as 3."""
    text = str(value if value is not None else "").strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) <= max_digits else None
