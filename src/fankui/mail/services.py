"""E-mail intake: each message becomes a case through the one door (``cases.services.receiving.receive``), a
supplement (补充) on the case it answers (``cases.services.supplements.add_supplement``, the door Open311's updates
use too), or is ignored (machines) or set aside (too big, unreadable) with its reason.

``handle`` is called by both ways mail arrives (the IMAP poll and the SMTP listener) and is idempotent by
Message-ID: the ``InboundMail`` row and the case commit together, so a message seen again (a crash before it was
moved on the server, two workers polling at once) only finds its row. Nothing of the message is kept here but the
Message-ID (to thread our answers); the text and the address go into the case's submission, where privacy's
erasure and the retention period find them (``forget``).
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fankui.cases.models import Case
from fankui.cases.queries import find_by_code
from fankui.cases.services.receiving import find_by_idempotency_key, receive
from fankui.cases.services.supplements import add_supplement
from fankui.core import codes, crypto, throttle
from fankui.core.errors import Conflict, ValidationFailed
from fankui.core.text import strip_control
from fankui.core.vocab import Channel
from fankui.intake.models import MAX_TITLE_CHARS
from fankui.intake.services import SubmissionInput, check_uploads

from . import parsing, threading
from .models import InboundMail, Source, Status

log = logging.getLogger("fankui.mail")

# "Re:", "Fwd:", "回复：", "转发：" (also repeated), as mail programs put them before a subject.
REPLY_PREFIX = re.compile(r"^\s*((re|fwd?|aw|sv|回复|答复|回覆|转发|轉寄)\s*[:：]\s*)+", re.IGNORECASE)
CODE_IN_SUBJECT = re.compile(r"(?<![0-9A-Z])([2-9A-HJ-NP-Z]{4}-?[2-9A-HJ-NP-Z]{4}-?[2-9A-HJ-NP-Z]{5})(?![0-9A-Z])")
CJK = re.compile(r"[\u3400-\u9fff]")


def key_of(message_id: str) -> str:
    """The idempotency key of a message: SHA-256 of its Message-ID (without angle brackets)."""
    return hashlib.sha256(message_id.strip().strip("<>").encode("utf-8", "surrogateescape")).hexdigest()


def seen(key: str) -> InboundMail | None:
    return InboundMail.objects.filter(key=key).first()


@dataclass(frozen=True)
class Match:
    case: Case
    how: str  # our_message_id, their_message_id, marker, subject_code
    from_contact: bool


def _is_contact(case: Case, sender: str) -> bool:
    expected = case.submission.contact_email_hash
    return bool(sender and expected) and crypto.lookup_hash(sender.lower()) == expected


def _case(pk: int | None) -> Case | None:
    return Case.objects.select_related("submission").filter(pk=pk).first() if pk is not None else None


def find_case(mail: parsing.ParsedMail) -> Match | None:
    """The case ``mail`` answers, the way a careful helpdesk matches: a signed Message-ID of ours in In-Reply-To or
    References; then a Message-ID of the citizen's own earlier mail there; then our signed reference line quoted
    in the text; last a tracking code in the subject, and that only when the sender is the case's contact (anyone
    may know a code; only our mail carries our signatures)."""
    referenced = [*reversed(mail.in_reply_to), *reversed(mail.references)]
    for message_id in referenced:
        case = _case(threading.case_of_message_id(message_id))
        if case is not None:
            return Match(case, "our_message_id", _is_contact(case, mail.sender))
    if referenced:
        earlier = (
            InboundMail.objects.filter(key__in=[key_of(mid) for mid in referenced[:50]], case__isnull=False)
            .select_related("case__submission")
            .order_by("-received_at")
            .first()
        )
        if earlier is not None and earlier.case is not None:
            return Match(earlier.case, "their_message_id", _is_contact(earlier.case, mail.sender))
    case = _case(threading.case_of_marker(mail.text))
    if case is not None:
        return Match(case, "marker", _is_contact(case, mail.sender))
    for code in CODE_IN_SUBJECT.findall(mail.subject.upper()):
        if not codes.is_valid(codes.normalize(code)):
            continue
        case = find_by_code(code)
        if case is not None and _is_contact(case, mail.sender):
            return Match(case, "subject_code", True)
    return None


# --- What arrived --------------------------------------------------------------------------------------------------
def _uploads(mail: parsing.ParsedMail) -> tuple[list[SimpleUploadedFile], list[str]]:
    """The attachments that pass the web form's checks (``intake.services.check_uploads``), each on its own so that
    one bad file does not cost the others, and a message for each refused one."""
    good: list[SimpleUploadedFile] = []
    refused: list[str] = []
    for item in mail.attachments:
        upload = SimpleUploadedFile(item.name, item.data, item.content_type)
        if len(good) >= settings.FANKUI_MAX_ATTACHMENTS:
            refused.append(_("“%(name)s”: at most %(n)d files are kept.") % {"name": item.name, "n": len(good)})
            continue
        _files, problems = check_uploads([upload])
        if problems:
            refused.extend(problems)
        else:
            upload.seek(0)
            good.append(upload)
    return good, refused


def _title(subject: str) -> str:
    return strip_control(REPLY_PREFIX.sub("", subject)).strip()[:MAX_TITLE_CHARS]


def _body(mail: parsing.ParsedMail, refused: list[str], has_files: bool) -> str:
    body = strip_control(mail.text).strip() or _title(mail.subject)
    if not body and has_files:
        body = _("(The e-mail had no text; see the attachments.)")
    notes = [_("Attachments not kept: %(list)s") % {"list": " ".join(refused)}] if refused else []
    room = settings.FANKUI_MAX_BODY_CHARS - sum(len(note) + 2 for note in notes)
    if len(body) > room:
        cut = _("[The rest of the e-mail, %(n)d characters, was cut.]")
        body = body[: max(0, room - len(cut) - 20)].rstrip() + "\n" + cut % {"n": len(body) - room}
    return "\n\n".join([body, *notes]).strip() if body else ""


def _sender(mail: parsing.ParsedMail) -> str:
    try:
        validate_email(mail.sender)
    except ValidationError:
        return ""
    return mail.sender


def _record(mail: parsing.ParsedMail, status: str, *, source: str, mailbox: str, uid: int | None, size: int,
            case: Case | None = None, how: str = "", reason: str = "") -> InboundMail:  # fmt: skip
    return InboundMail.objects.create(
        key=key_of(mail.message_id),
        # Kept only where it threads our answers; an ignored or failed message keeps just its key.
        message_id=mail.message_id if status in (Status.CASE, Status.FOLLOW_UP) and mail.has_message_id else "",
        source=source,
        mailbox=mailbox[:200],
        uid=uid,
        size=size,
        status=status,
        how=how,
        reason=reason[:500],
        case=case,
        received_at=timezone.now(),
    )


def set_aside(
    message_id: str, reason: str, *, source: str = Source.IMAP, mailbox: str = "", uid: int | None = None, size: int = 0
) -> InboundMail:
    """Record a message that could not be handled (too big, unreadable) without its contents; a second call for the
    same message returns the first record."""
    found = seen(key_of(message_id))
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return InboundMail.objects.create(
                key=key_of(message_id),
                message_id="",
                source=source,
                mailbox=mailbox[:200],
                uid=uid,
                size=size,
                status=Status.FAILED,
                reason=reason[:500],
                received_at=timezone.now(),
            )
    except IntegrityError:
        return InboundMail.objects.get(key=key_of(message_id))


def handle(raw: bytes, *, source: str = Source.IMAP, mailbox: str = "", uid: int | None = None) -> InboundMail:
    """Turn one message into a case, a follow-up, or an ignored or set-aside record; the same message again returns
    its first record and changes nothing. Raises only what may pass (the database is away): the caller leaves the
    message where it is and tries again later."""
    size = len(raw)
    if size > settings.FANKUI_MAIL_MAX_BYTES:
        mail_id = parsing.header_message_id(raw) or "sha256." + hashlib.sha256(raw).hexdigest() + "@no-message-id"
        return set_aside(mail_id, too_big(size), source=source, mailbox=mailbox, uid=uid, size=size)
    try:
        mail = parsing.parse(raw)
    except Exception as error:  # the parser is lenient; anything left is a message nobody can read
        log.exception("an e-mail could not be read")
        mail_id = "sha256." + hashlib.sha256(raw).hexdigest() + "@no-message-id"
        return set_aside(mail_id, f"unreadable: {type(error).__name__}", source=source, mailbox=mailbox, uid=uid)
    found = seen(key_of(mail.message_id))
    if found is not None:
        return found
    where = {"source": source, "mailbox": mailbox, "uid": uid, "size": size}
    try:
        with transaction.atomic():
            return _handle(mail, where)
    except IntegrityError:
        # Another worker recorded the same message meanwhile (the unique key decided): theirs is the record.
        found = seen(key_of(mail.message_id))
        if found is None:
            raise
        return found


def too_big(size: int) -> str:
    return f"too big: {size // 2**20} MB, at most {settings.FANKUI_MAIL_MAX_BYTES // 2**20} MB"


def _handle(mail: parsing.ParsedMail, where: dict) -> InboundMail:
    if not mail.has_from:
        defects = ", ".join(sorted(set(mail.defects)))[:200]
        return _record(mail, Status.FAILED, reason=f"broken: no From header ({defects or 'no headers'})", **where)
    if mail.automatic:
        return _record(mail, Status.IGNORED, reason=mail.automatic, **where)
    ours = settings.DEFAULT_FROM_EMAIL.rpartition("<")[2].strip(">").strip().lower()
    if mail.sender and mail.sender == ours:
        return _record(mail, Status.IGNORED, reason="sent by ourselves (a loop)", **where)
    match = find_case(mail)
    if match is not None:
        return _follow_up(mail, match, where)
    return _new_case(mail, where)


def _throttled(sender: str) -> bool:
    """Count a new case from ``sender`` against the web form's limit per contact (``submit_contact``, the same
    counter, so a person's e-mails and web submissions count together); true when over it."""
    rate = settings.FANKUI_RATE_LIMITS.get("submit_contact")
    return bool(throttle.count("submit_contact", "contact:" + throttle.contact_key(sender), rate))


