"""The public pages: submit, confirmation, track, answer a question, rate. No login; the tracking code is the key to
a case.

Thin like the API: parse the form, call one service, render. Domain errors become messages beside the fields (or
at the top), never a 500. An unknown and a malformed code get the very same 404 page.
"""

from __future__ import annotations

import hashlib
import time
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from fankui.cases.models import Case
from fankui.cases.queries import find_by_code
from fankui.cases.services.receiving import receive
from fankui.core import codes, throttle
from fankui.core.errors import Conflict, Unavailable, ValidationFailed
from fankui.core.forms import show_errors
from fankui.core.throttle import Throttled
from fankui.intake.models import MAX_TITLE_CHARS
from fankui.sla.services import waiting
from fankui.surveys.models import Level
from fankui.surveys.services import rate as rate_service

from . import notices
from .forms import SERVICE_FIELDS, AnswerForm, RatingForm, SubmissionForm, TrackLookupForm, categories, new_token
from .queries import tracking


def not_found(request: HttpRequest) -> HttpResponse:
    """The one answer for a code that is malformed or unknown: nothing tells the two apart."""
    return render(request, "portal/not_found.html", {"lookup": TrackLookupForm()}, status=404)


def _submit_page(request: HttpRequest, form: SubmissionForm, token: str, status: int = 200) -> HttpResponse:
    context = {
        "form": form,
        "token": token,
        "max_title_chars": MAX_TITLE_CHARS,
        "categories": categories(),
        "max_body_chars": settings.FANKUI_MAX_BODY_CHARS,
        "max_attachments": settings.FANKUI_MAX_ATTACHMENTS,
        "max_attachment_mb": settings.FANKUI_MAX_ATTACHMENT_BYTES // (1024 * 1024),
        "nav": "submit",
    }
    return render(request, "portal/submit.html", context, status=status)


# What this browser sent lately: a digest of everything each form carried, with the tracking code it got and when.
SENT = "portal_sent"
SENT_KEPT = 20
# Back and send again happens within minutes; after that the same words are a new request.
SENT_FOR = timedelta(minutes=30)
FORM_FIELDS = (
    "kind",
    "category",
    "title",
    "body",
    "contact_name",
    "contact_phone",
    "contact_email",
    "anonymous",
    "address",
    "share_photo_location",
)


def _digest(form: SubmissionForm, files: list[UploadedFile]) -> str:
    data = form.cleaned_data
    parts = [str(data.get(name) or "").strip() for name in FORM_FIELDS]
    parts += [f"{upload.name}:{upload.size}" for upload in files]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]


def _sent_before(request: HttpRequest, digest: str) -> Case | None:
    """The case this browser opened minutes ago from the very same form (every field, every file): after Back, a page
    may come with a fresh token, and sending it again must land on the first case, not open a second one. Never a
    case already finished: the same words later are a new request."""
    code, at = request.session.get(SENT, {}).get(digest, ("", 0.0))
    if not code or time.time() - at > SENT_FOR.total_seconds():
        return None
    case = find_by_code(code)
    return case if case is not None and case.is_open else None


def _remember_sent(request: HttpRequest, digest: str, case: Case) -> None:
    now = time.time()
    sent = {k: v for k, v in request.session.get(SENT, {}).items() if now - v[1] <= SENT_FOR.total_seconds()}
    sent[digest] = (case.tracking_code, now)
    request.session[SENT] = dict(list(sent.items())[-SENT_KEPT:])


