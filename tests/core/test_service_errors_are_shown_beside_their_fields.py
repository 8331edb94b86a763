"""Every page puts a service's ValidationFailed on its form the same way (fankui.core.forms.show_errors)."""

from __future__ import annotations

from django import forms

from fankui.core.errors import ValidationFailed
from fankui.core.forms import show_errors


class PlaceForm(forms.Form):
    body = forms.CharField(required=False)
    address = forms.CharField(required=False)


def test_each_message_stands_beside_its_field_or_above_the_form() -> None:
    form = PlaceForm({"body": "", "address": "x"})
    assert form.is_valid()
    error = ValidationFailed(
        {
            "body": ["Please describe your request.", "Too short."],
            "location": ["The location is not a valid coordinate."],
            "idempotency_key": ["The idempotency key is too long."],
        }
    )
    show_errors(form, error, {"location": "address"})
    assert form.errors["body"] == ["Please describe your request.", "Too short."]
    assert form.errors["address"] == ["The location is not a valid coordinate."]
    assert form.non_field_errors() == ["The idempotency key is too long."]