def _new_case(mail: parsing.ParsedMail, where: dict) -> InboundMail:
    uploads, refused = _uploads(mail)
    body = _body(mail, refused, bool(uploads))
    if not body:
        return _record(mail, Status.IGNORED, reason="empty: no subject, text or attachment", **where)
    sender = _sender(mail)
    if sender and _throttled(sender):
        # A forged From: must not turn one person's address into a flood of cases and receipts to them.
        return _record(mail, Status.IGNORED, reason="throttled: too many new cases from this sender", **where)
    data = SubmissionInput(
        body=body,
        title=_title(mail.subject),
        channel=Channel.EMAIL,
        contact_email=sender,
        contact_name=strip_control(mail.sender_name)[:100] if sender else "",
        # The Message-ID is the sender's own id of the message: a retry (a message fetched twice) finds its case.
        idempotency_key="email:" + key_of(mail.message_id)[:48],
        language="zh-hans" if CJK.search(f"{mail.subject} {body}") else "en",
        attachments=list(uploads),
    )
    try:
        case, _created = receive(data)
    except Conflict:
        # The same key with another text: the message was read differently before (an upgrade); keep the first.
        existing = find_by_idempotency_key(data.idempotency_key)
        if existing is None:
            raise
        case = existing
    except ValidationFailed as error:
        fields = ", ".join(sorted(error.errors))
        return _record(mail, Status.FAILED, reason=f"refused by intake: {fields}", **where)
    reason = f"{len(refused)} attachment(s) not kept" if refused else ""
    if not sender:
        reason = (reason + "; " if reason else "") + "no usable sender address: nobody to answer"
    return _record(mail, Status.CASE, case=case, reason=reason, **where)


