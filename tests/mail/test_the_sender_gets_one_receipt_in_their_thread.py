from __future__ import annotations

from typing import Any

import pytest
from django.core import mail as outbox

from fankui.analysis.tasks import analyse_pending
from fankui.mail import services
from fankui.notify.delivery import deliver_due
from fankui.notify.models import Message

from .conftest import message

pytestmark = pytest.mark.django_db


def test_the_sender_gets_one_receipt_with_the_tracking_code_in_their_thread(settings: Any) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    raw = message(message_id="<receipt-1@mail.example.cn>")
    case = services.handle(raw).case
    assert case is not None
    analyse_pending()
    services.handle(raw)  # fetched again (a crash before the move): nothing new
    analyse_pending()

    deliver_due()

    receipts = Message.objects.to("zhangsan@example.cn").filter(key=f"case:{case.pk}:receipt")
    assert receipts.count() == 1
    assert len(outbox.outbox) == 1
    sent = outbox.outbox[0].message()
    assert case.display_code in outbox.outbox[0].subject
    assert sent["In-Reply-To"] == "<receipt-1@mail.example.cn>"
    assert sent["Auto-Submitted"] == "auto-replied"
