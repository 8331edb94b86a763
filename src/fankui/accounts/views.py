"""Signing in and out: Django's own views with Fankui templates, the second factor (TOTP), the lockout page, a
member of staff's own API tokens; the language switch remembers a user's choice."""

from __future__ import annotations

import base64
from collections.abc import Callable
from functools import wraps
from typing import Any, cast

import segno
from axes.handlers.proxy import AxesProxyHandler
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout, user_login_failed
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language
from django_otp import login as otp_login

from fankui.core.forms import Form

from . import permissions, services
from .models import User
from .services import remember_language

View = Callable[..., HttpResponseBase]


def staff_required(view: View) -> View:
    """Every staff page: signed in, and with a role (``permissions.is_staff``); a user without one is told so
    politely instead of seeing empty lists."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not permissions.is_staff(request.user):
            return render(request, "accounts/forbidden.html", status=403)
        return view(request, *args, **kwargs)

    return login_required(wrapper)


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    # Someone already signed in who opens the login page goes straight to their work.
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    """POST only (Django refuses GET), so a link or an image on another page cannot sign anyone out."""


def set_language(request: HttpRequest) -> HttpResponse:
    """Django's language switch (the cookie), and for a signed-in member of staff also their notices' language."""
    response = django_set_language(request)
    if request.method == "POST" and request.user.is_authenticated:
        remember_language(cast(User, request.user), request.POST.get("language", ""))
    return response


def locked_out(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict[str, Any] | None = None
) -> HttpResponse:
    """django-axes' answer once an account or an address has failed too often (AXES_LOCKOUT_CALLABLE): the login
    page again, saying why and for how long, with 429 and Retry-After. A half-finished sign-in (password given,
    code not) ends here too."""
    if request.user.is_authenticated:
        logout(request)
    minutes = settings.FANKUI_LOGIN_LOCKOUT_MINUTES
    message = _(
        "Too many failed sign-in attempts for this account or from this address. Signing in is locked for "
        "%(minutes)d minutes; try again later, or ask your administrator."
    ) % {"minutes": minutes}
    username = (credentials or {}).get("username", "") or request.POST.get("username", "")
    form = AuthenticationForm(request, initial={"username": username})
    context = {"form": form, "locked": message, "next": _next(request, "")}
    response = render(request, "accounts/login.html", context, status=429)
    response["Retry-After"] = str(minutes * 60)
    return response


class CodeForm(Form):
    code = forms.CharField(
        max_length=12,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "autofocus": True}),
    )


def _next(request: HttpRequest, default: str = "staff:home") -> str:
    """Where to go after a sign-in step: the page asked for, when it is one of ours."""
    target = request.POST.get("next") or request.GET.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return reverse(default) if default else ""


@login_required
def verify(request: HttpRequest) -> HttpResponseBase:
    """The second step of signing in: the code of the user's authenticator app."""
    user = cast(User, request.user)
    if user.is_verified():  # type: ignore[attr-defined]
        return redirect(_next(request))
    device = services.two_factor_device(user)
    if device is None:
        return redirect(reverse("accounts:two_factor") + "?" + request.GET.urlencode())
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if AxesProxyHandler.is_locked(request, {"username": user.username}):
            return locked_out(request, credentials={"username": user.username})
        if device.verify_token(form.cleaned_data["code"].strip()):
            otp_login(request, device)
            return redirect(_next(request))
        # A wrong code counts as a failed sign-in: recorded, and towards the lockout (django-axes listens).
        user_login_failed.send(
            sender=__name__, credentials={"username": user.username, "second_factor": True}, request=request
        )
        form.add_error("code", _("This code is not right or has expired: type the code your app shows now."))
    return render(request, "accounts/verify.html", {"form": form, "next": _next(request, "")})


@login_required
def two_factor(request: HttpRequest) -> HttpResponseBase:
    """Two-factor sign-in: enrol an authenticator app (a QR code made here, offline), or see that it is on."""
    user = cast(User, request.user)
    required = permissions.must_use_two_factor(user)
    if services.two_factor_device(user) is not None:
        return render(request, "accounts/two_factor.html", {"enrolled": True, "required": required})
    pending = services.start_two_factor(user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = services.confirm_two_factor(user, form.cleaned_data["code"])
        if device is not None:
            otp_login(request, device)
            messages.success(request, _("Two-factor sign-in is on: from now on you will be asked for a code."))
            return redirect(_next(request))
        form.add_error("code", _("This code is not right or has expired: type the code your app shows now."))
    context = {
        "form": form,
        "required": required,
        # segno writes the SVG itself: the secret never leaves the server for a QR service.
        "qr": mark_safe(segno.make(pending.config_url, error="m").svg_inline(scale=5, title=_("QR code"))),
        "secret": base64.b32encode(pending.bin_key).decode(),
        "next": _next(request, ""),
    }
    return render(request, "accounts/two_factor.html", context)


@staff_required
def tokens(request: HttpRequest) -> HttpResponse:
    """The API tokens of the member of staff signed in: when each was issued, used, and expires; revoke one."""
    user = cast(User, request.user)
    context = {"tokens": user.api_tokens.order_by("-created_at"), "now": timezone.now()}
    return render(request, "accounts/tokens.html", context)


@require_POST
@staff_required
def revoke_token(request: HttpRequest, pk: int) -> HttpResponse:
    user = cast(User, request.user)
    if services.revoke_tokens(user.api_tokens.filter(pk=pk)):
        messages.success(request, _("The token was revoked: it no longer works."))
    return redirect("accounts:tokens")
