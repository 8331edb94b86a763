"""A 50 MB message is set aside unread, a message that cannot be handled is set aside with its reason, and the
messages behind them become cases in the same poll."""

from __future__ import annotations

from typing import Any

import pytest

from fankui.cases.models import Case
from fankui.mail import imap, services
from fankui.mail.models import InboundMail, Status

from .conftest import Box, message

pytestmark = pytest.mark.django_db


def test_a_50_mb_message_is_set_aside_and_the_next_one_is_handled(box: Box, settings: Any) -> None:
    huge = message("附件很大", message_id="<huge@example.cn>") + b"X" * (50 * 1024 * 1024)
    box.deliver(huge)
    box.deliver(message(message_id="<after-huge@example.cn>"))

    assert imap.poll() == 2

    assert Case.objects.count() == 1
    aside = InboundMail.objects.get(key=services.key_of("huge@example.cn"))
    assert aside.status == Status.FAILED and aside.reason.startswith("too big: 50 MB")
    assert box.count(settings.FANKUI_MAIL_FAILED_FOLDER) == 1
    assert box.count(settings.FANKUI_MAIL_PROCESSED_FOLDER) == 1
    assert box.count("INBOX") == 0


def test_a_message_that_breaks_the_handling_is_set_aside_with_its_reason(
    box: Box, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    box.deliver(b"\x00\xff\xfe garbage that is no e-mail at all \x81\x82\r\n\r\n\xff")
    box.deliver(message("第二封", message_id="<poison@example.cn>"))
    box.deliver(message("第三封", message_id="<third@example.cn>"))
    handle = services.handle

    def poisoned(raw: bytes, **kwargs: Any) -> InboundMail:
        if b"poison@" in raw:  # stands for a bug or a message no code foresaw
            raise RuntimeError("cannot cope")
        return handle(raw, **kwargs)

    monkeypatch.setattr(services, "handle", poisoned)

    assert imap.poll() == 3

    assert [case.submission.body for case in Case.objects.select_related("submission")] == ["第三封"]
    poison = InboundMail.objects.get(key=services.key_of("poison@example.cn"))
    assert (poison.status, poison.reason) == (Status.FAILED, "RuntimeError: cannot cope")
    garbage = InboundMail.objects.exclude(pk=poison.pk).get(status=Status.FAILED)
    assert garbage.reason.startswith("broken: no From header")
    assert box.count(settings.FANKUI_MAIL_FAILED_FOLDER) == 2
    assert box.count("INBOX") == 0
    # Polled again, nothing is tried twice.
    box.deliver(message("第二封", message_id="<poison@example.cn>"))
    monkeypatch.setattr(services, "handle", handle)
    assert imap.poll() == 1
    assert Case.objects.count() == 1
