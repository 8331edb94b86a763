"""The public forms. They only carry what was typed: every rule lives in the services
(``cases.services.receiving.receive``, ``surveys.services.rate``, ``sla.services.waiting.answer``), whose
field-by-field messages the forms show beside each field."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from fankui.cases.models import Category
from fankui.core.forms import Form
from fankui.core.vocab import Channel, Kind
from fankui.intake.services import SubmissionInput
from fankui.surveys.models import SUB_SCORES, Level

# ``cases.services.receiving.receive``'s names for the fields where the form's differ (``core.forms.show_errors``); its
# errors without a field on the form (the channel, the idempotency key) are shown above it.
SERVICE_FIELDS = {"location": "address"}
# The web form's idempotency keys live in their own namespace, so an API client's key can never match them.
WEB_KEY_PREFIX = "web:"


def new_token() -> str:
    return uuid.uuid4().hex


def clean_token(value: str) -> str:
    """A per-render uuid4; anything else (a missing or forged value) gets a fresh one, which only means a double
    click of that one form is not recognised."""
    try:
        return uuid.UUID(value).hex
    except ValueError:
        return new_token()


def ask_for_files_again(form: forms.Form) -> None:
    # Browsers never refill a file input, so the citizen must be told to choose the files again.
    form.add_error(
        "attachments",
        _("Your browser cannot keep chosen files after an error: please choose your photos or PDF again."),
    )


def categories() -> list[Category]:
    return list(Category.objects.filter(active=True, parent=None))


class SubmissionForm(Form):
    # Lengths, kinds and categories are checked by ``cases.services.receiving.receive``: the same messages on every
    # channel.
    kind = forms.CharField(required=False)
    category = forms.CharField(required=False)
    title = forms.CharField(required=False, strip=False)
    body = forms.CharField(required=False, strip=False, widget=forms.Textarea)
    contact_name = forms.CharField(required=False)
    contact_phone = forms.CharField(required=False)
    contact_email = forms.CharField(required=False)
    anonymous = forms.BooleanField(required=False)
    address = forms.CharField(required=False)
    token = forms.CharField(required=False, widget=forms.HiddenInput)
    attachments = forms.Field(required=False)
    share_photo_location = forms.BooleanField(required=False)
    # The honeypot: a field hidden from people by the style sheet (never typed into), which form-filling robots fill.
    website = forms.CharField(required=False)

    def clean_token(self) -> str:
        return clean_token(self.cleaned_data.get("token", ""))

    def filled_by_a_robot(self) -> bool:
        return bool(self.cleaned_data.get("website", "").strip())

    def contacts(self) -> tuple[str, ...]:
        """The phone number and e-mail address given: rate limits also count per contact."""
        return (self.cleaned_data.get("contact_phone", ""), self.cleaned_data.get("contact_email", ""))

    def clean_body(self) -> str:
        # Browsers send CRLF line ends; count and store a line end as one character, as the counter does.
        return str(self.cleaned_data.get("body", "")).replace("\r\n", "\n")

    def submission(self, files: list[UploadedFile]) -> SubmissionInput:
        data = self.cleaned_data
        return SubmissionInput(
            body=data["body"],
            title=data["title"],
            kind=data["kind"],
            category=data["category"] or None,
            channel=Channel.WEB,
            contact_name=data["contact_name"],
            contact_phone=data["contact_phone"],
            contact_email=data["contact_email"],
            anonymous=data["anonymous"],
            address=data["address"],
            idempotency_key=WEB_KEY_PREFIX + data["token"],
            attachments=files,
            share_photo_location=data["share_photo_location"],
        )

    def ask_for_files_again(self) -> None:
        ask_for_files_again(self)

    def kind_choices(self) -> list[tuple[str, str]]:
        return [(value, str(label)) for value, label in Kind.choices]


class TrackLookupForm(Form):
    code = forms.CharField(required=False, max_length=40)


class RatingForm(Form):
    """The rating and, optional, a sub-score per dimension of the standard (``surveys.models.SUB_SCORES``); the
    service checks every value, so the fields only carry what was sent."""

    level = forms.CharField(required=False)
    comment = forms.CharField(required=False, widget=forms.Textarea)
    attitude = forms.CharField(required=False)
    efficiency = forms.CharField(required=False)
    outcome = forms.CharField(required=False)
    convenience = forms.CharField(required=False)

    @staticmethod
    def levels() -> list[tuple[int, str]]:
        return [(value, str(label)) for value, label in Level.choices]

    def scores(self) -> dict[str, str]:
        return {name: self.cleaned_data.get(name, "") for name, _label in SUB_SCORES}

    def dimensions(self) -> list[tuple[str, str, Any]]:
        """(field name, label, bound field) of each sub-score, for the template."""
        return [(name, str(label), self[name]) for name, label in SUB_SCORES]


class AnswerForm(Form):
    """The submitter's answer to a question staff asked (the tracking page): words, files, or both. The files are
    checked by the service (``sla.services.waiting.answer``: the submission form's rules)."""

    answer = forms.CharField(required=False, strip=False, widget=forms.Textarea)
    token = forms.CharField(required=False, widget=forms.HiddenInput)
    attachments = forms.Field(required=False)

    def clean_token(self) -> str:
        return clean_token(self.cleaned_data.get("token", ""))

    def clean_answer(self) -> str:
        # Browsers send CRLF line ends; a line end is one character, as on the submission form. Too long is refused
        # here rather than cut by the service: the person is still there to shorten it.
        text = str(self.cleaned_data.get("answer", "")).replace("\r\n", "\n")
        if len(text) > settings.FANKUI_MAX_BODY_CHARS:
            raise forms.ValidationError(
                _("The text is too long: %(n)d characters at most, this one has %(m)d.")
                % {"n": settings.FANKUI_MAX_BODY_CHARS, "m": len(text)}
            )
        return text

    def ask_for_files_again(self) -> None:
        ask_for_files_again(self)
