"""The call page of 回访 shows the case's ratings with their comments: the citizen's words, read by the case's rules
(``cases.queries.CitizenWords``) like the case page reads them. A comment holding personal data, shown as written to
the centre, is a look at personal data and is recorded (``text``) once per page; before, it was shown unrecorded."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from fankui.accounts.models import Department, User
from fankui.audit.models import Access
from fankui.cases.services import moves
from fankui.surveys.services import rate
from tests import factories

pytestmark = pytest.mark.django_db

OTHER_PHONE = "13612345678"


def test_a_comment_with_personal_data_is_a_recorded_look(
    dispatcher: User, handler: User, dept: Department, client_for: Callable[..., Client]
) -> None:
    case = factories.case("路灯坏了，请修理。", contact_phone="13912345678", contact_name="张先生")
    moves.accept(case, dispatcher)
    moves.dispatch(case, dispatcher, dept)
    moves.start(case, handler)
    moves.reply(case, handler, "已安排维修。")
    rate(case, 1, f"没修好，请打我妻子电话{OTHER_PHONE}")

    page = client_for(dispatcher).get(f"/staff/surveys/calls/{case.pk}/").content.decode()

    assert OTHER_PHONE in page  # the centre reads the citizen's words as written
    assert list(Access.objects.filter(case=case).order_by("what").values_list("what", flat=True)) == [
        "contact",
        "text",
    ]
