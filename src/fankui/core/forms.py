"""What every form shares: the text rule on each of its text fields (``core.text``), and what a page does with a
service's ``ValidationFailed``: each message beside the field it is about.

Every form of the product derives from ``Form`` or ``ModelForm`` here, never from Django's directly
(tests/core/test_control_characters_are_refused_everywhere.py checks it), so a text field added tomorrow refuses
control characters with an error beside it, on SQLite as on PostgreSQL."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.core.validators import ProhibitNullCharactersValidator

from . import text
from .errors import ValidationFailed


class TextRules:
    """Puts ``core.text``'s rule on every text field (CharField and its kinds: e-mail, slug...) of the form. It
    covers NUL too, so Django's own NUL validator goes: one message, not two."""

    fields: dict[str, forms.Field]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.CharField) and text.validate not in field.validators:
                field.validators = [
                    v for v in field.validators if not isinstance(v, ProhibitNullCharactersValidator)
                ] + [text.validate]


class Form(TextRules, forms.Form):
    pass


class ModelForm(TextRules, forms.ModelForm):
    pass


def posted_text(data: Mapping[str, Any], name: str) -> str:
    """A text a view reads without a form (a reason, a label): ``data[name]``, or "" when missing, refused by the
    same rule as every form's text (``ValidationFailed``, shown like the service's own errors)."""
    value = str(data.get(name, ""))
    try:
        return text.check(value)
    except ValueError as error:
        raise ValidationFailed({name: [str(error)]}) from error


def show_errors(form: forms.BaseForm, error: ValidationFailed, fields: Mapping[str, str] | None = None) -> None:
    """Put a service's field errors beside the form's fields. ``fields`` maps a service's name to the form's where
    they differ (the service's ``location`` is the form's ``address``); errors about a name the form has no field
    for are shown above the form."""
    for name, messages in error.errors.items():
        field = (fields or {}).get(name, name)
        for message in messages:
            form.add_error(field if field in form.fields else None, message)
