"""Every write of privacy: one-time codes, the anonymisation that erasure and retention share, the retention sweep
(docs/privacy.md).

Anonymising a case removes the person and keeps the figures: the contact details, the location and the attachments
go, every text about the case is masked (``fankui.nlp.masking`` plus the literal contact values), and kind, category,
departments, dates, states and rating levels stay, so the dashboard does not change. The timeline is append-only and
is never touched: one more event says that an erasure happened, not what was erased.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Min, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from fankui.analysis import services as analysis
from fankui.audit.models import ERASED
from fankui.audit.services import mask_texts, record_event
from fankui.cases.models import Case
from fankui.cases.queries import find_by_code
from fankui.cases.services import moves, supplements
from fankui.cases.workflow import Actor, State
from fankui.core import crypto
from fankui.core.errors import Conflict, NotFound, ValidationFailed
from fankui.core.vocab import Kind
from fankui.intake import services as intake
from fankui.intake.models import Submission, local_number
from fankui.mail import services as mail
from fankui.nlp.masking import mask as mask_text
from fankui.notify import services as notify
from fankui.questionnaires.models import Invitation
from fankui.questionnaires.services import distribution as questionnaires
from fankui.questionnaires.services import personal
from fankui.sla.services import extensions, supervision, waiting
from fankui.surveys import services as surveys

from .models import AccessCode

# A new code for the same case no sooner than this: each one is an SMS or an e-mail to the person.
RESEND_AFTER = timedelta(seconds=60)
CODE_DIGITS = 6
# The outbox key of a one-time code's message.
CODE_KEY = "privacy-code:"


# --- One-time codes ------------------------------------------------------------------------------------------------
def contact_address(submission: Submission) -> notify.Address | None:
    """Where the code goes: the contact on file (e-mail, else SMS); none for an anonymous or contactless case."""
    return notify.citizen_address(
        anonymous=submission.anonymous,
        email=submission.contact_email,
        phone=submission.contact_phone,
        came_by=submission.channel,
    )


def masked_address(address: notify.Address) -> str:
    """The address the code was sent to, as the page may show it to whoever holds the tracking code."""
    return mask_text(address.address).text if address.channel == notify.Channel.SMS else _mask_email(address.address)


def _mask_email(email: str) -> str:
    local, _sep, domain = email.partition("@")
    return f"{local[:1]}***@{domain}"


def _code_hash(case: Case, code: str) -> str:
    return crypto.lookup_hash(f"privacy-code\x1f{case.pk}\x1f{code}")


@transaction.atomic
def send_code(case: Case) -> notify.Address:
    """Queue a fresh one-time code to the contact on file of ``case`` (the outbox sends it). Earlier codes of the
    case stop working."""
    case = Case.objects.select_for_update().select_related("submission").get(pk=case.pk)
    address = contact_address(case.submission)
    if address is None:
        raise Conflict(_("This request has no contact details on file, so no code can be sent."))
    now = timezone.now()
    last = AccessCode.objects.filter(case=case).first()
    if last is not None and now - last.created_at < RESEND_AFTER:
        raise Conflict(_("A code was sent a moment ago. Please wait a minute before asking for another."))
    AccessCode.objects.filter(case=case, used_at__isnull=True).update(used_at=now)
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    minutes = settings.FANKUI_PRIVACY_CODE_MINUTES
    row = AccessCode.objects.create(
        case=case, code_hash=_code_hash(case, code), created_at=now, expires_at=now + timedelta(minutes=minutes)
    )
    body = _(
        "Your code to see or erase your personal data of request %(code)s is %(secret)s. It is valid for "
        "%(minutes)d minutes. If you did not ask for it, ignore this message."
    ) % {"code": case.display_code, "secret": code, "minutes": minutes}
    notify.notify_citizen(address, _("Your code"), body, key=f"{CODE_KEY}{row.pk}", case_id=case.pk, requested=True)
    return address


def check_code(case: Case, code: str) -> None:
    """Accept ``code`` for ``case`` once: wrong, expired, used up or too many tries raise ``ValidationFailed`` (a
    wrong try is counted first, in its own transaction, so that raising does not roll the count back)."""
    problem = _try_code(case, code)
    if problem:
        raise ValidationFailed({"code": [problem]})


@transaction.atomic
def _try_code(case: Case, code: str) -> str:
    row = AccessCode.objects.select_for_update().filter(case=case, used_at__isnull=True).first()
    now = timezone.now()
    if row is None or row.expires_at <= now or row.attempts >= settings.FANKUI_PRIVACY_CODE_ATTEMPTS:
        return _("This code is no longer valid. Please ask for a new one.")
    typed = re.sub(r"\s", "", code or "")
    if not secrets.compare_digest(_code_hash(case, typed), row.code_hash):
        row.attempts += 1
        row.save(update_fields=["attempts"])
        left = settings.FANKUI_PRIVACY_CODE_ATTEMPTS - row.attempts
        if left <= 0:
            return _("Wrong code, and no tries are left. Please ask for a new one.")
        return _("Wrong code. Tries left: %(n)d.") % {"n": left}
    row.used_at = now
    row.save(update_fields=["used_at"])
    return ""


def is_erased(case: Case) -> bool:
    return case.events.filter(action=ERASED).exists()


# --- Anonymisation -----------------------------------------------------------------------------------------------
def masker(submission: Submission) -> Callable[[str], str]:
    """The mask of one person's texts: personal data found by ``fankui.nlp.masking`` (with their name), and every
    literal value of their contact details, however it was written."""
    phone = submission.contact_phone
    literals = [submission.contact_name, submission.contact_email, submission.address, phone, local_number(phone)]
    literals = sorted({value for value in literals if value and len(value) >= 2}, key=len, reverse=True)
    names = [submission.contact_name] if submission.contact_name else []

    def mask(text: str) -> str:
        text = mask_text(text, names).text
        for value in literals:
            text = re.sub(re.escape(value), "***", text, flags=re.IGNORECASE)
        return text

    return mask


def addresses_of(submission: Submission) -> list[notify.Address]:
    """Where the person behind ``submission`` can be reached: the contact details on file, as the outbox knows them."""
    return _addresses(submission)[0]


def invitations_of(submission: Submission) -> QuerySet[Invitation]:
    """The questionnaire invitations of the person who proved, with a one-time code, that they hold the contact of
    ``submission``: those sent to the address the code went to (``contact_address``), found by its keyed hash. Only
    that address: another one on the request was typed, never proven, and its invitations (with the answers given
    through them) may be someone else's. The data copy lists them; erasure erases their addresses."""
    proven = contact_address(submission)
    return personal.invitations_to(proven) if proven is not None else Invitation.objects.none()


