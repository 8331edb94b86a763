"""Forms of the staff pages. They only parse what was typed; the rules (a reason is needed, the lead department must
be active, ...) live in ``services`` and come back as ``ValidationFailed``, which ``core.forms.show_errors`` puts beside
the fields."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from fankui.accounts.models import Department
from fankui.core.forms import Form
from fankui.core.vocab import Kind

from .models import Case, Category
from .queries import CaseFilter
from .services.moves import ActionInput
from .workflow import Action, SpamKind, State


def tree_paths(items: list[Any]) -> list[tuple[int, tuple[str, ...]]]:
    """``(pk, names from the top down to the node)`` of a tree's nodes in tree order, from one list of rows (so a
    select of departments or categories costs one query)."""
    children: dict[int | None, list[Any]] = {}
    pks = {item.pk for item in items}
    for item in items:
        # A node whose parent is not in the list (inactive, filtered out) is shown at the top level.
        children.setdefault(item.parent_id if item.parent_id in pks else None, []).append(item)
    paths: list[tuple[int, tuple[str, ...]]] = []

    def walk(parent: int | None, above: tuple[str, ...]) -> None:
        for item in sorted(children.get(parent, []), key=lambda i: (i.sort_order, i.name)):
            paths.append((item.pk, (*above, item.name)))
            walk(item.pk, (*above, item.name))

    walk(None, ())
    return paths


def tree_choices(items: list[Any]) -> list[tuple[int, str]]:
    """``(pk, label)`` of a tree's nodes in tree order, each label indented by its depth."""
    return [(pk, "\u3000" * (len(path) - 1) + path[-1]) for pk, path in tree_paths(items)]


def department_choices(*, active_only: bool) -> list[tuple[int, str]]:
    rows = Department.objects.only("name", "parent_id", "sort_order")
    return tree_choices(list(rows.filter(active=True) if active_only else rows))


def category_choices() -> list[tuple[int, str]]:
    return tree_choices(list(Category.objects.only("name", "parent_id", "sort_order")))


def category_groups() -> list[tuple[str, list[tuple[int, str]]]]:
    """The active categories for a select, one group per first level (its first option is the first level itself),
    each deeper one named by its path below the group ("安全生产 / 事故处理"): typing a name's first characters finds
    it, and a screen reader reads where it sits. One query."""
    rows = list(Category.objects.filter(active=True).only("name", "parent_id", "sort_order"))
    groups: list[tuple[str, list[tuple[int, str]]]] = []
    for pk, path in tree_paths(rows):
        if len(path) == 1:
            groups.append((path[0], [(pk, path[0])]))
        else:
            groups[-1][1].append((pk, " / ".join(path[1:])))
    return groups


# Dates outside these bounds cannot be turned into the day boundaries a date filter compares with.
EARLIEST, LATEST = date(1900, 1, 1), date(2999, 12, 31)


# --- Lists ------------------------------------------------------------------------------------------------------
class SearchInput(forms.TextInput):
    input_type = "search"


class FilterForm(Form):
    """The filters of every case list. A value that does not parse is dropped (and named), never an error page."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=200,
        widget=SearchInput(attrs={"placeholder": _("Text, number, tracking code or phone"), "autocomplete": "off"}),
    )
    state = forms.ChoiceField(label=_("State"), required=False)
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("Any kind")), *Kind.choices])
    category = forms.TypedChoiceField(label=_("Category"), required=False, coerce=int, empty_value=None)
    department = forms.TypedChoiceField(label=_("Lead department"), required=False, coerce=int, empty_value=None)
    date_from = forms.DateField(
        label=_("Received from"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "min": EARLIEST.isoformat(), "max": LATEST.isoformat()}),
        validators=[MinValueValidator(EARLIEST), MaxValueValidator(LATEST)],
    )
    date_to = forms.DateField(
        label=_("Received to"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "min": EARLIEST.isoformat(), "max": LATEST.isoformat()}),
        validators=[MinValueValidator(EARLIEST), MaxValueValidator(LATEST)],
    )

    def __init__(self, *args: Any, states: tuple[str, ...] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        allowed = [(value, label) for value, label in State.choices if states is None or value in states]
        self.fields["state"].choices = [("", _("Any state")), *allowed]  # type: ignore[attr-defined]
        self.fields["category"].choices = [("", _("Any category")), *category_choices()]  # type: ignore[attr-defined]
        self.fields["department"].choices = [  # type: ignore[attr-defined]
            ("", _("Any department")),
            *department_choices(active_only=False),
        ]

    def to_filter(self) -> CaseFilter:
        """The valid part of the input as a ``CaseFilter``; call after ``is_valid()``."""
        data = self.cleaned_data
        return CaseFilter(
            state=data.get("state") or "",
            kind=data.get("kind") or "",
            category=data.get("category"),
            department=data.get("department"),
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            q=data.get("q") or "",
        )

    def ignored(self) -> list[tuple[str, str]]:
        """``(element id, text)`` per dropped filter, for a notice above the list; the id is the one the field's
        ``aria-describedby`` names, so a screen reader finds the reason from the field."""
        return [
            (f"{self[name].auto_id}_error", f"{self.fields[name].label}: {' '.join(str(e) for e in errors)}")
            for name, errors in self.errors.items()
        ]


# --- Actions ----------------------------------------------------------------------------------------------------
class ActionForm(Form):
    def to_input(self) -> ActionInput:
        data = {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}
        return ActionInput(**data)


class NoteForm(ActionForm):
    note = forms.CharField(
        label=_("Note (optional)"), required=False, widget=forms.Textarea(attrs={"rows": 2}), strip=True
    )


class ReasonForm(ActionForm):
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "required": True}),
        help_text=_("Required. It is kept on the case's timeline."),
    )


class CategoryChoice(forms.TypedChoiceField):
    """The category a dispatcher sets or changes while accepting or dispatching; empty keeps the case's own."""

    def __init__(self) -> None:
        super().__init__(
            label=_("Category"),
            required=False,
            coerce=int,
            empty_value=None,
            help_text=_("Optional. A category you choose is final: the analysis will not change it."),
        )

    def offer(self, case: Case) -> None:
        keep = gettext("Keep it unset")
        if case.category_id:
            keep = gettext("Keep “%(name)s”") % {"name": case.category}
            if origin := case.category_origin:
                keep = f"{keep} ({origin})"
        self.choices = [("", keep), *category_groups()]


