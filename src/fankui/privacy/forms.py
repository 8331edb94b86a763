from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from fankui.core.forms import Form


class CodeForm(Form):
    code = forms.CharField(label=_("Code"), max_length=20)


class EraseForm(Form):
    confirm = forms.BooleanField(
        label=_(
            "I understand: my contact details, attachments and personal data in the texts are erased for good, "
            "and I will not be told about this request any more."
        )
    )
