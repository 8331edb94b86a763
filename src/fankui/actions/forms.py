"""Forms of the action pages: they parse and render; the rules live in ``services`` and come back as
``ValidationFailed``, shown beside the fields."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from fankui.accounts.models import User
from fankui.cases.forms import department_choices
from fankui.core.forms import Form
from fankui.core.text import as_id

from .models import Indicator, Source
from .services.creating import ActionInput, parse_milestones

# The service's names for the form's fields where they differ (``core.forms.show_errors``).
SERVICE_FIELDS = {"case_ids": "cases"}


def owner_choices() -> list[tuple[str, str]]:
    people = User.objects.filter(is_active=True).exclude(role="").select_related("department").order_by("username")
    return [("", "—")] + [
        (str(u.pk), f"{u.display_name} ({u.department.name})" if u.department else u.display_name) for u in people
    ]


class ActionForm(Form):
    title = forms.CharField(label=_("Title"), required=False, max_length=200)
    goal = forms.CharField(label=_("Goal"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    root_cause = forms.CharField(label=_("Root cause"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    measures = forms.CharField(label=_("Measures"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    expected_effect = forms.CharField(
        label=_("Expected effect"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    owner = forms.ChoiceField(label=_("Owner (person responsible)"), required=False)
    department = forms.ChoiceField(label=_("Responsible department"), required=False)
    deadline = forms.CharField(label=_("Deadline"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    milestones = forms.CharField(
        label=_("Milestones"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "2026-12-01 现场勘查"}),
        help_text=_("One per line: the date (YYYY-MM-DD), a space, what is due."),
    )
    indicator = forms.ChoiceField(label=_("Indicator"), required=False, choices=Indicator.choices)
    indicator_weeks = forms.CharField(label=_("Weeks compared before and after"), required=False, initial="4")
    indicator_target = forms.CharField(
        label=_("Target value"),
        required=False,
        help_text=_("Cases per week at most, or a satisfaction rate (%) at least. Empty: any improvement."),
    )
    verify_after_days = forms.CharField(label=_("Check the effect after (days)"), required=False, initial="28")
    cases = forms.CharField(
        label=_("Cases"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Case numbers or tracking codes, separated by spaces or lines."),
    )
    from_bad_ratings = forms.BooleanField(
        label=_("Also link the department's cases rated unsatisfied in the last 90 days"), required=False
    )
    public = forms.BooleanField(label=_("Show on the public board"), required=False, initial=True)
    topic = forms.CharField(required=False, widget=forms.HiddenInput)
    case_ids = forms.CharField(required=False, widget=forms.HiddenInput)
    source = forms.ChoiceField(required=False, choices=Source.choices, widget=forms.HiddenInput)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = owner_choices()  # type: ignore[attr-defined]
        self.fields["department"].choices = [("", "—")] + [  # type: ignore[attr-defined]
            (str(pk), name) for pk, name in department_choices(active_only=True)
        ]

    def to_input(self) -> ActionInput:
        d = self.cleaned_data
        ids = [pk for pk in map(as_id, (d.get("case_ids") or "").replace(",", " ").split()) if pk is not None]
        return ActionInput(
            title=d.get("title", ""),
            goal=d.get("goal", ""),
            root_cause=d.get("root_cause", ""),
            measures=d.get("measures", ""),
            expected_effect=d.get("expected_effect", ""),
            owner=d.get("owner") or None,
            department=d.get("department") or None,
            deadline=d.get("deadline") or None,
            topic=d.get("topic") or None,
            source=d.get("source") or Source.MANUAL,
            public=bool(d.get("public")),
            indicator=d.get("indicator") or Indicator.NONE,
            indicator_weeks=d.get("indicator_weeks") or "4",
            indicator_target=d.get("indicator_target") or None,
            verify_after_days=d.get("verify_after_days") or "28",
            milestones=list(parse_milestones(d.get("milestones", ""))),
            case_refs=(d.get("cases") or "").split(),
            case_ids=ids,
            from_bad_ratings=bool(d.get("from_bad_ratings")),
        )
