"""Reads shared by the pages and the API. ``visible_cases`` is the one place that decides who sees what."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Case as SqlCase
from django.db.models import IntegerField, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.text import Truncator

from fankui.accounts import permissions
from fankui.accounts.models import User
from fankui.audit import labels
from fankui.audit.models import Event
from fankui.core import codes, crypto
from fankui.intake.files import Look
from fankui.intake.models import StoredFile
from fankui.nlp.masking import mask_case_text

from .models import Case, Supplement
from .workflow import State

TRIAGE_STATES = (State.RECEIVED, State.ACCEPTED, State.RETURNED)
DEPARTMENT_STATES = (State.DISPATCHED, State.IN_PROGRESS, State.REOPENED)
PHONE_SEARCH = re.compile(r"^\+?[\d\s\-()]{7,24}$")
CASE_NUMBER = re.compile(r"^\d{4}-\d{6}$")  # 2026-000123 (a local phone number has 7 or 8 digits)


def visible_cases(user: User) -> QuerySet[Case]:
    """Every case ``user`` may see: handlers their department's (lead or assisting), heads their subtree's,
    organisation-wide roles all (``accounts.permissions``). Every staff list, page, search and API endpoint starts
    here."""
    cases = Case.objects.all()
    if permissions.is_organisation_wide(user):
        return cases
    if not permissions.department_role(user):
        return cases.none()
    # The assisting cases as a plain (uncorrelated) subquery, `id IN (SELECT case_id ...)`: the database runs it once
    # and looks each case up in the result. A correlated EXISTS inside the OR was run once per case instead: on
    # PostgreSQL every count of a department's list read all the cases and probed the through table for each one
    # (three times the unscoped list's time in `fankui bench security`; bench/README.md).
    assisting = Case.assist_departments.through.objects.filter(permissions.department_filter(user, "department"))
    return cases.filter(permissions.department_filter(user, "lead_department") | Q(pk__in=assisting.values("case_id")))


def triage_inbox(user: User) -> QuerySet[Case]:
    return visible_cases(user).filter(state__in=TRIAGE_STATES)


def department_inbox(user: User) -> QuerySet[Case]:
    return visible_cases(user).filter(state__in=DEPARTMENT_STATES)


@dataclass
class CaseFilter:
    state: str = ""
    kind: str = ""
    category: int | None = None
    department: int | None = None
    date_from: date | None = None
    date_to: date | None = None
    q: str = ""


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def filter_cases(cases: QuerySet[Case], f: CaseFilter, user: User) -> QuerySet[Case]:
    if f.state:
        cases = cases.filter(state=f.state)
    if f.kind:
        cases = cases.filter(kind=f.kind)
    if f.category:
        cases = cases.filter(
            Q(category_id=f.category) | Q(category__parent_id=f.category) | Q(category__parent__parent_id=f.category)
        )
    if f.department:
        cases = cases.filter(lead_department_id=f.department)
    if f.date_from:
        cases = cases.filter(created_at__gte=_day_start(f.date_from))
    if f.date_to:
        cases = cases.filter(created_at__lt=_day_start(f.date_to + timedelta(days=1)))
    q = f.q.strip()
    if q:
        # Chinese has no spaces between words, so a substring match is what people expect; each
        # space-separated term must match somewhere.
        code = codes.normalize(q)
        if codes.is_valid(code):
            return cases.filter(tracking_code=code)
        phone = phone_in(q)
        if phone:
            # A caller rings again: their earlier cases, by the number they left (or quoted in the text). A number
            # without its area code still finds a landline. Anonymous submissions keep no contact to match. Numbers
            # are encrypted at rest: their keyed hashes are compared (docs/privacy.md).
            digest = crypto.lookup_hash(phone)
            by_contact = Q(submission__anonymous=False) & (
                Q(submission__contact_phone_hash=digest) | Q(submission__contact_phone_local_hash=digest)
            )
            in_text = Q(submission__title__contains=phone) | Q(submission__body__contains=phone)
            # Only among the cases whose contact details the user may see: finding a 举报 by its reporter's number
            # would name the reporter (accounts.permissions.contact_filter).
            return cases.filter(by_contact | in_text).filter(permissions.contact_filter(user))
        for term in q.split()[:5]:
            cases = cases.filter(
                Q(submission__title__icontains=term) | Q(submission__body__icontains=term) | Q(number=term)
            )
    return cases


def phone_in(q: str) -> str:
    """The phone number a search consists of (7 to 12 digits; +86, spaces, dashes and brackets allowed), as
    intake stores numbers; empty when the search is anything else."""
    from fankui.intake.services import normalize_phone  # intake's services import this module's app

    q = q.strip()
    if not PHONE_SEARCH.match(q) or CASE_NUMBER.match(q):
        return ""
    digits = normalize_phone(q)
    return digits if digits.isdigit() and 7 <= len(digits) <= 12 else ""


@dataclass(frozen=True)
class ListColumn:
    """A column an app above ``cases`` adds to the staff case lists (the SLA's "Time left"): its heading, the
    template of its cell (which gets ``case``) and what it adds to the list's query, so that the column costs no
    query per row. The app registers it in its ``AppConfig.ready``: ``cases`` never imports it."""

    heading: str | Promise
    cell: str
    annotate: Callable[[QuerySet[Case]], QuerySet[Case]]


LIST_COLUMNS: list[ListColumn] = []


def add_list_column(column: ListColumn) -> None:
    if column.cell not in {c.cell for c in LIST_COLUMNS}:
        LIST_COLUMNS.append(column)


def for_list(cases: QuerySet[Case]) -> QuerySet[Case]:
    cases = cases.select_related("submission", "category", "lead_department", "analysis")
    for column in LIST_COLUMNS:
        cases = column.annotate(cases)
    return cases


def oldest_first(cases: QuerySet[Case]) -> QuerySet[Case]:
    """Inbox order: cases the analysis flagged as emergencies first (never silently queued), then oldest first."""
    emergency_first = SqlCase(
        When(analysis__urgency="emergency", then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    return cases.order_by(emergency_first, "created_at", "id")


def find_by_code(raw: str) -> Case | None:
    code = codes.normalize(raw)
    if not codes.is_valid(code):
        return None
    return Case.objects.select_related("submission", "merged_into").filter(tracking_code=code).first()


def followed_case(case: Case) -> Case:
    """The case a submitter follows: the primary, once theirs was merged into it."""
    return case.merged_into if case.merged_into_id and case.merged_into else case


def timeline(case: Case, *, public: bool) -> QuerySet[Event]:
    events = Event.objects.filter(case=case).select_related("actor").order_by("created_at", "id")
    return events.filter(public=True) if public else events


def public_view(case: Case) -> dict[str, Any]:
    """What the submitter sees: state, their timeline, the replies. No staff names, no internal notes."""
    followed = followed_case(case)
    events: list[Event] = list(timeline(case, public=True))
    if followed.pk != case.pk:
        events += [e for e in timeline(followed, public=True) if e.action != "receive"]
        # One story in the order things happened: the primary's steps interleave with this case's own.
        events.sort(key=lambda e: (e.created_at, e.pk))
    # A rating's comment, an answer: read from their own rows, which erasure masks.
    events = labels.with_words(events)
    return {
        "case": case,
        "followed": followed,
        "events": events,
        "replies": list(followed.replies.select_related("department").order_by("created_at", "id")),
        "can_rate": followed.pk == case.pk and case.state == State.REPLIED,
    }


def find_case_ref(cases: QuerySet[Case], ref: str) -> Case | None:
    """The case among ``cases`` that a person named by its number (2026-000123) or its tracking code."""
    ref = ref.strip()
    code = codes.normalize(ref)
    if codes.is_valid(code):
        return cases.filter(tracking_code=code).first()
    return cases.filter(number=ref).first()


class CitizenWords:
    """The citizen's words on a case's staff view (a supplement by e-mail or Open311, an answer to a request for
    information, a rating's comment) as ``user`` may read them: like the case's text (``readable_text``), as written
    for those who may read it (``permissions.may_read_text``), masked the same way (the submitter's name too) for
    everyone else.
    ``personal`` once the reader saw personal data unmasked: a look to record, as at the case's text."""

    def __init__(self, case: Case, user: User) -> None:
        name = case.submission.contact_name
        self.names = [name] if name else []
        self.may_read = permissions.may_read_text(user, case)
        self.personal = False

    def __call__(self, words: str) -> str:
        _title, masked, _found = mask_case_text("", words, self.names)
        if not self.may_read:
            return masked
        self.personal = self.personal or masked != words
        return words


def supplement_files(case: Case) -> list[StoredFile]:
    """The files that came with what was written on ``case`` later (``Supplement.attachments``), oldest first."""
    return list(
        StoredFile.objects.filter(
            owner_type=ContentType.objects.get_for_model(Supplement),
            owner_id__in=Supplement.objects.filter(case=case).values("pk"),
        ).order_by("id")
    )


def supplements(case: Case, *, from_contact: bool | None = None) -> list[Supplement]:
    """What was written on ``case`` after it was opened, oldest first (the privacy dossier: only the contact's)."""
    rows = Supplement.objects.filter(case=case)
    if from_contact is not None:
        rows = rows.filter(from_contact=from_contact)
    return list(rows.prefetch_related("attachments").order_by("created_at", "id"))


def staff_view(case: Case, user: User) -> dict[str, Any]:
    """What staff see of a case besides the case row: the whole timeline, replies, ratings, attachments, and the
    merged duplicates or the primary as far as ``user`` may see them. The citizen's words in it are as ``user`` may
    read them (``CitizenWords``); ``words_personal`` when they showed personal data unmasked (the caller records
    the look, as for ``readable_text``)."""
    visible = visible_cases(user)
    primary = visible.filter(pk=case.merged_into_id).first() if case.merged_into_id else None
    words = CitizenWords(case, user)
    events = labels.with_words(timeline(case, public=False), citizen=words)
    ratings = list(case.ratings.order_by("created_at", "id"))
    for rating in ratings:  # in memory, never saved
        rating.comment = words(rating.comment) if rating.comment else rating.comment
    return {
        "case": case,
        "events": events,
        "words_personal": words.personal,
        "replies": list(case.replies.select_related("author", "department").order_by("created_at", "id")),
        "ratings": ratings,
        # What arrived with the submission, then what came with each supplement (补充), oldest first.
        "attachments": [*case.submission.attachments.order_by("id"), *supplement_files(case)],
        "assist_departments": list(case.assist_departments.order_by("path")),
        "primary": primary,
        "duplicates": list(visible.filter(merged_into=case).order_by("created_at", "id")),
    }


def attachment_look(user: User, submission_id: int) -> Look | None:
    """A submission's attachments are seen by those who see its case and may open them
    (``permissions.may_open_attachments``), each look recorded against it (``intake.files``)."""
    case = for_list(visible_cases(user)).filter(submission_id=submission_id).first()
    if case is None or not permissions.may_open_attachments(user, case):
        return None
    return Look("attachment", case.pk)


def supplement_attachment_look(user: User, supplement_id: int) -> Look | None:
    """The attachments of a supplement (补充) are seen as the case's own are (``attachment_look``)."""
    case = for_list(visible_cases(user)).filter(supplements__pk=supplement_id).first()
    if case is None or not permissions.may_open_attachments(user, case):
        return None
    return Look("attachment", case.pk)


def contact_look(case: Case) -> str:
    """How a look at the case's contact details is recorded (``audit.Access.what``): a 举报's reporter by name, so
    that the auditors find every look at a whistle-blower's identity."""
    return "reporter" if permissions.is_report(case) else "contact"


# A list names a case by its title, else by the start of its text.
TITLE_CHARS = 41


def masked_text(case: Case) -> tuple[str, str]:
    """The case's title and text with personal data masked: the analysis's, or masked now when it has not run yet
    (the same masking, with the submitter's name as the analysis passes it)."""
    analysis = getattr(case, "analysis", None)  # the analysis app's row, when it has written one
    if analysis is not None and analysis.status == "done":
        return analysis.masked_title, analysis.masked_body
    s = case.submission
    title, body, _found = mask_case_text(s.title, s.body, [s.contact_name] if s.contact_name else [])
    return title, body


@dataclass(frozen=True)
class Text:
    """The case's words as ``user`` may read them; ``personal`` when they hold personal data the reader sees unmasked
    (a look to record)."""

    title: str
    body: str
    masked: bool
    personal: bool


def readable_text(case: Case, user: User) -> Text:
    """Title and text as written for those who may read them (``permissions.may_read_text``), masked for everyone
    else. The case page and the API's case show this; the caller records the look when ``personal``."""
    title, body = masked_text(case)
    if not permissions.may_read_text(user, case):
        return Text(title, body, masked=True, personal=False)
    s = case.submission
    return Text(s.title, s.body, masked=False, personal=(title, body) != (s.title, s.body))


def shown_title(case: Case, user: User) -> str:
    """How a case is named in a list (the case lists, the supervision board, an action's cases, the API's list):
    always with personal data masked, whoever reads it, the analysis's masking or the same masking done now. A
    list is glanced at, over shoulders and in screenshots; the case page shows the words as written to those who
    need them."""
    title, body = masked_text(case)
    return title or Truncator(body).chars(TITLE_CHARS)


def request_ids(case_ids: set[int]) -> dict[int, str]:
    """The request id each case's submission came with (core.logs), for the log lines of its messages and analysis:
    ``notify.delivery.REQUEST_IDS``."""
    return dict(Case.objects.filter(pk__in=case_ids).values_list("pk", "submission__request_id"))
