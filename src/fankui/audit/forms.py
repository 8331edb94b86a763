from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fankui.accounts.models import User
from fankui.core.forms import Form

from .queries import SOURCES, AuditFilter

SOURCE_CHOICES = [
    ("", _("Everything")),
    ("event", _("Case events")),
    ("access", _("Looks at personal data")),
    ("entry", _("Sign-ins, rights and exports")),
]


class AuditSearchForm(Form):
    actor = forms.CharField(
        label=_("Who (username)"),
        required=False,
        max_length=150,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "off"}),
    )
    case = forms.CharField(label=_("Case number"), required=False, max_length=20)
    kind = forms.CharField(
        label=_("Kind"),
        required=False,
        max_length=40,
        help_text=_("e.g. accept, dispatch, contact, login, login_failed, rights, export, audit_search"),
    )
    source = forms.ChoiceField(label=_("Record"), choices=SOURCE_CHOICES, required=False)
    since = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean_actor(self) -> int | None:
        name = self.cleaned_data["actor"].strip()
        if not name:
            return None
        found = User.objects.filter(username=name).values_list("pk", flat=True).first()
        if found is None:
            raise forms.ValidationError(_("No user has this username."))
        return found

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", _("The end of the range is before its start."))
        return data

    def chosen(self) -> AuditFilter:
        data = self.cleaned_data if self.is_valid() else {}
        source = data.get("source") or ""
        return AuditFilter(
            actor=data.get("actor"),
            case=(data.get("case") or "").strip(),
            kind=(data.get("kind") or "").strip(),
            since=data.get("since"),
            until=data.get("until"),
            sources=(source,) if source else SOURCES,
        )
