"""Intake: every channel turns what arrived into one call of ``submit``.

Validation lives here, once, so the web form, the API and imports give the same messages. What was valid is
reported back field by field; nothing is stored unless everything is valid; a retry with the same idempotency
key returns the case the first attempt created.
"""

from __future__ import annotations

import errno
import logging
import re
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import validate_email
from django.db import models, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from fankui.core import logs, rows
from fankui.core.errors import Unavailable
from fankui.core.text import strip_control
from fankui.core.vocab import Channel, Kind

from .models import LANDLINE, MAX_TITLE_CHARS, StoredFile, Submission
from .uploads import TooLarge, Unreadable, check_pdf, clean_image

log = logging.getLogger("fankui.intake")
# The disk (or the quota) of the attachment store is full; a client is asked to wait this long before sending again.
STORAGE_FULL = frozenset({errno.ENOSPC, errno.EDQUOT})
STORAGE_FULL_RETRY_SECONDS = 300

# Mainland mobile numbers, and landlines with an area code (010-12345678, 0731 8888 6666).
MOBILE = re.compile(r"^1[3-9]\d{9}$")
IMAGE_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "GIF": "image/gif", "WEBP": "image/webp"}


@dataclass
class SubmissionInput:
    body: str
    title: str = ""
    kind: str = ""
    category: int | str | None = None
    channel: str = Channel.WEB
    contact_name: str = ""
    contact_phone: str = ""
    contact_email: str = ""
    anonymous: bool = False
    address: str = ""
    lat: float | None = None
    lng: float | None = None
    idempotency_key: str = ""
    external_id: str = ""
    received_at: datetime | None = None
    # Blank: the language of the request (or of the worker) that submits it.
    language: str = ""
    # Send the submitter a receipt with the tracking code (once the analysis has looked at it). False for imports
    # of history: those people were told long ago.
    receipt: bool = True
    attachments: list[UploadedFile] = field(default_factory=list)
    # The submitter chose to let staff see where the photos were taken: their GPS position is kept (nothing else of
    # their metadata). False: every picture is stored without any (``uploads.clean_image``).
    share_photo_location: bool = False


def normalize_phone(raw: str) -> str:
    digits = re.sub(r"[\s\-()]", "", raw)
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("0086"):
        digits = digits[4:]
    return digits


def _sniff(upload: UploadedFile) -> str | None:
    """The real type of an upload from its content, whatever its name or declared type says."""
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    try:
        with Image.open(upload) as image:
            kind = image.format
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        return None
    finally:
        upload.seek(0)
    return IMAGE_FORMATS.get(kind or "")


def _text(value: object) -> str:
    """Trimmed text without control characters. The API and the forms refuse them (``core.text``); a channel that
    reads files (an import) has nobody to ask, and they are never meant (PostgreSQL refuses NUL in a column)."""
    return strip_control(str(value or "")).strip()


def _language(requested: str) -> str:
    """One of the site's languages: the one asked for if the site has it, else the active one (the request's)."""
    for candidate in (requested, translation.get_language() or ""):
        try:
            return translation.get_supported_language_variant(candidate.strip().lower()[:20])
        except LookupError:
            continue
    return settings.LANGUAGE_CODE


def check(data: SubmissionInput) -> tuple[dict[str, Any], list[tuple[File, str]], dict[str, list[str]]]:
    """Check what arrived: the values to store, the good files, and every problem field by field (none: all is
    well). The category is the caller's to check (``cases.services.receiving.receive``), so that all problems are
    reported at once."""
    errors: dict[str, list[str]] = {}
    clean: dict[str, Any] = {}

    body = _text(data.body)
    if not body:
        errors["body"] = [_("Please describe your request.")]
    elif len(body) > settings.FANKUI_MAX_BODY_CHARS:
        errors["body"] = [
            _("The text is too long: %(n)d characters at most, this one has %(m)d.")
            % {"n": settings.FANKUI_MAX_BODY_CHARS, "m": len(body)}
        ]
    clean["body"] = body

    title = _text(data.title)
    if len(title) > MAX_TITLE_CHARS:
        errors["title"] = [_("The title is too long: %(n)d characters at most.") % {"n": MAX_TITLE_CHARS}]
    clean["title"] = title

    # Blank when the submitter did not choose: the case starts as a complaint and takes the analysed kind.
    kind = _text(data.kind)
    if kind and kind not in Kind.values:
        errors["kind"] = [_("Unknown kind “%(value)s”.") % {"value": kind}]
    clean["kind"] = kind

    if data.channel not in Channel.values:
        errors["channel"] = [_("Unknown channel “%(value)s”.") % {"value": data.channel}]
    clean["channel"] = data.channel

    _check_contact(data, clean, errors)
    _check_location(data, clean, errors)

    key = _text(data.idempotency_key)
    if len(key) > 100:
        errors["idempotency_key"] = [_("The idempotency key is too long (100 characters at most).")]
    clean["idempotency_key"] = key or None
    clean["external_id"] = _text(data.external_id)[:100]
    clean["language"] = _language(data.language)
    clean["receipt"] = bool(data.receipt)

    clean["photo_location_shared"] = bool(data.share_photo_location and data.attachments)
    files, problems = check_uploads(data.attachments, keep_location=bool(data.share_photo_location))
    if problems:
        errors.setdefault("attachments", []).extend(problems)

    return clean, files, errors


