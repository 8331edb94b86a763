"""The import pages for administrators and supervisors: upload a file, choose its columns, dry-run it, run it, watch
its progress (htmx polls a fragment while the worker works) and download its report. Thin: ``services`` does it."""

from __future__ import annotations

from typing import cast

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from fankui.accounts import permissions
from fankui.accounts.models import User
from fankui.accounts.views import staff_required
from fankui.core.errors import Conflict, ValidationFailed
from fankui.core.forms import show_errors

from . import reading, services
from .forms import MappingForm, UploadForm
from .models import ImportJob, Outcome

BAD_ROWS_SHOWN = 100


def _forbidden(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/forbidden.html", status=403)


@staff_required
def jobs(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    if not permissions.may_import(user):
        return _forbidden(request)
    form = UploadForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                job = services.save_upload(
                    form.cleaned_data["file"],
                    user,
                    source=form.cleaned_data["source"],
                    history=form.cleaned_data["history"],
                )
            except reading.BadFile as exc:
                form.add_error("file", str(exc))
            else:
                return redirect("imports:detail", pk=job.pk)
        status = 422
    recent = ImportJob.objects.select_related("created_by")[:50]
    return render(request, "imports/list.html", {"form": form, "jobs": recent}, status=status)


@staff_required
def job(request: HttpRequest, pk: int) -> HttpResponse:
    user = cast(User, request.user)
    if not permissions.may_import(user):
        return _forbidden(request)
    item = get_object_or_404(ImportJob, pk=pk)
    form = MappingForm(request.POST or None, header=item.header, initial=item.mapping)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.start(item, user, dry_run=request.POST.get("run") != "import", given=form.chosen())
            except ValidationFailed as exc:
                show_errors(form, exc, {"mapping": "__all__"})
            except Conflict as exc:
                form.add_error(None, str(exc))
            else:
                return redirect("imports:detail", pk=item.pk)
        status = 422
    return render(request, "imports/detail.html", {**_progress_context(item), "form": form}, status=status)


def _progress_context(item: ImportJob) -> dict[str, object]:
    bad = item.results.filter(outcome__in=[Outcome.FAILED, Outcome.SKIPPED]).order_by("row")[:BAD_ROWS_SHOWN]
    return {"job": item, "progress": services.progress(item), "bad_rows": list(bad), "bad_rows_shown": BAD_ROWS_SHOWN}


@staff_required
def job_progress(request: HttpRequest, pk: int) -> HttpResponse:
    if not permissions.may_import(request.user):
        return _forbidden(request)
    item = get_object_or_404(ImportJob, pk=pk)
    return render(request, "imports/_progress.html", _progress_context(item))


@staff_required
def report(request: HttpRequest, pk: int) -> FileResponse | HttpResponse:
    if not permissions.may_import(request.user):
        return _forbidden(request)
    item = get_object_or_404(ImportJob, pk=pk)
    handle = services.report_download(item, request.user)
    if handle is None:
        raise Http404
    response = FileResponse(
        handle, as_attachment=True, filename=f"import-{item.pk}-report.csv", content_type="text/csv"
    )
    response["Cache-Control"] = "private, no-store"
    return response


@staff_required
@require_POST
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    if not permissions.may_import(request.user):
        return _forbidden(request)
    services.cancel(get_object_or_404(ImportJob, pk=pk))
    return redirect("imports:detail", pk=pk)
