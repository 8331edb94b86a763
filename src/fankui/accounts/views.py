"""Signing in and out: Django's own views with Fankui templates; the language switch remembers a user's choice."""

from __future__ import annotations

from typing import cast

from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.views.i18n import set_language as django_set_language

from .models import User
from .services import remember_language


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
