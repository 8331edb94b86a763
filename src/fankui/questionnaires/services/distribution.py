"""Distribution: the public link and its QR code, invitation lists from a CSV file, the one-time links sent through
the outbox (``notify``) and one reminder to those who have not answered.

An invitation's link is ``/q/i/<token>/``, the token its random ``nonce`` signed with the site's key: the database
alone (a backup, a copy) cannot make a valid link, and a link found by guessing is refused. Addresses are stored
encrypted with a keyed hash beside them (as the outbox stores them) and shown masked.
"""

from __future__ import annotations

import csv
import io
import re
import secrets
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import segno
from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import CharField, Q, QuerySet, Value
from django.db.models.functions import Cast, Concat
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fankui.core import text as text_rule
from fankui.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from fankui.core.site import public_url
from fankui.nlp.csvio import CsvError, decode
from fankui.notify import services as notify
from fankui.notify.models import address_hash, masked_address, normalised
from fankui.notify.wording import Kind, worded

from ..models import Invitation, Questionnaire, State
from . import can_edit
from .building import audit

TOKEN_SALT = "fankui.questionnaires.invitation"
MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_ROWS = 20_000
PHONE = re.compile(r"^1[3-9]\d{9}$")


# --- Links --------------------------------------------------------------------------------------------------------
def public_link(questionnaire: Questionnaire, base_url: str | None = None) -> str:
    path = reverse("questionnaires:answer", kwargs={"key": questionnaire.public_key})
    return f"{base_url or public_url()}{path}"


def invitation_token(invitation: Invitation) -> str:
    return signing.Signer(salt=TOKEN_SALT, sep=".").sign(invitation.nonce)


def invitation_link(invitation: Invitation, base_url: str | None = None) -> str:
    path = reverse("questionnaires:invited", kwargs={"token": invitation_token(invitation)})
    return f"{base_url or public_url()}{path}"


def find_invitation(token: str) -> Invitation:
    """The invitation of a link's token, or ``NotFound`` (a changed or made-up link)."""
    try:
        nonce = signing.Signer(salt=TOKEN_SALT, sep=".").unsign(token)
    except signing.BadSignature:
        raise NotFound(_("This link is not valid. Please use the link from the message you received.")) from None
    invitation = Invitation.objects.select_related("questionnaire__current_version").filter(nonce=nonce).first()
    if invitation is None:
        raise NotFound(_("This link is not valid. Please use the link from the message you received."))
    return invitation


def qr_code(url: str, kind: str) -> bytes:
    """The QR code of ``url`` as PNG or SVG (segno; made here, never by an outside service)."""
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind=kind, scale=10 if kind == "png" else 8, border=4)
    return buffer.getvalue()


# --- Invitation lists ---------------------------------------------------------------------------------------------
@dataclass
class UploadReport:
    added: int = 0
    already: int = 0
    problems: list[str] = field(default_factory=list)


def _address(value: str) -> tuple[str, str] | None:
    """(channel, normalised address) of a cell, or None when it is neither an e-mail address nor a mobile number."""
    value = value.strip()
    if text_rule.first_control(value) is not None:
        # An e-mail address may quote control characters ("\x01"@example.cn); no person has one, and it would
        # reach the export and the outbox.
        return None
    if "@" in value:
        try:
            validate_email(value)
        except ValidationError:
            return None
        return Invitation.Channel.EMAIL, normalised(Invitation.Channel.EMAIL, value)
    digits = re.sub(r"[\s\-()]", "", value)
    digits = digits.removeprefix("+86").removeprefix("0086")
    if PHONE.match(digits):
        return Invitation.Channel.SMS, digits
    return None


