from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fankui.accounts.models import Department, User
from fankui.core.errors import ValidationFailed
from fankui.core.forms import Form

from . import builders, periods, queries


class PeriodForm(Form):
    """Period and department of the dashboard and the report page. A bad value is named and replaced by the
    default (this month, the whole scope), never an error page."""

    period = forms.CharField(
        label=_("Period"),
        required=False,
        max_length=10,
        help_text=_("A month (2026-10) or an ISO week (2026-W44)."),
        widget=forms.TextInput(attrs={"placeholder": "2026-10", "autocomplete": "off"}),
    )
    department = forms.TypedChoiceField(label=_("Department"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.departments = queries.departments_for(user)
        choices = [("", _("All I may see")), *((d.pk, d.name) for d in self.departments.order_by("path"))]
        self.fields["department"].choices = choices  # type: ignore[attr-defined]

    def clean_period(self) -> periods.Period:
        raw = self.cleaned_data.get("period") or ""
        if not raw.strip():
            return periods.current_month()
        try:
            return periods.parse(raw)
        except ValidationFailed as exc:
            raise forms.ValidationError(exc.errors["period"][0]) from exc

    def chosen(self) -> tuple[periods.Period, Department | None]:
        if not self.is_bound:
            return periods.current_month(), None
        self.is_valid()  # a field that does not parse is missing from cleaned_data and named in errors
        period = self.cleaned_data.get("period")
        department_id = self.cleaned_data.get("department")
        department = self.departments.filter(pk=department_id).first() if department_id else None
        return period or periods.current_month(), department


class ReportForm(PeriodForm):
    format = forms.ChoiceField(label=_("Format"), choices=[(f, f.upper()) for f in builders.FORMATS], initial="pdf")
