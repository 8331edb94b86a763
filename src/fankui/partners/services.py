"""Every write of the partners app: partners (made, changed, their secret rotated, revoked: each recorded in the
audit trail), a signed submission turned into a case through the one door of every channel, and the callbacks
queued when a partner's case takes a public step. docs/partners.md."""

from __future__ import annotations

import re
import secrets
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fankui.audit import labels
from fankui.audit.services import record_entry
from fankui.cases.models import Case
from fankui.cases.services.receiving import receive
from fankui.cases.workflow import Action, find
from fankui.core import text, throttle
from fankui.core.errors import Conflict, DomainError, ValidationFailed
from fankui.core.vocab import Channel
from fankui.intake.services import SubmissionInput
from fankui.sla.models import Extension, InfoRequest

from . import callbacks, signing
from .models import DeliveryStatus, Partner, PartnerCase, PartnerDelivery, SeenSignature

SLUG = re.compile(r"[a-z0-9][a-z0-9-]{1,29}")
MAX_REFERENCE = 60
# How long a rotated secret keeps verifying requests, unless told otherwise.
GRACE_HOURS = 24


# --- Errors: each carries its status and code (the answer's {"code", "detail"}) -----------------------------------
class Unauthorized(DomainError):
    status = 401
    code = "unauthorized"


class BadSignature(Unauthorized):
    code = "bad_signature"


class StaleTimestamp(Unauthorized):
    code = "stale_timestamp"


class TooLarge(DomainError):
    status = 413
    code = "too_large"


class Replayed(Conflict):
    code = "replayed"


# --- Partners ---------------------------------------------------------------------------------------------------
def new_secret() -> str:
    """256 random bits, URL-safe (43 characters): used as the UTF-8 bytes of the HMAC key."""
    return secrets.token_urlsafe(32)


def parse_rate(value: str) -> throttle.Rate:
    """A limit written ``N/unit`` (s, m, h, d: "600/m", "5/10s"); "off" is none; empty is ``FANKUI_PARTNER_RATE``.
    Raises ValueError for anything else."""
    value = value.strip().lower()
    if not value:
        default: throttle.Rate = settings.FANKUI_PARTNER_RATE
        return default
    if value in {"off", "none", "0"}:
        return None
    count, _slash, per = value.partition("/")
    units = {"s": 1, "m": 60, "h": 3600, "d": 86400}
    amount = per[:-1] or "1"
    if not (count.isdigit() and int(count) > 0 and per and per[-1] in units and amount.isdigit() and int(amount)):
        raise ValueError(value)
    return int(count), int(amount) * units[per[-1]]


def check_fields(*, name: str, callback_url: str, rate: str, slug: str | None = None) -> dict[str, list[str]]:
    """Every problem with a partner's fields, by field (``slug`` only for a new partner)."""
    errors: dict[str, list[str]] = {}
    for field, value in (("name", name), ("slug", slug or ""), ("callback_url", callback_url), ("rate", rate)):
        try:
            text.check(value)
        except ValueError as error:
            errors.setdefault(field, []).append(str(error))
    if not name.strip():
        errors.setdefault("name", []).append(_("Please give the partner system's name."))
    elif len(name) > 100:
        errors.setdefault("name", []).append(_("At most %(n)d characters.") % {"n": 100})
    if slug is not None and "slug" not in errors:
        if not SLUG.fullmatch(slug):
            errors["slug"] = [
                _("2 to 30 small letters, digits and dashes, starting with a letter or digit (e.g. wechat-mp).")
            ]
        elif Partner.objects.filter(slug=slug).exists():
            errors["slug"] = [_("A partner system with this short name exists already.")]
    if callback_url and "callback_url" not in errors:
        try:
            URLValidator(schemes=["http", "https"])(callback_url)
        except DjangoValidationError:
            errors.setdefault("callback_url", []).append(_("Enter an http:// or https:// address, or nothing."))
    try:
        parse_rate(rate)
    except ValueError:
        errors.setdefault("rate", []).append(_("Write a rate like 600/m or 10/s (s, m, h, d), or off."))
    return errors


def _actor_name(actor: Any) -> str:
    return "" if actor is not None and getattr(actor, "is_authenticated", False) else "command"


