"""What Open311 shows, in the specification's shapes (docs/open311.md, "What a GET shows").

Open311's reads need no key: anybody may list requests. So they show only what may be public: the state (open or
closed, and FixMyStreet's finer statuses in the updates), the category, the department responsible, the dates and
the deadline, and the department's reply with personal data and people's names masked (``nlp.public.public_text``,
the public board's rule). Never the citizen's own words, their contact details, their address or position, their
attachments, the tracking code (the citizen's key) or the staff case number. A 举报 (report) is not listed at all,
and its updates carry no text (``accounts.permissions.is_report``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from fankui.audit.models import Event
from fankui.cases.models import Case, Category, Reply, Supplement
from fankui.cases.services.supplements import EVENT as SUPPLEMENT_EVENT
from fankui.cases.workflow import Action, State
from fankui.core.text import as_id
from fankui.core.vocab import Kind
from fankui.nlp.masking import mask
from fankui.nlp.public import public_text
from fankui.portal.queries import LABELS, public_state
from fankui.sla.models import Clock, Stage

from .formats import when
from .models import Open311Client, Open311Request

# The specification's window for a list without dates, the longest one may ask for, and the most rows answered.
WINDOW = timedelta(days=90)
MAX_RESULTS = 1000

# open / closed: a request is closed once it has its answer (replied, closed) or has ended without one (not
# accepted, spam shown as not accepted, merged into another). A bad rating reopens it: open again.
CLOSED_STATES = frozenset({State.REPLIED, State.CLOSED, State.REJECTED, State.MERGED, State.SPAM})

# FixMyStreet's extended statuses (its Open311 "servicerequestupdates" extension), from our states. The citizen's
# view of a state comes first (``portal.queries.public_state``: a return is "in progress", spam "not accepted"),
# so a return (the departments' internal matter) and spam have no entry of their own.
EXTENDED_STATUS: dict[str, str] = {
    State.RECEIVED: "open",
    State.ACCEPTED: "investigating",
    State.DISPATCHED: "action_scheduled",
    State.IN_PROGRESS: "in_progress",
    State.REOPENED: "in_progress",
    State.REPLIED: "closed",
    State.CLOSED: "closed",
    State.REJECTED: "not_councils_responsibility",
    State.MERGED: "duplicate",
}


def status(state: str) -> str:
    return "closed" if state in CLOSED_STATES else "open"


def extended_status(state: str) -> str:
    return EXTENDED_STATUS[public_state(state)] if state in State.values else "open"


# --- Services: the categories -------------------------------------------------------------------------------------
def services() -> list[dict[str, Any]]:
    """Every active category as a service; ``group`` is its top-level category."""
    categories = list(Category.objects.filter(active=True).order_by("level", "sort_order", "name"))
    by_id = {c.pk: c for c in Category.objects.all()}
    out = []
    for category in sorted(categories, key=lambda c: _path(c, by_id)):
        path = _path(category, by_id)
        out.append(
            {
                "service_code": str(category.pk),
                "service_name": category.name,
                "description": " / ".join(path),
                "metadata": True,
                "type": "realtime",
                "keywords": ",".join(path[:-1]),
                "group": path[0],
            }
        )
    return out


def _path(category: Category, by_id: dict[int, Category]) -> list[str]:
    names = [category.name]
    seen = {category.pk}
    parent = by_id.get(category.parent_id) if category.parent_id else None
    while parent is not None and parent.pk not in seen:
        names.insert(0, parent.name)
        seen.add(parent.pk)
        parent = by_id.get(parent.parent_id) if parent.parent_id else None
    return names


def find_service(code: str) -> Category | None:
    """The active category a service code names (its id), or None."""
    pk = as_id(code)
    if pk is None:
        return None
    return Category.objects.filter(active=True, pk=pk).first()


def service_definition(category: Category) -> dict[str, Any]:
    """The attributes a client may send with ``attribute[code]`` for every service: the same for all, since a
    category carries no fields of its own. Unknown attributes are ignored (FixMyStreet sends many of its own)."""
    kinds = [{"key": value, "name": str(label)} for value, label in Kind.choices]
    return {
        "service_code": str(category.pk),
        "attributes": [
            {
                "variable": True,
                "code": "kind",
                "datatype": "singlevaluelist",
                "required": False,
                "datatype_description": _("What the request is; staff or the analysis decide when it is not given."),
                "order": 1,
                "description": _("Kind of request"),
                "values": kinds,
            },
            {
                "variable": True,
                "code": "title",
                "datatype": "string",
                "required": False,
                "datatype_description": _("200 characters at most."),
                "order": 2,
                "description": _("Title"),
                "values": [],
            },
            {
                "variable": True,
                "code": "external_id",
                "datatype": "string",
                "required": False,
                "datatype_description": _(
                    "Your own id of the request (80 characters at most): sending it again returns the first request "
                    "instead of a second one. FixMyStreet's attribute[fixmystreet_id] counts the same."
                ),
                "order": 3,
                "description": _("Your id of the request"),
                "values": [],
            },
        ],
    }


# --- Requests -----------------------------------------------------------------------------------------------------
def public_cases() -> QuerySet[Case]:
    """The cases Open311 lists: every case but a 举报 (as it stands or as the submitter sent it)."""
    return Case.objects.exclude(kind=Kind.REPORT).exclude(submission__kind=Kind.REPORT)


@dataclass(frozen=True)
class Filters:
    ids: list[int] | None
    categories: list[int]
    start: datetime
    end: datetime
    statuses: list[str]


def find_requests(filters: Filters) -> list[dict[str, Any]]:
    """The requests a GET asks for, newest first, at most ``MAX_RESULTS``. A list of ids overrides every other
    filter, as the specification says."""
    cases = public_cases()
    if filters.ids is not None:
        cases = cases.filter(pk__in=filters.ids)
    else:
        cases = cases.filter(created_at__gte=filters.start, created_at__lte=filters.end)
        if filters.categories:
            cases = cases.filter(category_id__in=filters.categories)
        if set(filters.statuses) == {"open"}:
            cases = cases.exclude(state__in=CLOSED_STATES)
        elif set(filters.statuses) == {"closed"}:
            cases = cases.filter(state__in=CLOSED_STATES)
    rows = list(
        cases.select_related("category", "lead_department")
        .only("pk", "state", "kind", "created_at", "state_changed_at", "category__name", "lead_department__name")
        .order_by("-created_at", "-id")[:MAX_RESULTS]
    )
    return shape(rows)


def find_request(raw_id: str) -> list[dict[str, Any]]:
    """The one request ``raw_id`` names, as a list of one (the specification's shape); empty when none."""
    pk = as_id(raw_id)
    if pk is None:
        return []
    rows = list(public_cases().select_related("category", "lead_department").filter(pk=pk).order_by("pk")[:1])
    return shape(rows)


def shape(cases: list[Case]) -> list[dict[str, Any]]:
    """The specification's fields of each case, with three queries for the whole list (replies, deadlines)."""
    ids = [case.pk for case in cases]
    show_replies = settings.FANKUI_OPEN311_PUBLIC_REPLIES
    replies = _latest_replies(ids) if show_replies else {}
    deadlines = _expected(ids)
    out = []
    for case in cases:
        reply = replies.get(case.pk) if case.state in (State.REPLIED, State.CLOSED) and show_replies else None
        if reply:
            reply = _without_submitter(case.pk, reply)
        out.append(
            {
                "service_request_id": str(case.pk),
                "status": status(case.state),
                "status_notes": public_text(reply) if reply else str(public_state(case.state).label),
                "service_name": case.category.name if case.category else "",
                "service_code": str(case.category_id or ""),
                # Never the citizen's words (docs/open311.md): the request is described by its category.
                "description": "",
                "agency_responsible": case.lead_department.name if case.lead_department else "",
                "service_notice": "",
                "requested_datetime": when(case.created_at),
                "updated_datetime": when(case.state_changed_at),
                "expected_datetime": when(deadlines.get(case.pk)),
                "address": "",
                "address_id": "",
                "zipcode": "",
                "lat": None,
                "long": None,
                "media_url": "",
            }
        )
    return out


def _without_submitter(case_id: int, reply: str) -> str:
    """A reply with the submitter's own name and address masked where it repeats them ("关于您在阳光花园5-2-301的投诉"),
    before ``public_text`` masks phones, numbers and names by their patterns, which an address or a foreign name
    escapes. One query a replied request (the contact fields are encrypted: they are read only when shown)."""
    given = Case.objects.filter(pk=case_id).values_list("submission__contact_name", "submission__address").first()
    return mask(reply, [part for part in given or () if part]).text


def _latest_replies(ids: list[int]) -> dict[int, str]:
    latest: dict[int, str] = {}
    if ids:
        for case_id, body in (
            Reply.objects.filter(case_id__in=ids).order_by("case_id", "created_at", "id").values_list("case_id", "body")
        ):
            latest[case_id] = body
    return latest


def _expected(ids: list[int]) -> dict[int, datetime]:
    """When an answer is expected: the running rectification clock, else the reply clock (what the citizen's
    tracking page shows, ``sla.queries.public_deadline``)."""
    found: dict[int, tuple[int, datetime]] = {}
    if not ids:
        return {}
    clocks = Clock.objects.filter(
        case_id__in=ids, stopped_at=None, deadline__isnull=False, stage__in=[Stage.RECTIFY, Stage.REPLY]
    ).values_list("case_id", "stage", "deadline")
    for case_id, stage, deadline in clocks:
        if deadline is None:
            continue
        rank = 0 if stage == Stage.RECTIFY else 1
        if case_id not in found or rank < found[case_id][0]:
            found[case_id] = (rank, deadline)
    return {case_id: deadline for case_id, (_rank, deadline) in found.items()}


def request_for_token(token: str) -> Open311Request | None:
    token = token.strip()
    if not token or len(token) > 40:
        return None
    return Open311Request.objects.filter(token=token).first()


def own_request(client: Open311Client, request_id: str) -> Open311Request | None:
    """The request ``request_id`` if ``client`` sent it; None otherwise (no such request, or another client's)."""
    case_id = as_id(request_id)
    if case_id is None:
        return None
    rows = Open311Request.objects.select_related("case__submission", "case__lead_department")
    return rows.filter(case_id=case_id, client=client).first()


def update_id(supplement: Supplement) -> str:
    """The id a posted update is answered with: its timeline event's, the ids ``updates`` lists, so a client that
    keeps the ids of both directions in one column never mistakes one for another."""
    event = Event.objects.filter(case_id=supplement.case_id, action=SUPPLEMENT_EVENT, data__supplement=supplement.pk)
    return str(event.values_list("pk", flat=True).first() or "")


# --- Updates (FixMyStreet's servicerequestupdates) ----------------------------------------------------------------
def updates(client: Open311Client, start: datetime, end: datetime) -> list[dict[str, Any]]:
    """Every change of state of the requests ``client`` sent, between ``start`` and ``end``, oldest first: what a
    FixMyStreet-style client pulls to keep its reports up to date. A reply carries its text as the public board
    would show it; a 举报's updates carry no text."""
    # A spam mark and its undo are not on the citizen's timeline, but their tracking page shows the state they
    # lead to ("not accepted", "received"): the client hears it too, without the staff's reason.
    shown = Q(public=True) | Q(action__in=[Action.MARK_SPAM, Action.UNMARK_SPAM])
    events = list(
        Event.objects.filter(shown, case__open311__client=client, created_at__gte=start, created_at__lte=end)
        .exclude(action="receive")
        .exclude(to_state="")
        .select_related("case__submission")
        .only("pk", "case_id", "action", "to_state", "created_at", "data", "case__kind", "case__submission__kind")
        .order_by("created_at", "id")[:MAX_RESULTS]
    )
    reply_ids = [e.data.get("reply") for e in events if e.action == Action.REPLY and isinstance(e.data, dict)]
    replies = dict(Reply.objects.filter(pk__in=[r for r in reply_ids if isinstance(r, int)]).values_list("pk", "body"))
    return [_update(event, replies) for event in events]


def _update(event: Event, replies: dict[int, str]) -> dict[str, Any]:
    case = event.case
    report = case.kind == Kind.REPORT or case.submission.kind == Kind.REPORT
    label = str(LABELS[event.action]) if event.action in LABELS else str(public_state(event.to_state).label)
    description = label
    reply_id = event.data.get("reply") if isinstance(event.data, dict) else None
    if not report and settings.FANKUI_OPEN311_PUBLIC_REPLIES and event.action == Action.REPLY and reply_id in replies:
        description = public_text(_without_submitter(event.case_id, replies[reply_id]))
    return {
        "update_id": str(event.pk),
        "service_request_id": str(event.case_id),
        "status": extended_status(event.to_state),
        "updated_datetime": when(event.created_at),
        "description": description,
        "media_url": "",
    }
