"""Domain errors. Each carries the HTTP status the API answers with and a message for the user.

Services raise these; the API's one exception handler and the pages' messages render them, so no entry point
needs its own error mapping.
"""

from __future__ import annotations

from typing import Any

from django.utils.functional import Promise


class DomainError(Exception):
    status = 400
    code = "invalid"

    def __init__(self, message: str | Promise, *, field: str | None = None, **details: Any) -> None:
        super().__init__(str(message))
        self.message = message
        self.field = field
        self.details = details

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"code": self.code, "detail": str(self.message)}
        if self.field:
            data["field"] = self.field
        return data


class ValidationFailed(DomainError):
    """Input the user can fix. ``errors`` maps field name to messages, so a form can show each beside its field."""

    status = 422
    code = "validation_failed"

    def __init__(self, errors: dict[str, list[str]]) -> None:
        self.errors = errors
        first = next(iter(errors.values()))[0] if errors else ""
        super().__init__(first)

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "detail": str(self.message), "errors": self.errors}


class NotFound(DomainError):
    status = 404
    code = "not_found"


class PermissionDenied(DomainError):
    status = 403
    code = "forbidden"


class Conflict(DomainError):
    """The request is well-formed but not allowed in the current state (an illegal workflow move)."""

    status = 409
    code = "conflict"


class Unavailable(DomainError):
    """The site cannot store anything just now (the database is unreachable, the attachment store is full): nothing
    was kept, the client should send the same request again after ``retry_after`` seconds (503 with ``Retry-After``).
    Never a 500: the request was fine, the server was not."""

    status = 503
    code = "unavailable"

    def __init__(self, message: str | Promise, *, retry_after: int = 30) -> None:
        self.retry_after = max(1, retry_after)
        super().__init__(message)
