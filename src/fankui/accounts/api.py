"""The API's authentication: staff and partner systems send ``Authorization: Bearer <token>`` (an ``ApiToken`` of an
active user). The staff routers (``cases.api``, ``insights.api``) take ``auth=staff_auth``; ``fankui.api`` only
assembles the routers."""

from __future__ import annotations

from django.http import HttpRequest
from ninja.security import HttpBearer

from .services import user_for_token


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> object | None:
        user = user_for_token(token)
        if user is not None:
            request.user = user
        return user


staff_auth = TokenAuth()