class AcceptForm(NoteForm):
    category = CategoryChoice()


class DispatchForm(ActionForm):
    lead_department = forms.TypedChoiceField(label=_("Lead department"), required=False, coerce=int, empty_value=None)
    assist_departments = forms.TypedMultipleChoiceField(
        label=_("Assisting departments"),
        required=False,
        coerce=int,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_("Optional. Hold Ctrl (⌘ on a Mac) to choose several."),
    )
    category = CategoryChoice()
    note = forms.CharField(label=_("Note (optional)"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = department_choices(active_only=True)
        self.fields["lead_department"].choices = [("", _("Choose…")), *choices]  # type: ignore[attr-defined]
        self.fields["assist_departments"].choices = choices  # type: ignore[attr-defined]


class ReplyForm(ActionForm):
    body = forms.CharField(
        label=_("Reply to the submitter"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8, "required": True}),
        help_text=_("The submitter reads this reply and is then asked to rate it."),
    )


class AnswerForm(ActionForm):
    body = forms.CharField(
        label=_("Answer given to the caller"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "required": True}),
        help_text=_("What you told the caller: the submitter is sent it and the case is closed at once."),
    )


class MergeForm(ActionForm):
    primary = forms.CharField(
        label=_("Primary case"),
        required=False,
        max_length=40,
        help_text=_("The number (2026-000123) or tracking code of the case this one duplicates."),
        widget=forms.TextInput(attrs={"required": True, "autocomplete": "off"}),
    )


class StartForm(ActionForm):
    pass


class SpamForm(ReasonForm):
    spam_kind = forms.ChoiceField(
        label=_("Marked as"),
        required=False,
        choices=[("", _("Choose…")), *SpamKind.choices],
        help_text=_(
            "Spam: advertising, gibberish, test messages. Abuse: insults, harassment, repeated malicious "
            "submissions. The case ends without a reply, the submitter is not told, and it leaves the rates."
        ),
    )
    field_order = ["spam_kind", "reason"]


ACTION_FORMS: dict[str, type[ActionForm]] = {
    Action.ACCEPT: AcceptForm,
    Action.REJECT: ReasonForm,
    Action.DISPATCH: DispatchForm,
    Action.REDISPATCH: DispatchForm,
    Action.RETURN: ReasonForm,
    Action.START: StartForm,
    Action.REPLY: ReplyForm,
    Action.CLOSE: NoteForm,
    Action.REOPEN: ReasonForm,
    Action.MERGE: MergeForm,
    Action.MARK_SPAM: SpamForm,
    Action.UNMARK_SPAM: ReasonForm,
    Action.ANSWER_AT_ONCE: AnswerForm,
}


def action_form(action: str, case: Case, data: Any = None) -> ActionForm:
    """The form of ``action`` on ``case``, bound to ``data`` when given. Every form posts to its own URL, so the
    field names need no prefix; the element ids do, as several forms share one page."""
    initial: dict[str, Any] = {}
    if action in (Action.DISPATCH, Action.REDISPATCH):
        # The category's usual department is the likely lead; a redispatch keeps the helpers chosen before.
        usual = case.category.department if case.category and case.category.department_id else None
        if usual is not None and usual.active and not (action == Action.REDISPATCH and usual == case.lead_department):
            initial["lead_department"] = usual.pk
        if action == Action.REDISPATCH:
            initial["assist_departments"] = [d.pk for d in case.assist_departments.all()]
    form = ACTION_FORMS[action](data, initial=initial, auto_id=f"id_{action}_%s")
    category = form.fields.get("category")
    if isinstance(category, CategoryChoice):
        category.offer(case)
    return form
