from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fankui.core.forms import Form

from .services import MAX_EXTENSION_DAYS, MAX_TEXT


def _text(label: Any, *, required: bool = True, rows: int = 2) -> forms.CharField:
    return forms.CharField(
        label=label, required=required, widget=forms.Textarea(attrs={"rows": rows}), max_length=MAX_TEXT
    )


class QuestionForm(Form):
    question = forms.CharField(
        label=_("What do you need from the submitter?"), widget=forms.Textarea(attrs={"rows": 2}), max_length=MAX_TEXT
    )


class ResumeForm(Form):
    answer = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=MAX_TEXT
    )


class ExtensionForm(Form):
    days = forms.IntegerField(label=_("More working days"), min_value=1, max_value=MAX_EXTENSION_DAYS)
    reason = _text(_("Reason"))


class DecisionForm(Form):
    decision = forms.ChoiceField(label=_("Decision"), choices=[("approve", _("Approve")), ("refuse", _("Refuse"))])
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=MAX_TEXT
    )


class InstructionForm(Form):
    instruction = _text(_("Instruction"))