def read_addresses(data: bytes) -> tuple[list[tuple[str, str]], list[str]]:
    """The addresses in the first column of a CSV file (a header row is skipped) and a line per refused row."""
    if len(data) > MAX_FILE_BYTES:
        raise ValidationFailed({"file": [_("The file is larger than 2 MB. Please split it.")]})
    try:
        content, _encoding = decode(data)
    except CsvError:
        raise ValidationFailed({"file": [_("Please upload a CSV file saved as UTF-8 or GBK text.")]}) from None
    found: list[tuple[str, str]] = []
    problems: list[str] = []
    for number, row in enumerate(csv.reader(io.StringIO(content)), start=1):
        cell = (row[0] if row else "").strip()
        if not cell:
            continue
        address = _address(cell)
        if address is None:
            if number > 1:  # the first row may be a header ("手机号", "email")
                problems.append(_("Line %(line)d: neither an e-mail address nor a mobile number.") % {"line": number})
            continue
        found.append(address)
        if len(found) > MAX_ROWS:
            raise ValidationFailed({"file": [_("At most 20,000 addresses per file. Please split it.")]})
    if not found:
        raise ValidationFailed({"file": [_("No e-mail address or mobile number was found in the first column.")]})
    return found, problems


def add_invitations(user: Any, questionnaire: Questionnaire, data: bytes) -> UploadReport:
    """Invite the addresses of a CSV file; an address invited before is not invited twice."""
    if not can_edit(user, questionnaire):
        raise PermissionDenied(_("You may not change this questionnaire."))
    found, problems = read_addresses(data)
    report = UploadReport(problems=problems[:100])
    with transaction.atomic():
        taken = set(Invitation.objects.filter(questionnaire=questionnaire).values_list("address_hash", flat=True))
        fresh: dict[str, Invitation] = {}
        for channel, address in found:
            digest = address_hash(address)
            if digest in taken or digest in fresh:
                report.already += 1
                continue
            fresh[digest] = Invitation(
                questionnaire=questionnaire,
                channel=channel,
                address=address,
                address_hash=digest,
                nonce=secrets.token_hex(16),
            )
        Invitation.objects.bulk_create(fresh.values(), batch_size=1000, ignore_conflicts=True)
        report.added = len(fresh)
        audit(
            user, questionnaire, "invitations_added", added=report.added, already=report.already, refused=len(problems)
        )
    return report


def masked(invitation: Invitation) -> str:
    return masked_address(invitation.address)


# --- Sending ------------------------------------------------------------------------------------------------------
# The invitation and the reminder, editable per language in the admin (``/admin/notify/messagetemplate/``,
# ``notify.wording``), registered by ``QuestionnairesConfig``. An invited address has no language of its own: the
# messages are written in the site's (``LANGUAGE_CODE``, Chinese), as the questionnaire's Chinese title is.
INVITE = "questionnaire:invite"
REMIND = "questionnaire:remind"
KINDS = (
    Kind(
        INVITE,
        gettext_lazy("Questionnaire: invitation to answer"),
        {
            "title": gettext_lazy("the questionnaire's title (Chinese)"),
            "link": gettext_lazy("the one-time link to answer"),
        },
    ),
    Kind(
        REMIND,
        gettext_lazy("Questionnaire: reminder to those who have not answered"),
        {
            "title": gettext_lazy("the questionnaire's title (Chinese)"),
            "link": gettext_lazy("the one-time link to answer"),
        },
    ),
)
SAMPLE = {"title": "2026年政务服务满意度调查", "link": "https://12345.example.gov.cn/q/i/AbC123.xYz/"}


def _message(invitation: Invitation, reminder: bool) -> tuple[str, str]:
    questionnaire = invitation.questionnaire
    facts = {"title": questionnaire.title_zh, "link": invitation_link(invitation)}
    with translation.override(settings.LANGUAGE_CODE):
        if reminder:
            subject = _("Reminder: %(title)s") % facts
            body = _("We would still like to hear from you: %(title)s. The questionnaire takes a few minutes: %(link)s")
        else:
            subject = questionnaire.title_zh
            body = _("You are invited to answer the questionnaire %(title)s. It takes a few minutes: %(link)s")
        return worded(REMIND if reminder else INVITE, facts, (subject, body % facts))


