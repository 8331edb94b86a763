"""The builder's forms. They read and check what was typed; the rules of a questionnaire are the services' own
(``services.building``), whose ``ValidationFailed`` the pages show beside these fields (``SERVICE_FIELDS``)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _

from fankui.accounts.models import Department
from fankui.core.forms import Form

from .models import CHOICE_KINDS, Axis, Kind, Question, Questionnaire, Version
from .services import department_choices
from .services.building import ChoiceInput, QuestionInput, Settings

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
# A service's field name -> the form's, where they differ.
SERVICE_FIELDS = {"show_if_key": "show_if", "options": "__all__", "rows": "__all__"}


class SettingsForm(Form):
    title_zh = forms.CharField(label=_("Title (Chinese)"), max_length=200)
    title_en = forms.CharField(label=_("Title (English)"), max_length=200, required=False)
    intro_zh = forms.CharField(
        label=_("Introduction (Chinese)"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=2000
    )
    intro_en = forms.CharField(
        label=_("Introduction (English)"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=2000
    )
    department = forms.ModelChoiceField(
        label=_("Department"),
        queryset=Department.objects.none(),
        required=False,
        help_text=_("Who may edit it and see its results; empty: the whole organisation."),
    )
    anonymous = forms.BooleanField(
        label=_("Anonymous: store no link between a response and the person or invitation"), required=False
    )
    public = forms.BooleanField(label=_("Anyone with the public link or QR code may answer"), required=False)
    opens_at = forms.DateTimeField(label=_("Opens at"), required=False, widget=DATETIME)
    closes_at = forms.DateTimeField(label=_("Closes at"), required=False, widget=DATETIME)
    quota = forms.IntegerField(label=_("Quota (responses)"), required=False, min_value=1, max_value=10_000_000)

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["department"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Department.objects.filter(department_choices(user)).order_by("path")

    def to_settings(self) -> Settings:
        data = self.cleaned_data
        return Settings(
            title_zh=data["title_zh"],
            title_en=data["title_en"],
            intro_zh=data["intro_zh"],
            intro_en=data["intro_en"],
            department=data["department"],
            anonymous=data["anonymous"],
            opens_at=data["opens_at"],
            closes_at=data["closes_at"],
            quota=data["quota"],
            public=data["public"],
        )

    @staticmethod
    def initial_of(questionnaire: Questionnaire) -> dict[str, Any]:
        names = (
            "title_zh",
            "title_en",
            "intro_zh",
            "intro_en",
            "department",
            "anonymous",
            "public",
            "opens_at",
            "closes_at",
            "quota",
        )
        return {name: getattr(questionnaire, name) for name in names}


class NewForm(SettingsForm):
    template = forms.ChoiceField(label=_("Start from"), required=False)

    def __init__(
        self, *args: Any, user: Any = None, templates: list[tuple[str, str]] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, user=user, **kwargs)
        field = self.fields["template"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("An empty questionnaire")), *(templates or [])]
        self.fields["title_zh"].required = False
        self.fields["title_zh"].help_text = _("Leave empty to keep the template's title.")
        self.order_fields(["template"])


class PageForm(Form):
    title_zh = forms.CharField(label=_("Page title (Chinese)"), max_length=200, required=False)
    title_en = forms.CharField(label=_("Page title (English)"), max_length=200, required=False)


class ChoiceForm(Form):
    key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=16)
    label_zh = forms.CharField(label=_("Label (Chinese)"), max_length=200, required=False)
    label_en = forms.CharField(label=_("Label (English)"), max_length=200, required=False)
    score = forms.IntegerField(label=_("Score"), required=False, min_value=-100, max_value=100)


ChoiceFormSet = formset_factory(ChoiceForm, extra=3, can_delete=True, max_num=50, absolute_max=60)


class QuestionForm(Form):
    page = forms.ChoiceField(label=_("Page"))
    kind = forms.ChoiceField(label=_("Kind"), choices=Kind.choices)
    text_zh = forms.CharField(label=_("Question (Chinese)"), max_length=500, required=False)
    text_en = forms.CharField(label=_("Question (English)"), max_length=500, required=False)
    help_zh = forms.CharField(label=_("Help (Chinese)"), max_length=500, required=False)
    help_en = forms.CharField(label=_("Help (English)"), max_length=500, required=False)
    required = forms.BooleanField(label=_("An answer is required"), required=False)
    scale_min = forms.IntegerField(label=_("Rating scale from"), min_value=0, max_value=9, initial=1)
    scale_max = forms.IntegerField(label=_("Rating scale to"), min_value=1, max_value=10, initial=5)
    low_label_zh = forms.CharField(label=_("Low end label (Chinese)"), max_length=100, required=False)
    low_label_en = forms.CharField(label=_("Low end label (English)"), max_length=100, required=False)
    high_label_zh = forms.CharField(label=_("High end label (Chinese)"), max_length=100, required=False)
    high_label_en = forms.CharField(label=_("High end label (English)"), max_length=100, required=False)
    show_if = forms.ChoiceField(label=_("Show only if the answer to"), required=False)
    show_if_values = forms.MultipleChoiceField(
        label=_("…is one of these choices"), required=False, widget=forms.CheckboxSelectMultiple
    )
    show_if_min = forms.IntegerField(label=_("…or a number from"), required=False, min_value=0, max_value=10)
    show_if_max = forms.IntegerField(label=_("…to"), required=False, min_value=0, max_value=10)

    def __init__(
        self, *args: Any, version: Version | None = None, question: Question | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if version is None:  # a form without its questionnaire (the checks of every form): no page to choose
            return
        pages = list(version.pages.order_by("position"))
        self.fields["page"].choices = [  # type: ignore[attr-defined]
            (p.key, f"{n}. {p.title_zh}" if p.title_zh else str(n)) for n, p in enumerate(pages, start=1)
        ]
        earlier = [
            q
            for q in version.questions.select_related("page").order_by("page__position", "position")
            if question is None or (q.page.position, q.position) < (question.page.position, question.position)
        ]
        sources: list[tuple[str, Any]] = [("", _("(always shown)"))]
        sources += [(q.key, q.text_zh[:60]) for q in earlier if q.kind != Kind.TEXT]
        self.fields["show_if"].choices = sources  # type: ignore[attr-defined]
        self.fields["show_if_values"].choices = [  # type: ignore[attr-defined]
            (c.key, f"{q.text_zh[:30]} → {c.label_zh}")
            for q in earlier
            if q.kind in CHOICE_KINDS
            for c in q.choices.filter(axis=Axis.OPTION).order_by("position")
        ]

    def to_input(self, options: list[ChoiceInput], rows: list[ChoiceInput]) -> QuestionInput:
        data = self.cleaned_data
        source_key = data["show_if"] or ""
        return QuestionInput(
            kind=data["kind"],
            text_zh=data["text_zh"],
            text_en=data["text_en"],
            help_zh=data["help_zh"],
            help_en=data["help_en"],
            required=data["required"],
            page_key=data["page"],
            scale_min=data["scale_min"],
            scale_max=data["scale_max"],
            low_label_zh=data["low_label_zh"],
            low_label_en=data["low_label_en"],
            high_label_zh=data["high_label_zh"],
            high_label_en=data["high_label_en"],
            options=options if data["kind"] in CHOICE_KINDS else [],
            rows=rows if data["kind"] == Kind.MATRIX else [],
            show_if_key=source_key,
            show_if_values=list(data["show_if_values"]),
            show_if_min=data["show_if_min"],
            show_if_max=data["show_if_max"],
        )

    @staticmethod
    def initial_of(question: Question) -> dict[str, Any]:
        names = (
            "kind",
            "text_zh",
            "text_en",
            "help_zh",
            "help_en",
            "required",
            "scale_min",
            "scale_max",
            "low_label_zh",
            "low_label_en",
            "high_label_zh",
            "high_label_en",
            "show_if_min",
            "show_if_max",
        )
        initial = {name: getattr(question, name) for name in names}
        initial.update(
            page=question.page.key,
            show_if=question.show_if.key if question.show_if else "",
            show_if_values=list(question.show_if_values or []),
        )
        return initial


def choices_of(formset: Any) -> list[ChoiceInput]:
    """The choices a valid formset gives, in order, without the deleted and the empty ones."""
    given = []
    for form in formset.forms:
        data = getattr(form, "cleaned_data", None) or {}
        if data.get("DELETE") or not (data.get("label_zh") or "").strip():
            continue
        given.append(
            ChoiceInput(data["label_zh"], data.get("label_en") or "", data.get("key") or "", data.get("score"))
        )
    return given


def choices_initial(question: Question | None, axis: str) -> list[dict[str, Any]]:
    if question is None:
        return []
    return [
        {"key": c.key, "label_zh": c.label_zh, "label_en": c.label_en, "score": c.score}
        for c in question.choices.filter(axis=axis).order_by("position")
    ]


class UploadForm(Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("One e-mail address or mobile number per line, in the first column; a header line is allowed."),
    )
