"""Posting queued callbacks to partners (docs/partners.md, "Callbacks"), by the worker's ``partners_deliver``.

Each callback is claimed with a lease, as the outbox claims its messages (``notify.delivery``), so two workers never
post the same one and a worker killed mid-post loses nothing: the lease runs out and another worker tries again. A
callback that fails (no answer, a status other than 2xx) is tried again after the outbox's pauses; after the last it
is failed for good and an administrator can send it again from the admin. One failing callback never holds up the
others. Redirects are not followed: a partner's address is what the administrator entered.
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
import uuid
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from fankui.notify.delivery import BACKOFF, MAX_ATTEMPTS, TIMEOUT_SECONDS, lease

from . import signing
from .models import DeliveryStatus, Partner, PartnerDelivery

log = logging.getLogger("fankui.partners")

USER_AGENT = "Fankui-Webhook/1"
# A partner's Retry-After is honoured up to the outbox's longest pause.
MAX_RETRY_AFTER = BACKOFF[-1]
# Finished callbacks are kept this long for the admin, then removed.
KEEP = timedelta(days=30)


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # urllib then raises HTTPError with the 3xx status


_opener = urllib.request.build_opener(_NoRedirects)


class Failed(Exception):
    def __init__(self, reason: str, status: int | None = None, retry_after: timedelta | None = None) -> None:
        super().__init__(reason)
        self.status = status
        self.retry_after = retry_after


def encode(payload: dict[str, Any]) -> bytes:
    """The bytes posted and signed: compact UTF-8 JSON."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


def _retry_after(value: str | None) -> timedelta | None:
    if value and value.strip().isdigit():
        return min(timedelta(seconds=int(value.strip())), MAX_RETRY_AFTER)
    return None


def post(delivery: PartnerDelivery) -> int:
    """Post one callback, signed with the partner's current secret; its HTTP status, or ``Failed``."""
    return _post(delivery.partner, delivery.payload, str(delivery.delivery_id), delivery.event)


def _post(partner: Partner, payload: dict[str, Any], delivery_id: str, event: str) -> int:
    data = encode(payload)
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": USER_AGENT,
        signing.DELIVERY_HEADER: delivery_id,
        signing.EVENT_HEADER: event,
        **signing.headers(partner.secret, data),
    }
    request = urllib.request.Request(partner.callback_url, data=data, method="POST", headers=headers)
    try:
        with _opener.open(request, timeout=TIMEOUT_SECONDS) as response:
            response.read(1024)
            return int(response.status)
    except urllib.error.HTTPError as error:
        raise Failed(f"HTTP {error.code}", error.code, _retry_after(error.headers.get("Retry-After"))) from error
    except (urllib.error.URLError, OSError, ValueError) as error:
        raise Failed(str(error)[:300] or type(error).__name__) from error


def ping(partner: Partner) -> str:
    """Post a signed ``ping`` to the partner's callback address now, to check it is reachable and verifies our
    signature (when a partner is added, or its address or secret changed); what happened, in a few words. Nothing
    is stored or retried."""
    if not partner.callback_url:
        return "no callback URL"
    delivery_id = str(uuid.uuid4())
    payload = {
        "id": delivery_id,
        "event": "ping",
        "occurred_at": timezone.localtime().isoformat(),
        "partner": partner.slug,
    }
    try:
        return f"HTTP {_post(partner, payload, delivery_id, 'ping')}"
    except Failed as error:
        return str(error)


def _claim(limit: int, now: datetime) -> list[PartnerDelivery]:
    due = list(
        PartnerDelivery.objects.filter(status=DeliveryStatus.QUEUED, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "id")
        .values_list("pk", "next_attempt_at")[:limit]
    )
    claimed = []
    for pk, when in due:
        if PartnerDelivery.objects.filter(pk=pk, status=DeliveryStatus.QUEUED, next_attempt_at=when).update(
            next_attempt_at=now + lease()
        ):
            claimed.append(pk)
        # Nothing updated: another worker got there first.
    return list(PartnerDelivery.objects.filter(pk__in=claimed).select_related("partner").order_by("id"))


def deliver(delivery: PartnerDelivery) -> str:
    """Try one claimed callback; returns its new status."""
    now = timezone.now()
    if not delivery.partner.active or not delivery.partner.callback_url:
        delivery.status, delivery.next_attempt_at, delivery.payload = DeliveryStatus.FAILED, None, {}
        delivery.last_error = "partner revoked" if not delivery.partner.active else "no callback URL"
    else:
        delivery.attempts += 1
        try:
            delivery.response_status = post(delivery)
        except Failed as error:
            delivery.response_status = error.status
            delivery.last_error = str(error)[:500]
            if delivery.attempts >= MAX_ATTEMPTS:
                delivery.status, delivery.next_attempt_at = DeliveryStatus.FAILED, None
            else:
                pause = BACKOFF[delivery.attempts - 1]
                delivery.next_attempt_at = now + max(pause, error.retry_after or pause)
            log.warning(
                "callback %s to %s, attempt %d failed: %s",
                delivery.pk,
                delivery.partner.slug,
                delivery.attempts,
                delivery.last_error,
            )
        else:
            delivery.status, delivery.sent_at, delivery.next_attempt_at = DeliveryStatus.SENT, now, None
            delivery.last_error, delivery.payload = "", {}
    delivery.save(
        update_fields=["status", "attempts", "next_attempt_at", "last_error", "response_status", "sent_at", "payload"]
    )
    return delivery.status


def deliver_due(limit: int = 200) -> int:
    """Post what is due; returns how many callbacks were tried."""
    handled = 0
    for delivery in _claim(limit, timezone.now()):
        try:
            deliver(delivery)
        except Exception:  # one broken callback must not keep the others waiting; its lease runs out, it is retried
            log.exception("callback %s could not be delivered", delivery.pk)
        handled += 1
    return handled


def forget_finished(now: datetime | None = None) -> int:
    """Remove callbacks sent or failed longer than ``KEEP`` ago (a failed one still holds its body)."""
    before = (now or timezone.now()) - KEEP
    deleted, _by_model = (
        PartnerDelivery.objects.exclude(status=DeliveryStatus.QUEUED).filter(created_at__lt=before).delete()
    )
    return deleted
