"""Staff pages: the questionnaire builder (settings, pages, questions with their choices and show-if), publishing,
the public link's QR code and the invitation lists. Thin: every write is one call of ``services``; who may see and
change what is ``services.visible_questionnaires`` / ``can_edit`` (accounts.permissions' department scope)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fankui.accounts.views import staff_required
from fankui.core.errors import DomainError, NotFound, PermissionDenied, ValidationFailed
from fankui.core.forms import show_errors

from .forms import (
    SERVICE_FIELDS,
    ChoiceFormSet,
    NewForm,
    PageForm,
    QuestionForm,
    SettingsForm,
    UploadForm,
    choices_initial,
    choices_of,
)
from .models import Axis, Invitation, Kind, Questionnaire, Response, State
from .services import (
    building,
    can_create,
    can_edit,
    distribution,
    get_visible,
    phone,
    shipped,
    visible_questionnaires,
)
from .services.answering import closed_reason


def _get(request: HttpRequest, pk: int, *, edit: bool = False) -> Questionnaire:
    try:
        questionnaire = get_visible(request.user, pk)
    except NotFound as error:
        raise Http404 from error
    if edit and not can_edit(request.user, questionnaire):
        raise DjangoPermissionDenied
    return questionnaire


def _failed(request: HttpRequest, error: DomainError) -> None:
    messages.error(request, str(error.message))


def _change(
    request: HttpRequest,
    pk: int,
    change: Callable[[Questionnaire], Any],
    done: str | Callable[[Any], str] = "",
    *,
    back: str = "",
) -> HttpResponse:
    """A builder's button (publish, delete, move, send): the questionnaire the user may edit, one service call, its
    message (``done``, or what it makes of the service's answer; the service's refusal), back to the page."""
    questionnaire = _get(request, pk, edit=True)
    try:
        result = change(questionnaire)
    except DomainError as error:
        _failed(request, error)
    else:
        if done:
            messages.success(request, done(result) if callable(done) else done)
    return redirect(back or reverse("questionnaires:detail", args=[pk]))


@staff_required
def questionnaire_list(request: HttpRequest) -> HttpResponse:
    rows = visible_questionnaires(request.user).select_related("department").order_by("-created_at", "-id")
    page = Paginator(rows, settings.FANKUI_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "questionnaires/list.html", {"page": page, "can_create": can_create(request.user)})


@staff_required
def questionnaire_new(request: HttpRequest) -> HttpResponse:
    if not can_create(request.user):
        raise DjangoPermissionDenied
    templates = shipped.available()
    status = 200
    if request.method == "POST":
        form = NewForm(request.POST, user=request.user, templates=templates)
        if form.is_valid():
            try:
                template = form.cleaned_data["template"]
                if template:
                    questionnaire = shipped.copy(request.user, template, form.to_settings())
                else:
                    if not form.cleaned_data["title_zh"].strip():
                        raise ValidationFailed({"title_zh": [_("Please give the title in Chinese.")]})
                    questionnaire = building.create(request.user, form.to_settings())
            except ValidationFailed as error:
                show_errors(form, error)
                status = 422
            except DomainError as error:
                _failed(request, error)
                status = error.status
            else:
                messages.success(request, _("The questionnaire was created as a draft."))
                return redirect("questionnaires:detail", pk=questionnaire.pk)
        else:
            status = 422
    else:
        form = NewForm(user=request.user, templates=templates, initial={"public": True})
    return render(request, "questionnaires/form.html", {"form": form, "new": True}, status=status)


@staff_required
def questionnaire_settings(request: HttpRequest, pk: int) -> HttpResponse:
    questionnaire = _get(request, pk, edit=True)
    status = 200
    if request.method == "POST":
        form = SettingsForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                building.update_settings(request.user, questionnaire, form.to_settings())
            except ValidationFailed as error:
                show_errors(form, error)
                status = 422
            except DomainError as error:
                _failed(request, error)
                status = error.status
            else:
                messages.success(request, _("The settings were saved."))
                return redirect("questionnaires:detail", pk=pk)
        else:
            status = 422
    else:
        form = SettingsForm(user=request.user, initial=SettingsForm.initial_of(questionnaire))
    return render(request, "questionnaires/form.html", {"form": form, "questionnaire": questionnaire}, status=status)


@staff_required
def questionnaire_detail(request: HttpRequest, pk: int) -> HttpResponse:
    questionnaire = _get(request, pk)
    version = questionnaire.current_version
    assert version is not None
    pages = list(version.pages.order_by("position"))
    questions = list(
        version.questions.select_related("show_if", "page")
        .prefetch_related("choices")
        .order_by("page__position", "position")
    )
    invitations = Invitation.objects.filter(questionnaire=questionnaire)
    context: dict[str, Any] = {
        "questionnaire": questionnaire,
        "version": version,
        "pages": [(p, [q for q in questions if q.page_id == p.pk]) for p in pages],
        "can_edit": can_edit(request.user, questionnaire),
        "responses": Response.objects.filter(questionnaire=questionnaire).count(),
        "versions": questionnaire.versions.count(),
        "closed_reason": closed_reason(questionnaire),
        "public_link": distribution.public_link(questionnaire),
        "invited": invitations.count(),
        "answered": invitations.filter(used_at__isnull=False).count(),
        "kinds": dict(Kind.choices),
        "may_phone": phone.may_record(request.user, questionnaire),
    }
    return render(request, "questionnaires/detail.html", context)


@staff_required
@require_POST
def questionnaire_state(request: HttpRequest, pk: int, state: str) -> HttpResponse:
    done = _("The questionnaire is published.") if state == State.PUBLISHED else _("The questionnaire is closed.")
    return _change(request, pk, lambda q: building.set_state(request.user, q, state), done)


@staff_required
def page_new(request: HttpRequest, pk: int) -> HttpResponse:
    return _page_form(request, pk, "")


@staff_required
def page_edit(request: HttpRequest, pk: int, page: str) -> HttpResponse:
    return _page_form(request, pk, page)


def _page_form(request: HttpRequest, pk: int, page: str) -> HttpResponse:
    questionnaire = _get(request, pk, edit=True)
    version = questionnaire.current_version
    assert version is not None
    existing = building.find_page(version, page) if page else None
    if page and existing is None:
        raise Http404
    if request.method == "POST":
        form = PageForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                if existing is None:
                    building.add_page(request.user, questionnaire, data["title_zh"], data["title_en"])
                else:
                    building.update_page(request.user, questionnaire, page, data["title_zh"], data["title_en"])
            except DomainError as error:
                _failed(request, error)
            else:
                messages.success(request, _("The page was saved."))
                return redirect("questionnaires:detail", pk=pk)
    else:
        initial = {"title_zh": existing.title_zh, "title_en": existing.title_en} if existing else {}
        form = PageForm(initial=initial)
    return render(
        request, "questionnaires/page_form.html", {"form": form, "questionnaire": questionnaire, "page": existing}
    )


@staff_required
@require_POST
def page_delete(request: HttpRequest, pk: int, page: str) -> HttpResponse:
    return _change(request, pk, lambda q: building.delete_page(request.user, q, page), _("The page was deleted."))


@staff_required
def question_edit(request: HttpRequest, pk: int, key: str = "") -> HttpResponse:
    questionnaire = _get(request, pk, edit=True)
    version = questionnaire.current_version
    assert version is not None
    question = building.find_question(version, key) if key else None
    if key and question is None:
        raise Http404
    status = 200
    if request.method == "POST":
        form = QuestionForm(request.POST, version=version, question=question)
        options = ChoiceFormSet(request.POST, prefix="options")
        rows = ChoiceFormSet(request.POST, prefix="rows")
        if form.is_valid() and options.is_valid() and rows.is_valid():
            try:
                saved = building.save_question(
                    request.user, questionnaire, form.to_input(choices_of(options), choices_of(rows)), key or None
                )
            except ValidationFailed as error:
                show_errors(form, error, SERVICE_FIELDS)
                status = 422
            except DomainError as error:
                _failed(request, error)
                status = error.status
            else:
                messages.success(request, _("The question was saved."))
                return redirect(f"/staff/questionnaires/{pk}/#{saved.key}")
        else:
            status = 422
    else:
        initial = QuestionForm.initial_of(question) if question else {"page": request.GET.get("page", "")}
        form = QuestionForm(version=version, question=question, initial=initial)
        options = ChoiceFormSet(prefix="options", initial=choices_initial(question, Axis.OPTION))
        rows = ChoiceFormSet(prefix="rows", initial=choices_initial(question, Axis.ROW))
    context = {"form": form, "options": options, "rows": rows, "questionnaire": questionnaire, "question": question}
    return render(request, "questionnaires/question_form.html", context, status=status)


@staff_required
@require_POST
def question_delete(request: HttpRequest, pk: int, key: str) -> HttpResponse:
    done = _("The question was deleted.")
    return _change(request, pk, lambda q: building.delete_question(request.user, q, key), done)


@staff_required
@require_POST
def question_move(request: HttpRequest, pk: int, key: str, direction: str) -> HttpResponse:
    step = -1 if direction == "up" else 1
    back = reverse("questionnaires:detail", args=[pk]) + f"#{key}"
    return _change(request, pk, lambda q: building.move_question(request.user, q, key, step), back=back)


@staff_required
def questionnaire_qr(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    questionnaire = _get(request, pk)
    if kind not in ("png", "svg"):
        raise Http404
    image = distribution.qr_code(distribution.public_link(questionnaire), kind)
    response = HttpResponse(image, content_type="image/png" if kind == "png" else "image/svg+xml")
    if request.GET.get("download"):
        response["Content-Disposition"] = f'attachment; filename="questionnaire-{pk}.{kind}"'
    return response


@staff_required
def invitations(request: HttpRequest, pk: int) -> HttpResponse:
    questionnaire = _get(request, pk)
    editable = can_edit(request.user, questionnaire)
    status = 200
    form = UploadForm()
    if request.method == "POST":
        if not editable:
            raise DjangoPermissionDenied
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                report = distribution.add_invitations(request.user, questionnaire, form.cleaned_data["file"].read())
            except ValidationFailed as error:
                show_errors(form, error)
                status = 422
            except (PermissionDenied, DomainError) as error:
                _failed(request, error)
                status = error.status
            else:
                messages.success(
                    request,
                    _("%(added)d addresses invited, %(already)d already on the list, %(refused)d lines refused.")
                    % {"added": report.added, "already": report.already, "refused": len(report.problems)},
                )
                for problem in report.problems[:20]:
                    messages.warning(request, problem)
                return redirect("questionnaires:invitations", pk=pk)
        else:
            status = 422
    rows = Invitation.objects.filter(questionnaire=questionnaire).order_by("id")
    page = Paginator(rows, settings.FANKUI_PAGE_SIZE).get_page(request.GET.get("page"))
    shown = [(invitation, distribution.masked(invitation)) for invitation in page]
    context = {
        "questionnaire": questionnaire,
        "page": page,
        "shown": shown,
        "form": form,
        "can_edit": editable,
        "may_phone": phone.may_record(request.user, questionnaire) and not closed_reason(questionnaire),
    }
    return render(request, "questionnaires/invitations.html", context, status=status)


def _queued(count: int) -> str:
    return _("Messages queued for sending: %(count)d.") % {"count": count}


@staff_required
@require_POST
def invitations_send(request: HttpRequest, pk: int) -> HttpResponse:
    back = reverse("questionnaires:invitations", args=[pk])
    return _change(request, pk, lambda q: distribution.send_invitations(request.user, q), _queued, back=back)


@staff_required
@require_POST
def invitations_remind(request: HttpRequest, pk: int) -> HttpResponse:
    back = reverse("questionnaires:invitations", args=[pk])
    return _change(request, pk, lambda q: distribution.send_reminders(request.user, q), _queued, back=back)
