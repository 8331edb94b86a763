"""The figures API: the headline rates of a period over what the token's user may see, the same numbers as the
dashboard and the report (``queries.headline_rates``, defined once in ``fankui.actions.rates``). Thin: parse the
period and department, scope them like the dashboard, return the rates."""

from __future__ import annotations

from datetime import datetime
from typing import cast

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from fankui.accounts import permissions
from fankui.accounts.api import staff_auth
from fankui.accounts.models import Department, User
from fankui.core.errors import PermissionDenied
from fankui.core.text import Text
from fankui.intake.api import errors

from . import periods, queries

router = Router(tags=["figures"], auth=staff_auth)


class RateOut(Schema):
    key: str = Field(description='"response", "resolution", "satisfaction" or "on_time" (按时办结率).')
    label: str
    available: bool = Field(description="False when this scope has no such figure (no number).")
    value: float | None = Field(description="Percent, one decimal; null when the denominator is 0.")
    numerator: int
    denominator: int
    previous_value: float | None
    previous_numerator: int
    previous_denominator: int
    change: float | None = Field(description="Percentage points since the previous period.")


class RatesOut(Schema):
    period: str
    previous_period: str
    scope: str
    as_of: datetime = Field(description="The moment the figures were computed: a period not over counts up to it.")
    rates: list[RateOut]
    excluded: int = Field(
        description="Cases received in the period and marked as spam or abuse: counted in none of the rates."
    )


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


@router.get(
    "/figures/rates", response={200: RatesOut, **errors(401, 403, 422)}, summary="The headline rates of a period"
)
def headline_rates(request: HttpRequest, period: Text = "", department: int | None = None) -> dict[str, object]:
    """响应率, 解决率, 满意率 and 按时办结率 of a month (``2026-11``) or ISO week (``2026-W47``), this month by
    default, over the cases you may see or one department's subtree. docs/insights.md defines each rate."""
    user = _user(request)
    if not permissions.is_staff(user):
        raise PermissionDenied(_("Figures are for staff with a role."))
    chosen = periods.parse(period) if period.strip() else periods.current_month()
    unit = None
    if department is not None:
        unit = queries.departments_for(user).filter(pk=department).first() if 0 < department < 2**63 else None
        if unit is None:
            raise PermissionDenied(_("That department is outside what you may see."))
    scope = queries.scope_for(user, cast(Department | None, unit))
    rates = queries.headline_rates(scope, chosen)
    return {
        "excluded": queries.excluded(scope, chosen),
        "period": chosen.key,
        "previous_period": chosen.previous().key,
        "scope": scope.label,
        "as_of": timezone.localtime(),
        "rates": [
            {
                "key": r.key,
                "label": r.label,
                "available": r.available,
                "value": r.value,
                "numerator": r.numerator,
                "denominator": r.denominator,
                "previous_value": r.previous_value,
                "previous_numerator": r.previous_numerator,
                "previous_denominator": r.previous_denominator,
                "change": r.change,
            }
            for r in rates
        ],
    }
