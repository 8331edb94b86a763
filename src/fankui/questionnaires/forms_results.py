"""The results page's filters (version, days, channel), the cross-tab's choice and the export's format."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fankui.core.errors import ValidationFailed
from fankui.core.forms import Form, show_errors

from .models import Via
from .services.exports import FORMATS
from .services.results import Filters


class FiltersForm(Form):
    version = forms.TypedChoiceField(label=_("Version"), required=False, coerce=int, empty_value=None)
    since = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    via = forms.ChoiceField(label=_("Channel"), required=False)
    # The cross-tab: split by the channel ("via") or a choice question's key, counting a question's answers (keys
    # the service checks: an unknown one shows no table).
    by = forms.CharField(label=_("Split by"), required=False, max_length=16, widget=forms.HiddenInput)
    of = forms.CharField(label=_("Question"), required=False, max_length=16, widget=forms.HiddenInput)
    _filters: Filters

    def __init__(self, *args: Any, versions: list[int] | tuple[int, ...] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        version = self.fields["version"]
        via = self.fields["via"]
        assert isinstance(version, forms.TypedChoiceField) and isinstance(via, forms.ChoiceField)
        version.choices = [("", _("All versions")), *((str(n), str(n)) for n in versions)]
        via.choices = [("", _("All channels")), *Via.choices]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        try:
            self._filters = self._made(data)
        except ValidationFailed as error:
            show_errors(self, error)
        return data

    @staticmethod
    def _made(data: dict[str, Any]) -> Filters:
        """The service's filters, whose own rules (the days) are checked as they are made."""
        return Filters(
            version=data.get("version"), since=data.get("since"), until=data.get("until"), via=data.get("via") or ""
        )

    def filters(self) -> Filters:
        """The filters asked for; none when nothing was asked or the form is not valid (its errors say why)."""
        if not self.is_bound or not self.is_valid():
            return Filters()
        return self._filters


class ExportForm(Form):
    format = forms.ChoiceField(label=_("Format"), choices=[(f, f.upper()) for f in FORMATS])
