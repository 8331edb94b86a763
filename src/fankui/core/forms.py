"""What every page does with a service's ``ValidationFailed``: each message beside the field it is about."""

from __future__ import annotations

from collections.abc import Mapping

from django import forms

from .errors import ValidationFailed


def show_errors(form: forms.BaseForm, error: ValidationFailed, fields: Mapping[str, str] | None = None) -> None:
    """Put a service's field errors beside the form's fields. ``fields`` maps a service's name to the form's where
    they differ (the service's ``location`` is the form's ``address``); errors about a name the form has no field
    for are shown above the form."""
    for name, messages in error.errors.items():
        field = (fields or {}).get(name, name)
        for message in messages:
            form.add_error(field if field in form.fields else None, message)
