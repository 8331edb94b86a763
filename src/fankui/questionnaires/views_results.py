"""Staff pages of a questionnaire's results: the figures and a chart per question, cross-tabs, waves, the free-text
answers with their sentiment and topics (linked to improvement actions), and the export (XLSX, CSV).

Thin: the figures are ``services.results.rollup``, the texts ``services.texts``, the files ``services.exports``. Who
may see them is the builder's scope (``services.get_visible``: a department sees its own); looking at results is
recorded in the audit trail (kind "questionnaire", ``do`` "results"), an export as an export (``record_export``),
and exports count against a per-user limit (``core.throttle``, scope "questionnaire_export")."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fankui.accounts.views import staff_required
from fankui.audit.services import record_export
from fankui.core import throttle
from fankui.core.errors import DomainError, NotFound, ValidationFailed

from .charts import bars_svg, trend_svg
from .forms_results import ExportForm, FiltersForm
from .models import AnswerAction, Kind, Questionnaire, Via
from .services import can_edit, crosstab, get_visible, texts
from .services import exports as exporting
from .services import results as figures
from .services.building import audit

TEXTS_PER_PAGE = 30


def _get(request: HttpRequest, pk: int) -> Questionnaire:
    try:
        return get_visible(request.user, pk)
    except NotFound as error:
        raise Http404 from error


@staff_required
def results(request: HttpRequest, pk: int) -> HttpResponse:
    questionnaire = _get(request, pk)
    form = FiltersForm(request.GET or None, versions=figures.version_numbers(questionnaire))
    filters = form.filters()
    rollup = figures.rollup(questionnaire, filters)
    cross = None
    by, of = (form.cleaned_data.get("by") or "", form.cleaned_data.get("of") or "") if form.is_bound else ("", "")
    if form.is_bound and form.is_valid() and (by or of):
        cross = crosstab.cross_tab(rollup, by or "via", of or (rollup.headline[0].key if rollup.headline else ""))
        if cross is None:
            messages.error(
                request,
                _(
                    "This cross-tab cannot be made: choose a choice question or the channel, "
                    "and a number or single-choice question."
                ),
            )
    # Text answers not read yet are read now, a bounded batch per view.
    texts.read_pending(questionnaire)
    text_summary = texts.summarise(questionnaire)
    audit(request.user, questionnaire, "results", filters=request.GET.urlencode()[:300])
    charts = []
    for question in rollup.questions:
        chart = bars_svg(question.bars, title=question.text) if question.bars else ""
        matrix = [(label, bars_svg(bars, title=f"{question.text}: {label}")) for label, bars in question.rows]
        charts.append((question, chart, matrix))

    def table(waves: list[figures.Wave], headline: list[figures.QuestionResult]) -> list[tuple[str, int, list[Any]]]:
        return [(w.label, w.responses, [w.figures.get(h.key) for h in headline]) for w in waves]

    trend = None
    if rollup.headline and len(rollup.months) > 1:
        first = rollup.headline[0]
        trend = trend_svg([(m.label, m.figures.get(first.key)) for m in rollup.months], title=first.figure_name)
    context: dict[str, Any] = {
        "questionnaire": questionnaire,
        "form": form,
        "r": rollup,
        "charts": charts,
        "waves": table(rollup.waves, rollup.headline),
        "months": table(rollup.months, rollup.headline[:1]),
        "via_counts": [(str(label), rollup.by_via.get(value, 0)) for value, label in Via.choices],
        "trend": trend,
        "cross": cross,
        "cross_by": crosstab.cross_by_options(rollup),
        "cross_of": crosstab.cross_of_options(rollup),
        "by": by,
        "of": of,
        "texts": text_summary,
        "sentiments": [(texts.sentiment_label(k), v) for k, v in sorted(text_summary.sentiments.items())],
        "can_edit": can_edit(request.user, questionnaire),
        "export_form": ExportForm(),
        "query": request.GET.urlencode(),
        "kinds": dict(Kind.choices),
    }
    return render(request, "questionnaires/results.html", context)


@staff_required
def text_answers(request: HttpRequest, pk: int) -> HttpResponse:
    """The free-text answers, masked, with their sentiment and keywords; choose some to link to an action."""
    questionnaire = _get(request, pk)
    texts.read_pending(questionnaire)
    sentiment = request.GET.get("sentiment", "")
    word = request.GET.get("topic", "").strip()[:40]
    try:
        rows = texts.read_answers(questionnaire, sentiment=sentiment, word=word)
    except ValidationFailed as error:
        messages.error(request, " ".join(str(m) for ms in error.errors.values() for m in ms))
        word = ""
        rows = texts.read_answers(questionnaire, sentiment=sentiment)
    page = Paginator(rows, TEXTS_PER_PAGE).get_page(request.GET.get("page"))
    linked: dict[int, list[Any]] = {}
    for link in AnswerAction.objects.filter(answer_id__in=[a.pk for a in page]).select_related("action"):
        linked.setdefault(link.answer_id, []).append(link.action)
    audit(request.user, questionnaire, "text_answers", page=page.number)
    items = [
        {
            "answer": a,
            "reading": a.reading,
            "sentiment": texts.sentiment_label(a.reading.sentiment),
            "actions": linked.get(a.pk, []),
        }
        for a in page
    ]
    context = {
        "questionnaire": questionnaire,
        "page": page,
        "items": items,
        "sentiment": sentiment,
        "topic": word,
        "actions": list(texts.linkable_actions(request.user)[:200]) if can_edit(request.user, questionnaire) else [],
        "can_edit": can_edit(request.user, questionnaire),
    }
    return render(request, "questionnaires/results_texts.html", context)


@staff_required
@require_POST
def link_action(request: HttpRequest, pk: int) -> HttpResponse:
    questionnaire = _get(request, pk)
    if not can_edit(request.user, questionnaire):
        raise DjangoPermissionDenied
    back = redirect("questionnaires:results_texts", pk=pk)
    try:
        made = texts.link(request.user, questionnaire, request.POST.getlist("answers"), request.POST.get("action", ""))
    except ValidationFailed as error:
        messages.error(request, " ".join(str(m) for ms in error.errors.values() for m in ms))
        return back
    except DomainError as error:
        messages.error(request, str(error.message))
        return back
    messages.success(request, _("%(n)d answers were linked to the improvement action.") % {"n": made})
    return back


@staff_required
def export(request: HttpRequest, pk: int) -> HttpResponse:
    questionnaire = _get(request, pk)
    if not can_edit(request.user, questionnaire):
        raise DjangoPermissionDenied
    form = ExportForm(request.GET)
    if not form.is_valid():
        messages.error(request, _("Please choose the format: XLSX or CSV."))
        return redirect("questionnaires:results", pk=pk)
    chosen = FiltersForm(request.GET, versions=figures.version_numbers(questionnaire))
    if not chosen.is_valid():
        # Not everything instead of what was asked: the results page shows the filters with their errors.
        messages.error(request, _("Please correct the filters before downloading."))
        return redirect(f"{reverse('questionnaires:results', args=[pk])}?{request.GET.urlencode()}")
    try:
        throttle.check_user(request, "questionnaire_export")
    except throttle.Throttled as error:
        response = render(
            request, "429.html", {"status": 429, "message": error.message, "base": "staff_base.html"}, status=429
        )
        response["Retry-After"] = str(error.retry_after)
        return response
    filters = chosen.filters()
    fmt = form.cleaned_data["format"]
    record_export(request.user, "questionnaire", format=fmt, questionnaire=questionnaire.pk, filters=str(filters))
    content = exporting.render(questionnaire, fmt, filters)
    response = HttpResponse(content, content_type=exporting.CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{exporting.filename(questionnaire, fmt)}"'
    return response
