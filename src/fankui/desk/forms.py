"""The desk's forms only carry what was typed: the services (``desk.services.record_call`` and the intake rules it
reaches) decide what is valid and say so field by field."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fankui.cases.forms import category_groups
from fankui.core.forms import Form
from fankui.core.vocab import Channel, Kind

from .services import Call

# ``receive``'s names for the fields where the form's differ (``core.forms.show_errors``).
SERVICE_FIELDS = {"contact_phone": "caller", "contact_name": "name", "location": "address"}


def new_token() -> str:
    return uuid.uuid4().hex


class CallForm(Form):
    caller = forms.CharField(
        label=_("Caller's number"),
        required=False,
        widget=forms.TextInput(
            attrs={"inputmode": "tel", "autocomplete": "off", "data-key": "p", "class": "desk-caller"}
        ),
    )
    name = forms.CharField(
        label=_("Name (optional)"), required=False, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    channel = forms.ChoiceField(
        label=_("Channel"),
        required=False,
        choices=[(Channel.PHONE, _("Phone call")), (Channel.VISIT, _("Visit at a service window"))],
        widget=forms.RadioSelect,
    )
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("Let the analysis decide")), *Kind.choices]
    )
    category = forms.ChoiceField(label=_("Category"), required=False)
    address = forms.CharField(
        label=_("Place or address"), required=False, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    title = forms.CharField(label=_("Subject (optional)"), required=False, strip=False)
    body = forms.CharField(
        label=_("What the caller says"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 6, "data-key": "t"}),
    )
    emergency = forms.BooleanField(
        label=_("Emergency: the caller was told to call 110, 119 or 120"),
        required=False,
        widget=forms.CheckboxInput(attrs={"data-key": "e"}),
    )
    answer = forms.CharField(
        label=_("Answer given during the call"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 5, "data-key": "a"}),
    )
    token = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        groups: list[Any] = [("", _("Let the analysis decide")), *category_groups()]
        self.fields["category"].choices = groups  # type: ignore[attr-defined]

    def clean_token(self) -> str:
        # A per-render uuid4; anything else (missing or forged) gets a fresh one: only that form's double Enter is
        # then not recognised.
        try:
            return uuid.UUID(self.cleaned_data.get("token", "")).hex
        except ValueError:
            return new_token()

    def clean_body(self) -> str:
        return str(self.cleaned_data.get("body", "")).replace("\r\n", "\n")

    def clean_answer(self) -> str:
        return str(self.cleaned_data.get("answer", "")).replace("\r\n", "\n")

    def call(self, *, answer_now: bool, language: str) -> Call:
        data = self.cleaned_data
        return Call(
            body=data["body"],
            token=data["token"],
            caller=data["caller"],
            name=data["name"],
            title=data["title"],
            kind=data["kind"],
            category=data["category"] or None,
            address=data["address"],
            channel=data["channel"] or Channel.PHONE,
            emergency=data["emergency"],
            answer=data["answer"],
            answer_now=answer_now,
            language=language,
        )


class TextForm(Form):
    """What the fragments read while the operator types: the text, its subject, the caller's number, a search."""

    body = forms.CharField(required=False, strip=False)
    title = forms.CharField(required=False, strip=False)
    caller = forms.CharField(required=False)
    q = forms.CharField(required=False)