@require_http_methods(["GET", "POST"])
def submit(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _submit_page(request, SubmissionForm(), new_token())
    form = SubmissionForm(request.POST)
    files = request.FILES.getlist("attachments")
    # Every field is optional to the form, which only refuses what no person types (NUL characters); the service
    # decides everything else and reports field by field.
    if form.is_valid():
        if form.filled_by_a_robot():
            return _refused_as_robot(request, form)
        digest = _digest(form, files)
        earlier = _sent_before(request, digest)
        if earlier is not None:
            messages.info(request, _("This form had already been sent; here is the tracking code it received."))
            return redirect("portal:submitted", code=earlier.tracking_code)
        try:
            throttle.check(request, "submit", contacts=form.contacts())
            case, created = receive(form.submission(files))
        except Throttled as exc:
            # The form comes back with everything typed, so a person who shares an address with many others (an
            # office, a school) loses nothing while waiting.
            form.add_error(None, str(exc.message))
            page = _submit_page(request, form, form.cleaned_data.get("token") or new_token(), status=429)
            page["Retry-After"] = str(exc.retry_after)
            return page
        except Unavailable as exc:
            # The attachment store is full: the form comes back with everything typed and says nothing was kept.
            form.add_error(None, str(exc.message))
            form.ask_for_files_again()
            page = _submit_page(request, form, form.cleaned_data.get("token") or new_token(), status=503)
            page["Retry-After"] = str(exc.retry_after)
            return page
        except ValidationFailed as exc:
            show_errors(form, exc, SERVICE_FIELDS)
        else:
            if not created:
                messages.info(request, _("This form had already been sent; here is the tracking code it received."))
            _remember_sent(request, digest, case)
            return redirect("portal:submitted", code=case.tracking_code)
    if files:
        form.ask_for_files_again()
    # The same token goes back in the form: nothing was stored under it yet.
    return _submit_page(request, form, form.cleaned_data.get("token") or new_token())


def _refused_as_robot(request: HttpRequest, form: SubmissionForm) -> HttpResponse:
    """The honeypot was filled: nothing is stored, and the answer says so plainly (400), with everything typed kept.
    A robot learns nothing it could use, and a person whose browser filled the hidden field by mistake is told,
    instead of being shown a confirmation for a request that was never received."""
    form.add_error(
        None,
        _(
            "Your request was not sent: a field meant to stay empty was filled in (some browsers do this "
            "automatically). Please send the form again."
        ),
    )
    return _submit_page(request, form, form.cleaned_data.get("token") or new_token(), status=400)


@throttle.counted("track")
def submitted(request: HttpRequest, code: str) -> HttpResponse:
    case = find_by_code(code)
    if case is None:
        return not_found(request)
    # Only the code: the human number is for staff, and everything else is on the tracking page. An emergency is
    # told at once to call for help, by the same rules that flag it for staff.
    submission = case.submission
    emergency = notices.emergency_advice() if notices.is_emergency(submission.title, submission.body) else ""
    context = {"code": case.display_code, "tracking_code": case.tracking_code, "emergency": emergency}
    return render(request, "portal/submitted.html", context)


def track_lookup(request: HttpRequest) -> HttpResponse:
    form = TrackLookupForm(request.GET or None)
    if form.is_bound:
        try:
            throttle.check(request, "track")
        except Throttled as exc:
            return throttle.page(request, exc)
    if form.is_bound and form.is_valid():
        code = codes.normalize(form.cleaned_data["code"])
        if not code:
            form.add_error("code", _("Please type your tracking code."))
        elif not codes.is_valid(code):
            form.add_error("code", _("This code has a typo. Please check it against the one you received."))
        else:
            return redirect("portal:track", code=code)
    return render(request, "portal/track_lookup.html", {"form": form, "nav": "track"})


def _track_page(
    request: HttpRequest,
    case: Case,
    rating: RatingForm | None = None,
    status: int = 200,
    answer: AnswerForm | None = None,
) -> HttpResponse:
    context: dict[str, Any] = {
        "view": tracking(case),
        "rating": rating or RatingForm(),
        # The answer to a question staff asked (sla/_track_panel.html shows it while one waits); a fresh token each
        # render, so that sending one form twice is recognised.
        "answer_form": answer or AnswerForm(initial={"token": new_token()}),
        "max_attachments": settings.FANKUI_MAX_ATTACHMENTS,
        "max_attachment_mb": settings.FANKUI_MAX_ATTACHMENT_BYTES // (1024 * 1024),
        "max_body_chars": settings.FANKUI_MAX_BODY_CHARS,
        "levels": Level.choices,
        "nav": "track",
    }
    return render(request, "portal/track.html", context, status=status)


@throttle.counted("track")
def track(request: HttpRequest, code: str) -> HttpResponse:
    case = find_by_code(code)
    if case is None:
        return not_found(request)
    return _track_page(request, case)


@require_http_methods(["GET", "HEAD", "POST"])
@throttle.counted("track")  # a guessed code learns nothing faster here than on the tracking page
def answer(request: HttpRequest, code: str) -> HttpResponse:
    """The submitter answers the question staff asked, with words, photos or PDFs (multipart, no script needed): the
    case's supplement on the web channel, which resumes the paused deadlines (``sla.services.waiting.answer``). A
    refused answer comes back on the tracking page with the words kept and nothing stored."""
    case = find_by_code(code)
    if case is None:
        return not_found(request)
    back = reverse("portal:track", kwargs={"code": case.tracking_code})
    if request.method != "POST":
        return redirect(back + "#expected")
    form = AnswerForm(request.POST)
    files = request.FILES.getlist("attachments")
    try:
        # Every post counts, a refused one too: a form sent invalid on purpose is no way round the limit.
        throttle.check(request, "answer")
    except Throttled as exc:
        form.is_valid()  # cleaned, so that the page shows the words as sent with the error above them
        form.add_error(None, str(exc.message))
        page = _answer_again(request, case, form, files, status=429)
        page["Retry-After"] = str(exc.retry_after)
        return page
    if form.is_valid():
        try:
            _supplement, created = waiting.answer(
                case, form.cleaned_data["answer"], files, token=form.cleaned_data["token"]
            )
        except Unavailable as exc:  # the attachment store is full: nothing was kept
            form.add_error(None, str(exc.message))
            page = _answer_again(request, case, form, files, status=503)
            page["Retry-After"] = str(exc.retry_after)
            return page
        except ValidationFailed as exc:
            show_errors(form, exc, {"text": "answer"})
        except Conflict as exc:  # no question waits (answered meanwhile, or the case was replied to)
            messages.warning(request, str(exc.message))
            return redirect(back)
        else:
            if created and files:
                # The timeline shows the words only: say the files arrived too.
                messages.success(
                    request, _("Thank you, your answer was sent, with %(n)d attachment(s).") % {"n": len(files)}
                )
            elif created:
                messages.success(request, _("Thank you, your answer was sent."))
            else:
                messages.info(request, _("This answer had already been sent."))
            return redirect(back)
    return _answer_again(request, case, form, files, status=422)


def _answer_again(
    request: HttpRequest, case: Case, form: AnswerForm, files: list[UploadedFile], status: int
) -> HttpResponse:
    """The tracking page with the answer form as it was sent (the words kept; files must be chosen again)."""
    if files:
        form.ask_for_files_again()
    return _track_page(request, case, answer=form, status=status)


@require_http_methods(["GET", "HEAD", "POST"])  # HEAD: link checkers test the link in the reply message
@throttle.counted("track")
def rate(request: HttpRequest, code: str) -> HttpResponse:
    case = find_by_code(code)
    if case is None:
        return not_found(request)
    if request.method != "POST":
        # The link in the reply message: it only opens the rating form. Mail scanners follow links, so a plain
        # GET must never record anything.
        return redirect(reverse("portal:track", kwargs={"code": case.tracking_code}) + "#rate")
    form = RatingForm(request.POST)
    if not form.is_valid():
        return _track_page(request, case, rating=form)
    try:
        throttle.check(request, "rate")
        rating = rate_service(case, form.cleaned_data["level"], form.cleaned_data["comment"], form.scores())
    except Throttled as exc:
        form.add_error(None, str(exc.message))
        page = _track_page(request, case, rating=form, status=429)
        page["Retry-After"] = str(exc.retry_after)
        return page
    except ValidationFailed as exc:
        show_errors(form, exc)
        # Shown again with the comment kept, so nothing typed is lost.
        return _track_page(request, case, rating=form)
    except Conflict as exc:
        messages.warning(request, str(exc.message))
    else:
        if rating.satisfied:
            messages.success(request, _("Thank you for your rating."))
        else:
            messages.success(
                request, _("Thank you for telling us. Your request has been reopened and will be handled again.")
            )
    return redirect("portal:track", code=case.tracking_code)
