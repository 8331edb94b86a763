from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from fankui.cases.models import Case, Supplement
from fankui.core.management.commands.worker import sweeps
from fankui.mail import services
from fankui.mail.models import InboundMail
from fankui.privacy.services import anonymise

from .conftest import message

pytestmark = pytest.mark.django_db


@pytest.fixture
def case_with_follow_up() -> Case:
    first = services.handle(message(message_id="<erase-1@example.cn>"))
    services.handle(message("我叫张三，电话13812345678，灯还没修。", headers={"In-Reply-To": "<erase-1@example.cn>"}))
    assert first.case is not None
    return first.case


def test_staff_read_the_follow_up_on_the_case_page(case_with_follow_up: Case, dispatcher: Any, client_for: Any) -> None:
    client = client_for(dispatcher)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"

    page = client.get(reverse("staff:case", args=[case_with_follow_up.pk])).content.decode()

    assert "The submitter wrote again" in page and "E-mail" in page
    assert "灯还没修" in page


def test_erasure_masks_the_follow_up_and_forgets_the_message_ids(case_with_follow_up: Case) -> None:
    anonymise(case_with_follow_up, by="citizen")

    text = Supplement.objects.get().text
    assert "13812345678" not in text and "灯还没修" in text
    assert set(InboundMail.objects.values_list("message_id", flat=True)) == {""}
    # A message seen before is still known by its key: fetched again, it opens nothing.
    services.handle(message(message_id="<erase-1@example.cn>"))
    assert Case.objects.count() == 1


def test_the_worker_polls_only_when_a_mailbox_is_configured(settings: Any) -> None:
    settings.FANKUI_IMAP_URL = ""
    assert dict(sweeps())["mail_poll_mailbox"]() == 0


def test_the_admin_lists_what_was_set_aside(admin_client: Any) -> None:
    services.set_aside("big@example.cn", "too big: 50 MB, at most 25 MB", size=50 * 2**20)

    page = admin_client.get(reverse("admin:mail_inboundmail_changelist") + "?status__exact=failed")

    assert page.status_code == 200 and "too big: 50 MB" in page.content.decode()


def test_the_dossier_lists_the_later_emails(case_with_follow_up: Case) -> None:
    from fankui.privacy.dossier import as_pdf, held

    data = held(case_with_follow_up)

    assert [item["text"] for item in data["later"]] == ["我叫张三，电话13812345678，灯还没修。"]
    assert as_pdf(data).startswith(b"%PDF")