def _audit(kind: str, partner: Partner, actor: Any, **data: Any) -> None:
    # Names and addresses of a system, never a secret.
    record_entry(kind, actor=actor, actor_name=_actor_name(actor), target=f"partner:{partner.slug}", data=data)


@transaction.atomic
def create_partner(
    name: str, slug: str, *, callback_url: str = "", rate: str = "", actor: Any = None
) -> tuple[Partner, str]:
    """A new partner system and its secret, which is shown to the person who made it once (returned here)."""
    name, slug, callback_url, rate = name.strip(), slug.strip(), callback_url.strip(), rate.strip()
    errors = check_fields(name=name, slug=slug, callback_url=callback_url, rate=rate)
    if errors:
        raise ValidationFailed(errors)
    secret = new_secret()
    partner = Partner.objects.create(
        name=name, slug=slug, secret=secret, callback_url=callback_url, rate=rate, created_at=timezone.now()
    )
    _audit("partner_created", partner, actor, callback_url=callback_url, rate=rate)
    return partner, secret


@transaction.atomic
def change_partner(partner: Partner, *, name: str, callback_url: str, rate: str, actor: Any = None) -> Partner:
    name, callback_url, rate = name.strip(), callback_url.strip(), rate.strip()
    errors = check_fields(name=name, callback_url=callback_url, rate=rate)
    if errors:
        raise ValidationFailed(errors)
    partner = Partner.objects.select_for_update().get(pk=partner.pk)
    changes = {
        field: [getattr(partner, field), value]
        for field, value in (("name", name), ("callback_url", callback_url), ("rate", rate))
        if getattr(partner, field) != value
    }
    if changes:
        partner.name, partner.callback_url, partner.rate = name, callback_url, rate
        partner.save(update_fields=["name", "callback_url", "rate"])
        _audit("partner_changed", partner, actor, changes=changes)
    return partner


@transaction.atomic
def rotate_secret(partner: Partner, *, actor: Any = None, grace_hours: int = GRACE_HOURS) -> str:
    """A new secret, returned once. The old one keeps verifying the partner's requests for ``grace_hours`` (0: not
    at all, for a secret that leaked), so the partner can switch without refused requests; callbacks are signed
    with the new one at once."""
    partner = Partner.objects.select_for_update().get(pk=partner.pk)
    if not partner.active:
        raise Conflict(_("The partner system %(slug)s is revoked.") % {"slug": partner.slug})
    now = timezone.now()
    secret = new_secret()
    partner.previous_secret = partner.secret if grace_hours > 0 else ""
    partner.previous_secret_until = now + timedelta(hours=grace_hours) if grace_hours > 0 else None
    partner.secret, partner.secret_rotated_at = secret, now
    partner.save(update_fields=["secret", "previous_secret", "previous_secret_until", "secret_rotated_at"])
    _audit("partner_secret_rotated", partner, actor, grace_hours=grace_hours)
    return secret


@transaction.atomic
def revoke(partner: Partner, *, actor: Any = None) -> bool:
    """Stop a partner system: its requests are refused and no callback is sent any more (those queued fail).
    False when it was revoked already."""
    partner = Partner.objects.select_for_update().get(pk=partner.pk)
    if not partner.active:
        return False
    now = timezone.now()
    partner.active, partner.revoked_at = False, now
    partner.previous_secret, partner.previous_secret_until = "", None
    partner.save(update_fields=["active", "revoked_at", "previous_secret", "previous_secret_until"])
    dropped = PartnerDelivery.objects.filter(partner=partner, status=DeliveryStatus.QUEUED).update(
        status=DeliveryStatus.FAILED, next_attempt_at=None, last_error="partner revoked", payload={}
    )
    _audit("partner_revoked", partner, actor, callbacks_dropped=dropped)
    return True


def reencrypt_secrets() -> int:
    """Encrypt every partner's secrets again with the first key of ``FANKUI_ENCRYPTION_KEYS``: the step of a key
    rotation (docs/privacy.md) for this table, before the old key is removed. Running it again is harmless."""
    count = 0
    for pk in Partner.objects.values_list("pk", flat=True):
        with transaction.atomic():
            partner = Partner.objects.select_for_update().get(pk=pk)
            partner.save(update_fields=["secret", "previous_secret"])  # the field encrypts with the first key
            count += 1
    return count


