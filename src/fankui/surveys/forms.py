"""The forms of 一次一评 and 回访. Every field is optional to the form, which only refuses what no person types
(``core.forms``); the services decide the rest and report field by field."""

from __future__ import annotations

from django import forms

from fankui.core.forms import Form


class WindowRatingForm(Form):
    level = forms.CharField(required=False)
    comment = forms.CharField(required=False, widget=forms.Textarea)
    # The one-time key of the form shown, so that the same form sent twice counts once.
    key = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)


class CallForm(Form):
    outcome = forms.CharField(required=False)
    level = forms.CharField(required=False)
    comment = forms.CharField(required=False, widget=forms.Textarea)
    notes = forms.CharField(required=False, widget=forms.Textarea)
