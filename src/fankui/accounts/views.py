"""Signing in and out: Django's own views with Fankui templates."""

from __future__ import annotations

from django.contrib.auth import views as auth_views


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    # Someone already signed in who opens the login page goes straight to their work.
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    """POST only (Django refuses GET), so a link or an image on another page cannot sign anyone out."""