def _addresses(submission: Submission) -> tuple[list[notify.Address], list[notify.Address]]:
    """The person's addresses, and those of them another case still has on file (their contact rows stay)."""
    others = Submission.objects.exclude(pk=submission.pk)
    mine: list[notify.Address] = []
    keep: list[notify.Address] = []
    for channel, value, column in (
        (notify.Channel.EMAIL, submission.contact_email.strip().lower(), "contact_email_hash"),
        (notify.Channel.SMS, submission.contact_phone.strip(), "contact_phone_hash"),
    ):
        if value:
            mine.append(notify.Address(channel, value))
            if others.filter(**{column: crypto.lookup_hash(value)}).exists():
                keep.append(mine[-1])
    return mine, keep


@transaction.atomic
def anonymise(case: Case, *, by: str, invitations: Sequence[int] = ()) -> None:
    """Erase the personal data of ``case`` (``by``: "citizen" or "retention"), keep its figures and its timeline;
    and the addresses of the questionnaire ``invitations`` (ids) of the same person, as the retention sweep erases
    them (``questionnaires.distribution.erase_addresses``), counted in the erasure's event."""
    case = Case.objects.select_for_update().select_related("submission").get(pk=case.pk)
    submission = case.submission
    mask = masker(submission)
    addresses, keep = _addresses(submission)
    files = intake.anonymise(submission, mask)
    # Each app masks its own rows (its services are the only writers of its tables).
    moves.mask_replies(case, mask)
    surveys.mask_comments(case, mask)
    waiting.mask_requests(case, mask)
    analysis.mask_analysis(case, mask)
    files += supplements.mask_supplements(case, mask)
    mail.forget(case)
    extensions.mask_extensions(case, mask)
    supervision.mask_instructions(case, mask)
    # Staff's notes and reasons on the timeline (the events themselves never change; decision 0012).
    mask_texts(case, mask)
    notify.forget_case(case.pk, addresses, mask, keep)
    AccessCode.objects.filter(case=case).delete()
    data: dict[str, Any] = {"by": by, "files": files}
    erased = questionnaires.erase_addresses(list(invitations)) if invitations else 0
    if erased:
        data["invitations"] = erased
    record_event(case, ERASED, actor_kind=Actor.CITIZEN if by == "citizen" else Actor.SYSTEM, public=True, data=data)


@transaction.atomic
def erase(case: Case) -> None:
    """The citizen, proven by a one-time code, asked for their personal data to be erased: the request's, and the
    addresses of the questionnaire invitations sent to the address that proved them (the ones their data copy
    lists: ``invitations_of``)."""
    case = Case.objects.select_for_update().select_related("submission").get(pk=case.pk)
    if is_erased(case):
        raise Conflict(_("The personal data of this request was already erased."))
    invitations = list(invitations_of(case.submission).values_list("pk", flat=True))
    anonymise(case, by="citizen", invitations=invitations)


