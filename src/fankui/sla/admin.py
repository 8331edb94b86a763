"""The admin is where policies, working hours and calendar overrides are edited; each form refuses bad input with
the same service checks the code uses, and a saved policy is re-applied to the open cases."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from fankui.core.errors import ValidationFailed
from fankui.core.forms import ModelForm, show_errors

from .models import CalendarDay, CalendarYear, Clock, Extension, Policy, PolicyTarget, Supervision, WorkingCalendar
from .services import calendars, clocks


class CalendarDayForm(ModelForm):
    class Meta:
        model = CalendarDay
        fields = ["day", "is_workday", "note"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("day"):
            try:
                calendars.check_calendar_day(data["day"])
            except ValidationFailed as error:
                show_errors(self, error)
        return data


class RecomputesDeadlines(admin.ModelAdmin):
    """Open cases' deadlines are counted again on the calendar as it now is."""

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        clocks.reapply_open_cases(force=True)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        super().delete_model(request, obj)
        clocks.reapply_open_cases(force=True)


@admin.register(CalendarDay)
class CalendarDayAdmin(RecomputesDeadlines):
    form = CalendarDayForm
    list_display = ["day", "is_workday", "note"]
    list_filter = ["is_workday"]
    date_hierarchy = "day"


class CalendarYearForm(ModelForm):
    class Meta:
        model = CalendarYear
        fields = ["year", "note"]

    def clean_year(self) -> int | None:
        year = self.cleaned_data.get("year")
        try:
            calendars.check_calendar_year(year)
        except ValidationFailed as error:
            raise forms.ValidationError(error.errors["year"]) from None
        return year


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    """Confirming a year says its holidays and make-up working days are all entered: only then does the calendar
    count as known for it (the header, the admin index and ``fankui check`` stop warning)."""

    form = CalendarYearForm
    list_display = ["year", "note", "entered_at", "entered_by"]
    readonly_fields = ["entered_at", "entered_by"]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if not change:
            obj.entered_by = request.user
        super().save_model(request, obj, form, change)


class WorkingCalendarForm(ModelForm):
    class Meta:
        model = WorkingCalendar
        fields = ["name", "periods", "is_default"]

    def clean_periods(self) -> str:
        text = self.cleaned_data.get("periods", "")
        try:
            calendars.check_periods(text)
        except ValidationFailed as error:
            raise forms.ValidationError(error.errors["periods"]) from None
        return str(text)


@admin.register(WorkingCalendar)
class WorkingCalendarAdmin(RecomputesDeadlines):
    form = WorkingCalendarForm
    list_display = ["name", "periods", "is_default"]


class TargetFormSet(forms.BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        targets = []
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE") or not data.get("stage"):
                continue
            targets.append((data["stage"], data.get("amount"), data.get("unit", "")))
        try:
            clocks.check_targets(targets)
        except ValidationFailed as error:
            raise forms.ValidationError([str(m) for m in error.errors["targets"]]) from None


class TargetInline(admin.TabularInline):
    model = PolicyTarget
    formset = TargetFormSet
    extra = 1


class PolicyForm(ModelForm):
    class Meta:
        model = Policy
        fields = [
            "name",
            "active",
            "kind",
            "category",
            "urgency",
            "channel",
            "department",
            "calendar",
            "warn_share",
            "escalate_after_hours",
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        probe = Policy(pk=self.instance.pk, **{k: v for k, v in data.items() if k in self.Meta.fields})
        try:
            clocks.check_policy(probe)
        except ValidationFailed as error:
            show_errors(self, error)
        return data


@admin.register(Policy)
class PolicyAdmin(admin.ModelAdmin):
    form = PolicyForm
    inlines = [TargetInline]
    list_display = ["name", "active", "kind", "category", "urgency", "channel", "department"]
    list_filter = ["active", "kind", "urgency"]

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        # Open cases follow the policy as it is now.
        clocks.reapply_open_cases()


@admin.register(Clock)
class ClockAdmin(admin.ModelAdmin):
    list_display = ["case", "stage", "round", "deadline", "paused_at", "stopped_at"]
    list_filter = ["stage"]
    raw_id_fields = ["case"]
    readonly_fields = [f.name for f in Clock._meta.fields]


@admin.register(Extension)
class ExtensionAdmin(admin.ModelAdmin):
    list_display = ["case", "days", "status", "requested_at", "decided_at"]
    list_filter = ["status"]
    raw_id_fields = ["case"]


@admin.register(Supervision)
class SupervisionAdmin(admin.ModelAdmin):
    list_display = ["case", "active", "flagged_at"]
    raw_id_fields = ["case"]
