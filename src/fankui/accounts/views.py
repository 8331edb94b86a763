"""Signing in and out: Django's own views with Fankui templates; the language switch remembers a user's choice."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, cast

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.views.i18n import set_language as django_set_language

from . import permissions
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