# --- Retention ---------------------------------------------------------------------------------------------------
def years_for(kind: str) -> int:
    return int(settings.FANKUI_RETENTION_YEARS_BY_KIND.get(kind, settings.FANKUI_RETENTION_YEARS))


def _years_before(moment: datetime, years: int) -> datetime:
    try:
        return moment.replace(year=moment.year - years)
    except ValueError:  # 29 February
        return moment.replace(year=moment.year - years, day=28)


def _has_personal_data() -> Q:
    empty = {"contact_name": "", "contact_phone": "", "contact_email": "", "address": ""}
    return ~Q(**{f"submission__{name}": value for name, value in empty.items()}) | Q(submission__lat__isnull=False)


def due(kind: str, now: datetime | None = None) -> QuerySet[Case]:
    """Cases of ``kind`` that ended (closed; or rejected or merged, by their last move) longer ago than the retention
    period and still hold personal data."""
    cutoff = _years_before(now or timezone.now(), years_for(kind))
    ended = Q(state=State.CLOSED, closed_at__lt=cutoff) | Q(
        state__in=[State.REJECTED, State.MERGED], state_changed_at__lt=cutoff
    )
    return Case.objects.filter(ended, kind=kind).filter(_has_personal_data())


@dataclass(frozen=True)
class Due:
    kind: str
    years: int
    count: int
    oldest: datetime | None


def retention_plan(now: datetime | None = None) -> list[Due]:
    """What the retention sweep would anonymise now, per kind: how many cases and when the oldest one ended."""
    plan = []
    for kind in Kind.values:
        cases = due(kind, now)
        figures = cases.aggregate(closed=Min("closed_at"), moved=Min("state_changed_at"))
        oldest = min((at for at in (figures["closed"], figures["moved"]) if at is not None), default=None)
        plan.append(Due(kind, years_for(kind), cases.count(), oldest))
    return plan


# Invitation addresses erased by one call of ``apply_retention`` (one statement for the rows, the outbox by its index).
INVITATION_BATCH = 1000


@dataclass(frozen=True)
class InvitationsDue:
    """Addresses of questionnaire invitations kept past ``days`` after their questionnaire closed."""

    days: int
    count: int


def invitations_due(now: datetime | None = None) -> QuerySet[Invitation]:
    """Invitations (``questionnaires.Invitation``) whose questionnaire closed more than
    ``FANKUI_RETENTION_INVITATION_DAYS`` ago and that still hold their address."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.FANKUI_RETENTION_INVITATION_DAYS)
    return questionnaires.addresses_due(cutoff)


def invitation_plan(now: datetime | None = None) -> InvitationsDue:
    """What the retention sweep would erase of invitation lists now."""
    return InvitationsDue(settings.FANKUI_RETENTION_INVITATION_DAYS, invitations_due(now).count())


def apply_retention(now: datetime | None = None, limit: int = 200) -> int:
    """Anonymise up to ``limit`` cases past their retention period, one transaction each (a second worker skips a
    case already done: ``due`` no longer finds it once its contact is gone), then, when fewer than ``limit`` were,
    erase up to ``INVITATION_BATCH`` addresses of invitations past their period (``FANKUI_RETENTION_INVITATION_DAYS``
    after the questionnaire closed). Returns how many cases were anonymised and addresses erased."""
    done = 0
    for kind in Kind.values:
        for pk in list(due(kind, now).order_by("pk").values_list("pk", flat=True)[: limit - done]):
            with transaction.atomic():
                locked = due(kind, now).select_for_update(skip_locked=True).filter(pk=pk).first()
                if locked is None:
                    continue
                anonymise(locked, by="retention")
                done += 1
        if done >= limit:
            break
    if done < limit:
        batch = list(invitations_due(now).order_by("pk").values_list("pk", flat=True)[:INVITATION_BATCH])
        done += questionnaires.erase_addresses(batch, now)
    return done


def session_key(case: Case) -> str:
    return f"privacy:{case.pk}"


def proven_until(now: datetime | None = None) -> str:
    return ((now or timezone.now()) + timedelta(minutes=settings.FANKUI_PRIVACY_SESSION_MINUTES)).isoformat()


def still_proven(stamp: str | None) -> bool:
    if not stamp:
        return False
    try:
        return datetime.fromisoformat(stamp) > timezone.now()
    except ValueError:
        return False


def find(code: str) -> Case:
    case = find_by_code(code)
    if case is None:
        raise NotFound(_("No request has this tracking code."))
    return case