def _check_contact(data: SubmissionInput, clean: dict[str, Any], errors: dict[str, list[str]]) -> None:
    """The contact details, unless the submission is anonymous."""
    clean["anonymous"] = bool(data.anonymous)
    name = _text(data.contact_name)
    phone = normalize_phone(_text(data.contact_phone))
    email = _text(data.contact_email)
    if not data.anonymous:
        if len(name) > 100:
            errors["contact_name"] = [_("The name is too long.")]
        if phone and not (MOBILE.match(phone) or LANDLINE.match(phone)):
            errors["contact_phone"] = [
                _(
                    "“%(value)s” is not a valid phone number (a mobile number has 11 digits, "
                    "a landline starts with its area code)."
                )
                % {"value": data.contact_phone}
            ]
        if email:
            try:
                validate_email(email)
            except ValidationError:
                errors["contact_email"] = [_("“%(value)s” is not a valid e-mail address.") % {"value": email}]
        clean.update(contact_name=name, contact_phone=phone, contact_email=email)
    # An anonymous submission keeps no contact details, even if some were typed before ticking the box.


def _check_location(data: SubmissionInput, clean: dict[str, Any], errors: dict[str, list[str]]) -> None:
    """The address and the coordinates (none, or a valid latitude and longitude)."""
    clean["address"] = _text(data.address)[:300]
    for axis, value, bound in (("lat", data.lat, 90), ("lng", data.lng, 180)):
        if value is None or value == "":
            clean[axis] = None
            continue
        try:
            number = float(value)
        except (TypeError, ValueError):
            number = float("nan")
        if not -bound <= number <= bound:
            errors["location"] = [_("The location is not a valid coordinate.")]
        clean[axis] = number