def _queue(user: Any, questionnaire: Questionnaire, reminder: bool) -> int:
    if not can_edit(user, questionnaire):
        raise PermissionDenied(_("You may not change this questionnaire."))
    if questionnaire.state != State.PUBLISHED:
        raise Conflict(_("Publish the questionnaire before sending invitations."))
    if reminder:
        due = Invitation.objects.filter(
            questionnaire=questionnaire, sent_at__isnull=False, used_at__isnull=True, reminded_at__isnull=True
        )
    else:
        due = Invitation.objects.filter(questionnaire=questionnaire, sent_at__isnull=True)
    due = due.filter(erased_at__isnull=True)  # an address the retention sweep erased reaches nobody
    queued = 0
    now = timezone.now()
    with transaction.atomic():
        for invitation in due.select_related("questionnaire").select_for_update(of=("self",)).order_by("id")[:MAX_ROWS]:
            subject, body = _message(invitation, reminder)
            what = "remind" if reminder else "invite"
            if notify.notify_citizen(
                notify.Address(invitation.channel, invitation.address),
                subject,
                body,
                key=f"questionnaire:{questionnaire.pk}:{what}:{invitation.pk}",
            ):
                queued += 1
            if reminder:
                invitation.reminded_at = now
            else:
                invitation.sent_at = now
            invitation.save(update_fields=["reminded_at" if reminder else "sent_at"])
        audit(user, questionnaire, "reminders_sent" if reminder else "invitations_sent", queued=queued)
    return queued


def send_invitations(user: Any, questionnaire: Questionnaire) -> int:
    """Queue the invitation of every address not invited yet (e-mail or SMS, through the outbox, which leaves out
    addresses that opted out); returns how many messages were queued."""
    return _queue(user, questionnaire, reminder=False)


def send_reminders(user: Any, questionnaire: Questionnaire) -> int:
    """Queue one reminder to each invited address that has not answered and was not reminded yet."""
    return _queue(user, questionnaire, reminder=True)


# --- Retention ----------------------------------------------------------------------------------------------------
def addresses_due(cutoff: datetime) -> QuerySet[Invitation]:
    """Invitations whose address is still kept although their questionnaire closed before ``cutoff``: by its dates
    (``closes_at``) or by hand (``closed_at``, while it stays closed). Privacy's retention sweep erases them
    (``erase_addresses``) ``FANKUI_RETENTION_INVITATION_DAYS`` after the close."""
    closed = Q(questionnaire__closes_at__lt=cutoff) | Q(
        questionnaire__state=State.CLOSED, questionnaire__closed_at__lt=cutoff
    )
    return Invitation.objects.filter(closed, erased_at__isnull=True)


def erase_addresses(ids: list[int], now: datetime | None = None) -> int:
    """Erase the addresses of the invitations ``ids``: the address and its keyed hash go (the hash would still tell
    whether a known number was invited), and so do the address and text of the invitation and reminder in the outbox
    (``notify.forget_sent``); the row with its channel and dates stays, so invited, sent, reminded and answered, the
    response rate, are counted as before. Returns how many were erased."""
    with transaction.atomic():
        rows = list(
            Invitation.objects.select_for_update()
            .filter(pk__in=ids, erased_at__isnull=True)
            .values_list("pk", "questionnaire_id", "channel", "address")
        )
        if not rows:
            return 0
        sent = []
        for pk, questionnaire_id, channel, address in rows:
            if address:
                for what in ("invite", "remind"):
                    sent.append((notify.Address(channel, address), f"questionnaire:{questionnaire_id}:{what}:{pk}"))
        notify.forget_sent(sent)
        return Invitation.objects.filter(pk__in=[row[0] for row in rows]).update(
            address="",
            address_hash=Concat(Value("erased:"), Cast("id", output_field=CharField())),
            erased_at=now or timezone.now(),
        )
