"""The staff dashboard and the report page. Thin: the figures come from queries.build over the user's scope."""

from __future__ import annotations

from typing import Any, cast

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation

from fankui.accounts import permissions
from fankui.accounts.models import Department, User
from fankui.accounts.views import staff_required
from fankui.audit.services import record_export

from . import builders, layout, queries, windows
from .forms import PeriodForm, ReportForm
from .models import ReportRun
from .periods import Period


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _chart_data(key: str, section_tables: list[Any]) -> list[dict[str, Any]]:
    charts = []
    for i, table in enumerate(section_tables):
        if table.chart is None or not table.rows:
            continue
        rows = table.rows[: table.chart.limit]
        charts.append(
            {
                "id": f"chart-{key}-{i}",
                "kind": table.chart.kind,
                "title": table.title,
                "labels": [str(r[table.chart.label_column]) for r in rows],
                "values": [r[table.chart.value_column] or 0 for r in rows],
            }
        )
    return charts


def _cached_report(user: User, department: Department | None, period: Period) -> queries.Report:
    """The figures of a scope and period, kept for a few minutes: over a million cases they take seconds, and
    managers reload the dashboard. The page shows when they were computed."""
    scope = queries.scope_for(user, department)
    seconds = settings.FANKUI_DASHBOARD_CACHE_SECONDS
    if seconds <= 0:
        return queries.build(scope, period)
    # Everyone with the same scope shares the figures: the organisation, or a role and department.
    who = "org" if not scope.restricted else f"{user.role}:{user.department_id}"
    key = f"insights:{who}:{department.pk if department else ''}:{period.key}:{translation.get_language()}"
    report = cache.get(key)
    if report is None:
        report = queries.build(scope, period)
        cache.set(key, report, seconds)
    return cast(queries.Report, report)


@staff_required
def dashboard(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = PeriodForm(request.GET or None, user=user)
    period, department = form.chosen()
    report = _cached_report(user, department, period)
    sections = [
        (section, [(t, builders.display_rows(t)) for t in section.tables], _chart_data(section.key, section.tables))
        for section in layout.sections(report)
    ]
    context = {
        "form": form,
        "report": report,
        "sections": sections,
        "rates": report.rates,
        # Beside the headline rates: the share answered at first contact (直接答复办结, the operator's desk).
        "first_contact": report.first_contact,
        "definitions": layout.definitions(),
        "query": request.GET.urlencode(),
    }
    return render(request, "insights/dashboard.html", context)


@staff_required
def reports(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = ReportForm(request.GET or None, user=user)
    if request.GET.get("download") and form.is_valid():
        period, department = form.chosen()
        fmt = form.cleaned_data["format"]
        report = queries.build(queries.scope_for(user, department), period)
        record_export(user, "report", period=period.key, format=fmt, department=department.pk if department else None)
        response = HttpResponse(builders.render(report, fmt), content_type=builders.CONTENT_TYPES[fmt])
        response["Content-Disposition"] = f'attachment; filename="fankui-report-{period.key}.{fmt}"'
        return response
    runs = ReportRun.objects.all()[:24] if permissions.is_supervisor(user) else []
    return render(request, "insights/reports.html", {"form": form, "runs": runs})


@staff_required
def window_rates(request: HttpRequest) -> HttpResponse:
    """The five rates per hall, window and member of staff (一次一评) for a month or a week; a period or department
    not understood is named beside its field and the default shown, as on the dashboard."""
    user = _user(request)
    form = PeriodForm(request.GET or None, user=user)
    period, department = form.chosen()
    context = {
        "form": form,
        "period": period,
        "department": department,
        "figures": windows.figures(user, period, department),
        "rates": layout.GOODBAD_RATES,
    }
    return render(request, "insights/window_rates.html", context)
