"""Reads of the operator's desk: the caller's earlier cases."""

from __future__ import annotations

from dataclasses import dataclass

from fankui.accounts import permissions
from fankui.accounts.models import User
from fankui.audit.services import record_accesses
from fankui.cases import queries as case_queries
from fankui.cases.models import Case

HISTORY_ROWS = 8


@dataclass(frozen=True)
class Row:
    case: Case
    # Masked, as in every list (``cases.queries.shown_title``).
    title: str


@dataclass(frozen=True)
class History:
    """A caller's earlier cases as the desk shows them: the newest ``HISTORY_ROWS``, how many there are in all, and
    whether the user's role sees callers' cases at all."""

    phone: str
    rows: list[Row]
    total: int
    allowed: bool


def caller_history(user: User, raw: str) -> History | None:
    """The earlier cases of the caller whose number is ``raw`` (as the phone system passes it or the operator types
    it; a landline's local number finds the full one), newest first. ``None`` when ``raw`` is not a phone number.

    The search of the case lists by a phone number, written once (``cases.queries.filter_cases``): only among the
    cases whose contact details the user may see (``permissions.contact_filter``), so a 举报's reporter is never
    named to anyone outside the centre; every case shown is a look at personal data and is recorded."""
    phone = case_queries.phone_in(raw)
    if not phone:
        return None
    if not permissions.is_centre(user):
        return History(phone, [], 0, allowed=False)
    found = case_queries.filter_cases(
        case_queries.visible_cases(user), case_queries.CaseFilter(q=phone), user
    ).order_by("-created_at", "-id")
    cases = list(case_queries.for_list(found)[:HISTORY_ROWS])
    total = len(cases) if len(cases) < HISTORY_ROWS else found.count()
    record_accesses(user, cases, "phone_search")
    return History(phone, [Row(case, case_queries.shown_title(case, user)) for case in cases], total, allowed=True)
