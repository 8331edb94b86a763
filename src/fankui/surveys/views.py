"""The pages of 好差评 and 一次一评. Thin: parse, ask ``accounts.permissions`` (through ``queries``, ``windows`` and
``followups``), call one service, render. Domain errors become messages beside their fields, never a 500.

- ``/track/<code>/rectification/``: the citizen's rating of a rectification (public, POST only records).
- ``/staff/surveys/rectifications/``, ``/staff/surveys/appeals/``: the staff's rectifications and appeals.
- ``/r/<w|p>/<token>/``: the public rating page of a window or a person (no login, no JavaScript; POST only records).
- ``/staff/surveys/windows/``: the windows and staff of one's departments, their rates and their posters.
- ``/staff/surveys/calls/``: the operators' call list, and one call's page with the form of what was said.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any, cast

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from fankui.accounts import permissions
from fankui.accounts.models import User
from fankui.accounts.views import staff_required
from fankui.audit.services import record_access
from fankui.cases.models import Case
from fankui.cases.queries import CitizenWords, contact_look, find_by_code, for_list, readable_text, visible_cases
from fankui.core import throttle
from fankui.core.errors import Conflict, DomainError, ValidationFailed
from fankui.core.forms import posted_text, show_errors
from fankui.core.throttle import Throttled

from . import followups, posters, queries, rates, services, windows
from .forms import CallForm, WindowRatingForm
from .models import SUB_SCORES, Appeal, FollowUp, Level, Rating, RatingKind, Rectification, StaffBadge
from .services import appeals, rectifications, unrated_reply

# The access keys of the call's outcomes (Alt+key in most browsers): reached, unreachable, declined.
OUTCOME_KEYS = {"reached": "r", "unreachable": "u", "declined": "x"}
# Days of the figures on the windows page.
RATES_DAYS = 30
MAX_PK = 2**62


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


# --- The citizen ----------------------------------------------------------------------------------------------
@require_http_methods(["GET", "HEAD", "POST"])
@throttle.counted("track")
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
    rating = item.rating
    context: dict[str, Any] = {
        "item": item,
        "rating": rating,
        "follow_up_rating": item.ratings.first(),
        "can_submit": item.state == Rectification.State.OPEN and rectifications.may_handle(user, item),
        "can_check": item.state == Rectification.State.SUBMITTED and rectifications.may_check(user, item),
        # A case's rating is appealed from the case page; a window's or a person's (no case page) from here.
        "can_appeal": item.case_id is None and appeals.may_be_appealed(rating) and appeals.may_appeal(user, rating),
        "appeals": list(rating.appeals.all()) if item.case_id is None else [],
        # A visitor's words, with personal data masked (a case's rating is read on the case page, by its rules).
        "comment": queries.masked_comment(rating) if item.case_id is None else "",
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
    rating = queries.visible_ratings(_user(request)).filter(pk=pk).first() if pk <= MAX_PK else None
    if rating is None:
        raise Http404
    return rating


def _rating_page(rating: Rating) -> str:
    """Where a rating is shown: its case's page, or (a window's or a person's) its rectification's, else the
    appeals."""
    if rating.case_id is not None:
        return reverse("staff:case", kwargs={"pk": rating.case_id})
    rectification = Rectification.objects.filter(rating=rating).values_list("pk", flat=True).first()
    if rectification is not None:
        return reverse("surveys:rectification_detail", kwargs={"pk": rectification})
    return reverse("surveys:appeals")


@staff_required
@require_http_methods(["GET", "POST"])
def appeal_new(request: HttpRequest, rating_pk: int) -> HttpResponse:
    rating = _rating(request, rating_pk)
    user = _user(request)
    if not appeals.may_appeal(user, rating):
        raise Http404
    context: dict[str, Any] = {
        "rating": rating,
        "back": _rating_page(rating),
        "grounds": Appeal.Grounds.choices,
        "errors": {},
        "posted": {},
    }
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
            return redirect(_rating_page(rating))
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
        "can_decide": appeal.state == Appeal.State.PENDING and appeals.may_decide(_user(request), appeal),
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


# --- The public rating page ---------------------------------------------------------------------------------------
def _rate_page(request: HttpRequest, target: windows.Target, form: WindowRatingForm, status: int = 200) -> HttpResponse:
    name, where = posters.describe(target)
    context = {
        "form": form,
        "key": form["key"].value() or windows.new_form_key(),
        "levels": [(value, str(label)) for value, label in sorted(Level.choices, reverse=True)],
        "name": name,
        "where": where,
        "person": isinstance(target, StaffBadge),
    }
    return render(request, "surveys/window_rate.html", context, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
def window_rate(request: HttpRequest, kind: str, token: str) -> HttpResponse:
    target = windows.find(kind, token)
    if target is None:
        return render(request, "surveys/window_not_found.html", status=404)
    if request.method != "POST":
        # Scanning the code only opens the form: QR and mail scanners follow links, so a GET never records.
        return _rate_page(request, target, WindowRatingForm())
    form = WindowRatingForm(request.POST)
    if not form.is_valid():
        return _rate_page(request, target, form, status=422)
    try:
        throttle.check(request, "rate_window")
        windows.rate_window(
            target, form.cleaned_data["level"], form.cleaned_data["comment"], form_key=form.cleaned_data["key"]
        )
    except Throttled as exc:
        # The form comes back as filled in: a visitor who shares the hall's network with many others loses nothing.
        form.add_error(None, str(exc.message))
        page = _rate_page(request, target, form, status=429)
        page["Retry-After"] = str(exc.retry_after)
        return page
    except ValidationFailed as exc:
        show_errors(form, exc)
        return _rate_page(request, target, form, status=422)
    return redirect("surveys:window_thanks", kind=kind, token=token)


def window_thanks(request: HttpRequest, kind: str, token: str) -> HttpResponse:
    target = windows.find(kind, token)
    if target is None:
        return render(request, "surveys/window_not_found.html", status=404)
    name, where = posters.describe(target)
    return render(request, "surveys/window_thanks.html", {"name": name, "where": where, "kind": kind, "token": token})


# --- Windows, staff and their posters -----------------------------------------------------------------------------
@staff_required
def window_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    points = list(windows.visible_points(user).filter(active=True))
    badges = list(windows.visible_staff(user).filter(active=True))
    # The last RATES_DAYS days, today included: from midnight RATES_DAYS - 1 days ago to the coming midnight.
    end = timezone.make_aware(datetime.combine(timezone.localdate() + timedelta(days=1), time.min))
    start = end - timedelta(days=RATES_DAYS)
    # One pass gives the halls, the windows and the staff (``rates.rollup``, the rates of every dimension).
    groups = rates.rollup(
        ["service_point__hall", "service_point", "staff"],
        start,
        end,
        kind=RatingKind.WINDOW,
        where=windows.visible_ratings(user),
    )
    by_hall, by_point, by_staff = (rates.regroup(groups, position) for position in range(3))
    halls = {p.hall_id: p.hall for p in points}
    context = {
        "points": [(p, by_point.get(p.pk), windows.rating_path(p)) for p in points],
        "badges": [(b, by_staff.get(b.pk), windows.rating_path(b)) for b in badges],
        "halls": [(hall, by_hall.get(pk)) for pk, hall in sorted(halls.items(), key=lambda h: h[1].name)],
        "days": RATES_DAYS,
        "formats": list(posters.FORMATS),
    }
    return render(request, "surveys/windows.html", context)


@staff_required
def poster(request: HttpRequest, kind: str, pk: int, fmt: str) -> HttpResponse:
    if fmt not in posters.FORMATS or pk > MAX_PK:
        raise Http404
    if kind == windows.WINDOW:
        target: windows.Target | None = windows.visible_points(_user(request)).filter(pk=pk, active=True).first()
    elif kind == windows.PERSON:
        target = windows.visible_staff(_user(request)).filter(pk=pk, active=True).first()
    else:
        raise Http404
    # Outside one's departments a window does not exist (404), as a case outside one's scope does not.
    if target is None or not windows.may_print(_user(request), target):
        raise Http404
    response = HttpResponse(posters.poster(target, fmt), content_type=posters.FORMATS[fmt])
    name = slugify(f"{kind}-{target.pk}-{target}", allow_unicode=False) or f"{kind}-{target.pk}"
    response["Content-Disposition"] = f'attachment; filename="poster-{name}.{fmt}"'
    return response


# --- 回访: the call list and one call -----------------------------------------------------------------------------
def _caller_required(request: HttpRequest) -> HttpResponse | None:
    if not permissions.may_follow_up(request.user):
        return render(request, "surveys/calls_forbidden.html", status=403)
    return None


@staff_required
def call_list(request: HttpRequest) -> HttpResponse:
    refused = _caller_required(request)
    if refused:
        return refused
    return render(request, "surveys/calls.html", {"calls": followups.call_list(_user(request))})


def _case(user: User, pk: int) -> Case:
    if pk > MAX_PK:
        raise Http404
    case = for_list(visible_cases(user)).filter(pk=pk).first()
    if case is None:
        raise Http404
    return case


def _call_page(request: HttpRequest, case: Case, form: CallForm, status: int = 200) -> HttpResponse:
    user = _user(request)
    submission = case.submission
    # Personal data by need: the number as written to those who may see it, each look recorded.
    contact = not submission.anonymous and permissions.may_see_contact(user, case)
    if contact:
        record_access(user, case, contact_look(case))
    text = readable_text(case, user)
    # The ratings' comments are the citizen's words too: read by the case's rules, a look at them unmasked recorded
    # with the text's (once per page).
    words = CitizenWords(case, user)
    ratings = list(Rating.objects.filter(case=case).order_by("created_at", "id"))
    for rating in ratings:  # in memory, never saved
        rating.comment = words(rating.comment) if rating.comment else rating.comment
    if text.personal or words.personal:
        record_access(user, case, "text")
    reply = unrated_reply(case)
    context: dict[str, Any] = {
        "case": case,
        "form": form,
        "text": text,
        "contact": contact,
        "name": submission.contact_name if contact else "",
        "phone": submission.contact_phone if contact else "",
        "email": submission.contact_email if contact else "",
        "reply": case.replies.order_by("-created_at", "-id").first(),
        "may_rate": reply is not None,
        "ratings": ratings,
        "bad": followups.pending_bad_rating(case),
        "history": followups.history(case),
        "levels": [(value, str(label)) for value, label in sorted(Level.choices, reverse=True)],
        "outcomes": [(value, label, OUTCOME_KEYS[value]) for value, label in FollowUp.Outcome.choices],
        "actions": followups.call_actions(user, case),
    }
    return render(request, "surveys/call.html", context, status=status)


@staff_required
@require_http_methods(["GET", "POST"])
def call(request: HttpRequest, pk: int) -> HttpResponse:
    refused = _caller_required(request)
    if refused:
        return refused
    user = _user(request)
    try:
        # Each opening shows a person's phone number: counted per operator, never to be run in bulk.
        throttle.check_user(request, "follow_up")
    except Throttled as exc:
        return throttle.page(request, exc)
    case = _case(user, pk)
    if request.method != "POST":
        return _call_page(request, case, CallForm())
    form = CallForm(request.POST)
    if not form.is_valid():
        return _call_page(request, case, form, status=422)
    d = form.cleaned_data
    try:
        result = followups.record_call(user, case, d["outcome"], d["notes"], d["level"], d["comment"])
    except ValidationFailed as exc:
        show_errors(form, exc)
        return _call_page(request, case, form, status=422)
    except Conflict as exc:
        form.add_error(None, str(exc.message))
        return _call_page(request, case, form, status=409)
    except DomainError as exc:
        form.add_error(None, str(exc.message))
        return _call_page(request, case, form, status=exc.status)
    if result.rating is not None:
        messages.success(request, _("The call and the rating were recorded."))
    else:
        messages.success(request, _("The call was recorded."))
    return redirect("surveys:calls")