def check_uploads(
    uploads: Sequence[UploadedFile], *, keep_location: bool = False
) -> tuple[list[tuple[File, str]], list[str]]:
    """The attachment rules (pictures or PDF sniffed from the content and read whole, size and count limits), shared
    by every upload the product takes: the good files as they are to be kept (pictures encoded again without their
    metadata, ``uploads``) with their real content type, and a message for each refused one. ``keep_location``: the
    submitter chose to share where the photos were taken."""
    problems: list[str] = []
    good: list[tuple[File, str]] = []
    if len(uploads) > settings.FANKUI_MAX_ATTACHMENTS:
        problems.append(_("At most %(n)d files can be attached.") % {"n": settings.FANKUI_MAX_ATTACHMENTS})
    for upload in uploads[: settings.FANKUI_MAX_ATTACHMENTS]:
        if upload.size is not None and upload.size > settings.FANKUI_MAX_ATTACHMENT_BYTES:
            problems.append(
                _("“%(name)s” is larger than %(mb)d MB.")
                % {"name": upload.name, "mb": settings.FANKUI_MAX_ATTACHMENT_BYTES // (1024 * 1024)}
            )
            continue
        content_type = _sniff(upload)
        if content_type is None:
            problems.append(_("“%(name)s” is not a picture (JPEG, PNG, GIF, WebP) or a PDF.") % {"name": upload.name})
            continue
        try:
            if content_type == "application/pdf":
                check_pdf(upload)
                good.append((upload, content_type))
            else:
                good.append((clean_image(upload, keep_location), content_type))
        except TooLarge:
            problems.append(
                _("“%(name)s” has too many pixels to be opened (an animation counts every frame).")
                % {"name": upload.name}
            )
        except Unreadable:
            problems.append(
                _("“%(name)s” is damaged or protected by a password and cannot be opened; please send it again.")
                % {"name": upload.name}
            )
    return good, problems


def storage_full() -> Unavailable:
    return Unavailable(
        _(
            "The store for attachments is full, so nothing was stored. Please send it again later, or without the "
            "attachments now."
        ),
        retry_after=STORAGE_FULL_RETRY_SECONDS,
    )


def remove_files(names: Sequence[str]) -> None:
    """Delete files written for a submission that was not stored after all (its transaction rolled back): a refused
    request leaves nothing behind, not even on disk."""
    storage = StoredFile._meta.get_field("file").storage
    for name in names:
        try:
            storage.delete(name)
        except OSError:
            log.warning("could not remove the unstored file %s", name)


def store_file(
    upload: File, content_type: str, owner: models.Model, folder: str, written: list[str] | None = None
) -> StoredFile:
    """Keep one upload that passed ``check_uploads`` (``content_type`` is the sniffed one) for ``owner``, as
    ``folder/<token>``: the name on disk is a fresh random token, never the uploader's. The name is added to
    ``written`` before the file is written, so the caller can remove it if its transaction does not commit. A full
    disk raises ``Unavailable`` (503) and leaves no partial file."""
    item = StoredFile(
        owner=owner,
        token=secrets.token_urlsafe(24),
        original_name=(upload.name or "file")[:255],
        content_type=content_type,
        size=upload.size or 0,
    )
    name = f"{folder}/{item.token}"
    if written is not None:
        written.append(name)
    try:
        item.file.save(name, upload, save=False)
    except OSError as exc:
        remove_files([name])
        if exc.errno in STORAGE_FULL:
            raise storage_full() from exc
        raise
    item.save()
    return item


def store(
    clean: dict[str, Any],
    files: Sequence[tuple[File, str]],
    received_at: datetime | None = None,
    written: list[str] | None = None,
) -> Submission:
    """Keep a submission ``check`` found valid, with its attachments, in the caller's transaction."""
    return store_many([(clean, files, received_at)], written)[0]


def store_many(
    batch: Sequence[tuple[dict[str, Any], Sequence[tuple[File, str]], datetime | None]],
    written: list[str] | None = None,
) -> list[Submission]:
    """Keep submissions ``check`` found valid (its values, its good files, the time received or None: now), in the
    caller's transaction (``cases.services.receiving``, which opens their cases with them): one INSERT for all. The
    files written are added to ``written``, which the caller removes when its transaction does not commit. The
    request id of the log context goes with each (core.logs); one arriving without a request (an e-mail, an import)
    gets a new one, so that its analysis and messages are followed all the same."""
    now = timezone.now()
    current = logs.request_id()
    submissions = [
        Submission(received_at=received_at or now, request_id=current or logs.new_request_id(), **clean)
        for clean, _files, received_at in batch
    ]
    for submission in submissions:
        submission.fill_lookups()  # what ``Submission.save`` does; a bulk insert does not call it
    rows.insert_objects(submissions)
    for submission, (_clean, files, _received_at) in zip(submissions, batch, strict=True):
        folder = f"attachments/{submission.received_at:%Y/%m}/{submission.pk}"
        for upload, content_type in files:
            store_file(upload, content_type, submission, folder, written)
    return submissions


def anonymise(submission: Submission, mask: Callable[[str], str]) -> int:
    """Erase the submitter's personal data from what arrived (docs/privacy.md): the contact details and the
    location go, the text is passed through ``mask``, the attachments are deleted from disk and from the table. The
    only change a submission ever sees after intake. Returns how many files were deleted."""
    submission.contact_name = submission.contact_phone = submission.contact_email = submission.address = ""
    submission.lat = submission.lng = None
    submission.title = mask(submission.title)[:MAX_TITLE_CHARS]
    submission.body = mask(submission.body)
    submission.save()  # the lookup hashes follow the emptied contact (Submission.save)
    files = list(submission.attachments.all())
    for item in files:
        item.file.delete(save=False)
        item.delete()
    return len(files)


def reencrypt_contacts(batch: int = 500) -> int:
    """Re-encrypt the contact details of every submission with the newest key (``core.crypto.reencrypt``: plain text
    left from before encryption is encrypted too) and recompute the lookup hashes with the current lookup key, a
    batch per transaction. Returns how many submissions were rewritten."""
    fields = ["contact_name", "contact_phone", "contact_email", "address"]
    hashes = ["contact_phone_hash", "contact_phone_local_hash", "contact_email_hash"]
    done = 0
    last = 0
    while True:
        with transaction.atomic():
            rows = list(
                Submission.objects.filter(pk__gt=last).order_by("pk").select_for_update().only("pk", *fields)[:batch]
            )
            if not rows:
                return done
            for row in rows:
                row.fill_lookups()  # the values were decrypted on reading; saving encrypts them with the first key
            Submission.objects.bulk_update(rows, [*fields, *hashes])
        done += len(rows)
        last = rows[-1].pk