def _follow_up(mail: parsing.ParsedMail, match: Match, where: dict) -> InboundMail:
    """What the citizen (or someone copied on their mail) wrote on the case: a supplement (补充) through the one
    door of every channel, its attachments kept as the web form's are; the answer to an open request for
    information when it comes from the contact (the SLA decides: ``cases.services.supplements``)."""
    text = strip_control(parsing.new_part(mail.text)).strip()[: settings.FANKUI_MAX_BODY_CHARS] or _title(mail.subject)
    uploads = [SimpleUploadedFile(item.name, item.data, item.content_type) for item in mail.attachments]
    record = _record(mail, Status.FOLLOW_UP, case=match.case, how=match.how, **where)
    supplement, _created = add_supplement(
        match.case,
        text or ("" if uploads else _("(The e-mail had no text.)")),
        channel=Channel.EMAIL,
        from_contact=match.from_contact,
        attachments=uploads,
        key="email:" + record.key,
    )
    if supplement.answers_request:
        record.how = f"{match.how}+info_answer"
        record.save(update_fields=["how"])
    return record


# --- Privacy -------------------------------------------------------------------------------------------------------
def forget(case: Case) -> None:
    """Erase what this app holds of the person behind ``case`` (privacy.services.anonymise): the Message-IDs of
    their mails (kept only to thread our answers; they may name their host). Their later words are the case's
    supplements, masked by ``cases``. The keys stay: a hash that only tells a message already seen."""
    InboundMail.objects.filter(case=case).update(message_id="")
