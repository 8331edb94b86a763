from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fankui.core.forms import Form

from . import mapping


class UploadForm(Form):
    file = forms.FileField(label=_("File (.csv or .xlsx)"))
    source = forms.CharField(
        label=_("Source system"),
        max_length=50,
        initial="import",
        help_text=_("Part of each row's identity: the same identifier from two systems are two requests."),
    )
    history = forms.BooleanField(
        label=_("Import as history (with replies; no receipts are sent)"), required=False, initial=True
    )


class MappingForm(Form):
    """One choice per field of a submission: which column of the file feeds it."""

    def __init__(self, *args: Any, header: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", _("(none)")), *[(column, column) for column in dict.fromkeys(header or []) if column]]
        for field, (label, _names) in mapping.FIELDS.items():
            self.fields[field] = forms.ChoiceField(
                label=str(label), choices=choices, required=field in mapping.REQUIRED
            )

    def chosen(self) -> dict[str, str]:
        return {field: self.cleaned_data.get(field) or "" for field in mapping.FIELDS}
