"""The pages of 好差评: the citizen's rating of a rectification (public, POST only records), and the staff's
rectifications and appeals. Thin: every write is one service call; domain errors become messages, never a 500."""

from __future__ import annotations

from typing import Any, cast

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from fankui.accounts.models import User
from fankui.accounts.views import staff_required
from fankui.cases.queries import find_by_code, visible_cases
from fankui.core import throttle
from fankui.core.errors import DomainError, ValidationFailed
from fankui.core.forms import posted_text
from fankui.core.throttle import Throttled

from . import queries, services
from .models import SUB_SCORES, Appeal, Level, Rating, Rectification
from .services import appeals, rectifications


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


# --- The citizen ----------------------------------------------------------------------------------------------
@require_http_methods(["GET", "HEAD", "POST"])
def rate_rectification(request: HttpRequest, code: str) -> HttpResponse:
    """The link in the rectification's report: a GET only opens the tracking page at the form (mail scanners follow
    links); the POST records the rating."""
    case = find_by_code(code)
    if case is None:
        raise Http404
    back = reverse("portal:track", kwargs={"code": case.tracking_code})
    if request.method != "POST":
        return redirect(back + "#rectification")
    scores = {name: request.POST.get(name, "") for name, _label in SUB_SCORES}
    try:
        throttle.check(request, "rate")
        services.rate_rectification(case, request.POST.get("level"), request.POST.get("comment", ""), scores)
    except Throttled as exc:
        messages.error(request, str(exc.message))
    except ValidationFailed as exc:
        for problems in exc.errors.values():
            for problem in problems:
                messages.error(request, problem)
        return redirect(back + "#rectification")
    except DomainError as exc:
        messages.warning(request, str(exc.message))
    else:
        messages.success(request, _("Thank you for rating what was done."))
    return redirect(back)


# --- Rectifications -------------------------------------------------------------------------------------------
@staff_required
def rectification_list(request: HttpRequest) -> HttpResponse:
    items = queries.visible_rectifications(_user(request))
    state = request.GET.get("state", "")
    if state in Rectification.State.values:
        items = items.filter(state=state)
    page = Paginator(items.order_by("deadline", "id"), settings.FANKUI_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "surveys/rectifications.html",
        {"page": page, "states": Rectification.State.choices, "state": state},
    )


def _rectification(request: HttpRequest, pk: int) -> Rectification:
    item = queries.visible_rectifications(_user(request)).filter(pk=pk).first()
    if item is None:
        raise Http404
    return item


@staff_required
def rectification_detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = _rectification(request, pk)
    user = _user(request)
    context: dict[str, Any] = {
        "item": item,
        "rating": item.rating,
        "follow_up_rating": item.ratings.first(),
        "can_submit": item.state == Rectification.State.OPEN and rectifications.may_handle(user, item),
        "can_check": item.state == Rectification.State.SUBMITTED and rectifications.may_check(user, item),
        "errors": {},
    }
    if request.method == "POST":
        step = request.POST.get("step", "")
        try:
            if step == "submit":
                rectifications.submit_rectification(item, user, posted_text(request.POST, "measures"))
                messages.success(request, _("Submitted for checking."))
            elif step in ("approve", "return"):
                rectifications.check_rectification(item, user, step == "approve", posted_text(request.POST, "note"))
                messages.success(request, _("Checked."))
            else:
                raise ValidationFailed({"step": [_("Choose what to do.")]})
        except ValidationFailed as exc:
            context["errors"] = exc.errors
            context["posted"] = request.POST
            return render(request, "surveys/rectification.html", context, status=422)
        except DomainError as exc:
            messages.error(request, str(exc.message))
        return redirect("surveys:rectification_detail", pk=item.pk)
    return render(request, "surveys/rectification.html", context)


# --- Appeals --------------------------------------------------------------------------------------------------
@staff_required
def appeal_list(request: HttpRequest) -> HttpResponse:
    items = queries.visible_appeals(_user(request))
    state = request.GET.get("state", "")
    if state in Appeal.State.values:
        items = items.filter(state=state)
    page = Paginator(items, settings.FANKUI_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "surveys/appeals.html",
        {
            "page": page,
            "states": Appeal.State.choices,
            "state": state,
            "may_decide": appeals.may_decide(_user(request)),
        },
    )


def _rating(request: HttpRequest, pk: int) -> Rating:
    rating = Rating.objects.filter(pk=pk, case__in=visible_cases(_user(request)).values("pk")).first()
    if rating is None:
        raise Http404
    return rating


@staff_required
@require_http_methods(["GET", "POST"])
def appeal_new(request: HttpRequest, rating_pk: int) -> HttpResponse:
    rating = _rating(request, rating_pk)
    user = _user(request)
    if not appeals.may_appeal(user, rating):
        raise Http404
    context: dict[str, Any] = {"rating": rating, "grounds": Appeal.Grounds.choices, "errors": {}, "posted": {}}
    if request.method == "POST":
        try:
            appeal = appeals.file_appeal(
                rating,
                user,
                request.POST.get("grounds", ""),
                posted_text(request.POST, "evidence"),
                request.FILES.getlist("files"),
            )
        except ValidationFailed as exc:
            context.update(errors=exc.errors, posted=request.POST)
            return render(request, "surveys/appeal_new.html", context, status=422)
        except DomainError as exc:
            messages.error(request, str(exc.message))
            return redirect("staff:case", pk=rating.case_id)
        messages.success(request, _("Appeal filed: a supervisor will decide."))
        return redirect("surveys:appeal_detail", pk=appeal.pk)
    return render(request, "surveys/appeal_new.html", context)


@staff_required
def appeal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    appeal = queries.visible_appeals(_user(request)).filter(pk=pk).first()
    if appeal is None:
        raise Http404
    context: dict[str, Any] = {
        "appeal": appeal,
        "files": list(appeal.evidence_files.all()),
        "can_decide": appeal.state == Appeal.State.PENDING and appeals.may_decide(_user(request)),
        "levels": dict(Level.choices),
        "errors": {},
    }
    return render(request, "surveys/appeal.html", context)


@staff_required
@require_POST
def appeal_decide(request: HttpRequest, pk: int) -> HttpResponse:
    appeal = queries.visible_appeals(_user(request)).filter(pk=pk).first()
    if appeal is None:
        raise Http404
    try:
        appeals.decide_appeal(
            appeal, _user(request), request.POST.get("decision") == "uphold", posted_text(request.POST, "note")
        )
    except ValidationFailed as exc:
        context = {
            "appeal": appeal,
            "files": list(appeal.evidence_files.all()),
            "can_decide": True,
            "errors": exc.errors,
            "posted": request.POST,
        }
        return render(request, "surveys/appeal.html", context, status=422)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Decided."))
    return redirect("surveys:appeal_detail", pk=appeal.pk)