def secrets_of(partner: Partner, now: datetime) -> list[str]:
    """The secrets that verify a request now: the current one, and the previous one during its grace period."""
    found = [partner.secret]
    if partner.previous_secret and partner.previous_secret_until and partner.previous_secret_until > now:
        found.append(partner.previous_secret)
    return found


# --- A signed request -------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Signed:
    partner: Partner
    digest: str
    timestamp: int


def active_partner(slug: str) -> Partner:
    partner = Partner.objects.filter(slug=slug[:30], active=True).first() if SLUG.fullmatch(slug or "") else None
    if partner is None:
        # One answer for unknown and revoked: the address alone does not tell which partners exist.
        raise Unauthorized(_("No active partner system has this address."))
    return partner


def too_large() -> TooLarge:
    limit = settings.FANKUI_PARTNER_MAX_BODY_BYTES
    return TooLarge(_("The request is larger than a partner may send (%(kb)d KB at most).") % {"kb": limit // 1024})


def check_size(length: int) -> None:
    if length > settings.FANKUI_PARTNER_MAX_BODY_BYTES:
        raise too_large()


def verify(partner: Partner, timestamp: str, signature: str, body: bytes, now: datetime | None = None) -> Signed:
    """Check a request's signature and timestamp (docs/partners.md, "Signing"). Nothing is written: a signature is
    remembered only once the request was acted on (``submit``)."""
    now = now or timezone.now()
    digest = signing.parse_signature(signature)
    if digest is None:
        raise BadSignature(
            _("Sign the request: header %(header)s: sha256=<hex HMAC-SHA256 of “timestamp.body”>.")
            % {"header": signing.SIGNATURE_HEADER}
        )
    moment = signing.parse_timestamp(timestamp)
    window = settings.FANKUI_PARTNER_REPLAY_SECONDS
    if moment is None or abs(now.timestamp() - moment) > window:
        raise StaleTimestamp(
            _(
                "The header %(header)s must be the time of sending in Unix seconds, within %(seconds)d seconds of "
                "ours (%(now)d); check the clock of the sending system."
            )
            % {"header": signing.TIMESTAMP_HEADER, "seconds": window, "now": int(now.timestamp())}
        )
    # The timestamp as sent (not as parsed): "0176…" signs differently from "176…".
    if not signing.made_by(secrets_of(partner, now), timestamp.strip(), body, digest):
        raise BadSignature(
            _("The signature does not match: sign “%(header)s.body” (the exact bytes sent) with your secret.")
            % {"header": signing.TIMESTAMP_HEADER}
        )
    return Signed(partner, digest, moment)


def count_request(partner: Partner) -> None:
    """The partner's own rate limit (429 with Retry-After when over it)."""
    try:
        rule = parse_rate(partner.rate)
    except ValueError:  # written past the admin's check (the shell): the site's limit stands in
        rule = parse_rate("")
    wait = throttle.count("partner", f"partner:{partner.slug}", rule)
    if wait:
        raise throttle.Throttled(wait)


def idempotency_key(partner: Partner, reference: str) -> str:
    return f"partner:{partner.slug}:{reference}"


def submit(signed: Signed, data: SubmissionInput, reference: str) -> tuple[Case, bool]:
    """Open the case of a partner's request (or return the one its ``reference`` opened before: ``created`` False),
    through the one door of every channel. The signature is remembered in the same transaction, so the same signed
    bytes sent again within the window are refused (409 ``replayed``), while a request refused for its content
    leaves nothing behind."""
    partner = signed.partner
    reference = reference.strip()
    if not reference or len(reference) > MAX_REFERENCE:
        raise ValidationFailed(
            {"reference": [_("Give your own id of this request (1 to %(n)d characters).") % {"n": MAX_REFERENCE}]}
        )
    data.channel = Channel.PARTNER
    data.idempotency_key = idempotency_key(partner, reference)
    data.external_id = reference
    expires = datetime.fromtimestamp(signed.timestamp, tz=timezone.get_current_timezone()) + timedelta(
        seconds=settings.FANKUI_PARTNER_REPLAY_SECONDS
    )
    with transaction.atomic():
        try:
            with transaction.atomic():
                SeenSignature.objects.create(partner=partner, signature=signed.digest, expires_at=expires)
        except IntegrityError:
            raise Replayed(
                _("This signed request was received already. Sign every attempt anew with the current time.")
            ) from None
        case, created = receive(data)
        if created:
            PartnerCase.objects.create(partner=partner, case=case, reference=reference, created_at=timezone.now())
        elif not PartnerCase.objects.filter(partner=partner, reference=reference, case=case).exists():
            # The key was taken by a submission that did not come from this partner.
            raise Conflict(_("This reference cannot be used; send the request with another one."), field="reference")
    return case, created


def forget_seen_signatures(now: datetime | None = None) -> int:
    """Signatures whose timestamp left the window: a replay of them is refused for its timestamp now."""
    deleted, _by_model = SeenSignature.objects.filter(expires_at__lt=now or timezone.now()).delete()
    return deleted


# --- Callbacks ----------------------------------------------------------------------------------------------------
def on_case_moved(sender: Any, case: Case, action: str, source: str, target: str, **kwargs: Any) -> None:
    """Queue a callback to each partner whose case took this public step, or follows the case that did."""
    transition = find(source, action)
    if transition is None or not transition.public:
        return
    queue_callbacks(case, action)


def on_info_requested(sender: Any, case: Case, request: InfoRequest, **kwargs: Any) -> None:
    """Staff asked the submitter for more information: the partner passes the question on (the submitter answers
    on the tracking page)."""
    queue_callbacks(case, "info_requested", step=f"info:{request.pk}", extra={"question": request.question})


def on_extension_approved(sender: Any, case: Case, extension: Extension, **kwargs: Any) -> None:
    if extension.new_deadline is not None:
        expected = timezone.localtime(extension.new_deadline).isoformat()
        queue_callbacks(case, "extension", step=f"extension:{extension.pk}", extra={"expected_by": expected})


def queue_callbacks(case: Case, action: str, *, step: str = "", extra: dict[str, Any] | None = None) -> int:
    """One ``PartnerDelivery`` per partner case concerned, in the caller's transaction (a change that rolls back
    queues nothing). A move of the workflow also concerns the cases merged into ``case``; another step (``step``
    names it: an information request, an extension) only ``case`` itself, as the portal tells only its submitter.
    Cases that are not partners' cost two indexed queries (one for an information request or an extension)."""
    ids = [case.pk]
    if not step:
        # Two indexed reads, not one OR across a join, which would scan every partner case on PostgreSQL.
        ids += Case.objects.filter(merged_into=case).values_list("pk", flat=True)
    links = list(
        PartnerCase.objects.filter(case_id__in=ids)
        .filter(partner__active=True)
        .exclude(partner__callback_url="")
        .select_related("partner", "case__submission")
    )
    if not links:
        return 0
    event = case.events.filter(action=action).order_by("-created_at", "-id").first() if not step else None
    if event is not None:
        # A staff's words (a rejection's reason) are kept beside the append-only event, read with it.
        event = labels.with_words([event])[0]
    now = timezone.now()
    step = step or str(event.pk if event is not None else int(now.timestamp()))
    rows = []
    for link in _concerned(links, case, action):
        delivery_id = uuid.uuid4()
        rows.append(
            PartnerDelivery(
                partner=link.partner,
                case_id=link.case_id,
                key=f"{link.case_id}:{action}:{step}",
                delivery_id=delivery_id,
                event=action,
                payload=callbacks.body(link, case, action, event, delivery_id, extra),
                created_at=now,
                next_attempt_at=now,
            )
        )
    PartnerDelivery.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def _concerned(links: Iterable[PartnerCase], case: Case, action: str) -> Iterable[PartnerCase]:
    for link in links:
        if link.case_id == case.pk:
            link.case = case  # the moved row itself, with its new state
            yield link
        elif action != Action.MERGE:
            # Followers hear of the case they follow, not of another case merged into it.
            yield link


def retry_now(deliveries: Iterable[PartnerDelivery]) -> int:
    """An administrator asks for failed or waiting callbacks to be tried again at once (with their attempts
    counted afresh). Only those whose body is still there: a sent one was emptied."""
    ids = [d.pk for d in deliveries if d.status != DeliveryStatus.SENT and d.payload]
    return PartnerDelivery.objects.filter(pk__in=ids, partner__active=True).update(
        status=DeliveryStatus.QUEUED, attempts=0, next_attempt_at=timezone.now(), last_error=""
    )
