"""Issue 15, "Out": the worker posts each queued callback to the partner's address, signed like the partner's own
requests (verifiable with the partner's secret alone), tries a failing one again after growing pauses with the same
delivery id, gives up after the last, and never posts one twice."""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta
from typing import Any

import pytest

from fankui.accounts.models import Department, User
from fankui.cases.models import Case
from fankui.cases.services import moves
from fankui.notify.delivery import BACKOFF, MAX_ATTEMPTS
from fankui.partners import services, tasks
from fankui.partners.models import DeliveryStatus, PartnerDelivery

from .conftest import CallbackServer, Made


@pytest.fixture
def accepted(made: Made, post: Any, callback_server: CallbackServer, dispatcher: User) -> Case:
    services.change_partner(made.partner, name=made.partner.name, callback_url=callback_server.url, rate="")
    case = Case.objects.get(tracking_code=post().json()["tracking_code"])
    return moves.accept(case, dispatcher)


def _verify(secret: str, headers: dict[str, str], body: bytes) -> bool:
    """How a partner checks us (docs/partners.md), written from the documentation."""
    stamp = headers["X-Fankui-Timestamp"]
    expected = "sha256=" + hmac.new(secret.encode(), stamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, headers["X-Fankui-Signature"])


@pytest.mark.django_db
def test_a_callback_is_posted_signed_with_the_partners_secret(
    made: Made, accepted: Case, callback_server: CallbackServer
) -> None:
    assert tasks.partners_deliver() == 1
    (received,) = callback_server.received
    assert _verify(made.secret, received.headers, received.body)
    assert not _verify("another secret", received.headers, received.body)
    body = received.json()
    assert (body["event"], body["state"], body["reference"]) == ("accept", "accepted", "WX-0001")
    assert received.headers["X-Fankui-Event"] == "accept"
    assert received.headers["X-Fankui-Delivery"] == body["id"]
    assert received.headers["Content-Type"].startswith("application/json")
    delivery = PartnerDelivery.objects.get()
    assert (delivery.status, delivery.response_status, delivery.attempts) == (DeliveryStatus.SENT, 200, 1)
    assert delivery.payload == {}  # the partner has it; nothing of it stays here
    assert tasks.partners_deliver() == 0
    assert len(callback_server.received) == 1


@pytest.mark.django_db
def test_a_failing_callback_is_retried_after_growing_pauses_then_succeeds(
    accepted: Case, callback_server: CallbackServer, _frozen_time: Any
) -> None:
    callback_server.answers = [500, 503]
    assert tasks.partners_deliver() == 1
    delivery = PartnerDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.response_status) == (DeliveryStatus.QUEUED, 1, 500)
    assert tasks.partners_deliver() == 0  # not due yet
    _frozen_time.shift(BACKOFF[0])
    assert tasks.partners_deliver() == 1
    assert PartnerDelivery.objects.get().attempts == 2
    _frozen_time.shift(BACKOFF[0])
    assert tasks.partners_deliver() == 0  # the second pause is longer
    _frozen_time.shift(BACKOFF[1])
    assert tasks.partners_deliver() == 1
    delivery = PartnerDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.SENT, 3)
    ids = {r.headers["X-Fankui-Delivery"] for r in callback_server.received}
    assert len(callback_server.received) == 3 and len(ids) == 1  # the same event each time
    stamps = [int(r.headers["X-Fankui-Timestamp"]) for r in callback_server.received]
    assert stamps == sorted(stamps) and len(set(stamps)) == 3  # signed anew at each attempt


@pytest.mark.django_db
def test_the_partners_retry_after_is_honoured(
    accepted: Case, callback_server: CallbackServer, _frozen_time: Any
) -> None:
    callback_server.answers, callback_server.retry_after = [429], "900"
    tasks.partners_deliver()
    delivery = PartnerDelivery.objects.get()
    assert delivery.next_attempt_at == delivery.created_at + timedelta(seconds=900)


@pytest.mark.django_db
def test_a_callback_that_keeps_failing_is_given_up_and_can_be_sent_again(
    accepted: Case, callback_server: CallbackServer, _frozen_time: Any
) -> None:
    callback_server.answers = [500] * MAX_ATTEMPTS
    for pause in (timedelta(0), *BACKOFF):
        _frozen_time.shift(pause)
        assert tasks.partners_deliver() == 1
    delivery = PartnerDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_error) == (
        DeliveryStatus.FAILED,
        MAX_ATTEMPTS,
        "HTTP 500",
    )
    _frozen_time.shift(timedelta(days=1))
    assert tasks.partners_deliver() == 0
    assert services.retry_now(PartnerDelivery.objects.all()) == 1
    assert tasks.partners_deliver() == 1
    assert PartnerDelivery.objects.get().status == DeliveryStatus.SENT
    assert len(callback_server.received) == MAX_ATTEMPTS + 1


@pytest.mark.django_db
def test_an_unreachable_partner_is_retried(made: Made, post: Any, dispatcher: User) -> None:
    # A port nobody listens on: the connection is refused at once.
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    services.change_partner(made.partner, name="x", callback_url=f"http://127.0.0.1:{port}/cb", rate="")
    moves.accept(Case.objects.get(tracking_code=post().json()["tracking_code"]), dispatcher)
    assert tasks.partners_deliver() == 1
    delivery = PartnerDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.QUEUED, 1)
    assert delivery.last_error


@pytest.mark.django_db
def test_a_redirect_is_not_followed(accepted: Case, callback_server: CallbackServer) -> None:
    callback_server.answers = [302]
    tasks.partners_deliver()
    delivery = PartnerDelivery.objects.get()
    assert (delivery.status, delivery.response_status) == (DeliveryStatus.QUEUED, 302)
    assert len(callback_server.received) == 1


@pytest.mark.django_db
def test_a_claimed_callback_is_not_posted_by_a_second_worker(accepted: Case, callback_server: CallbackServer) -> None:
    from django.utils import timezone

    from fankui.partners import delivery

    claimed = delivery._claim(10, timezone.now())
    assert len(claimed) == 1
    assert delivery._claim(10, timezone.now()) == []  # leased to the first worker


@pytest.mark.django_db
def test_a_revoked_partner_is_sent_nothing_more(
    made: Made, accepted: Case, callback_server: CallbackServer, dept: Department, dispatcher: User
) -> None:
    services.revoke(made.partner)
    moves.dispatch(accepted, dispatcher, dept)
    assert tasks.partners_deliver() == 0
    assert callback_server.received == []
    assert PartnerDelivery.objects.get().status == DeliveryStatus.FAILED


@pytest.mark.django_db
def test_a_ping_checks_the_partners_address_and_signature(made: Made, callback_server: CallbackServer) -> None:
    import io

    from django.core.management import call_command

    services.change_partner(made.partner, name=made.partner.name, callback_url=callback_server.url, rate="")
    out = io.StringIO()
    call_command("partners", "ping", "wechat-mp", stdout=out)
    assert out.getvalue().strip().endswith(": HTTP 200")
    (received,) = callback_server.received
    assert _verify(made.secret, received.headers, received.body)
    assert received.json()["event"] == "ping" and received.headers["X-Fankui-Event"] == "ping"
    callback_server.answers = [404]
    call_command("partners", "ping", "wechat-mp", stdout=out)
    assert out.getvalue().strip().endswith(": HTTP 404")
    assert not PartnerDelivery.objects.exists()  # nothing stored, nothing retried
