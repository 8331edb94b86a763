"""The case page's analysis panel: the masked personal data in words, the models' versions only behind a toggle for
the people who train the models."""

from __future__ import annotations

from collections.abc import Callable

from django.test import Client

from fankui.accounts.models import User
from fankui.analysis import tasks
from tests import factories


def _panel(client: Client, pk: int) -> str:
    page = client.get(f"/staff/cases/{pk}/").content.decode()
    start = page.index('class="card analysis-panel"')
    return page[start : page.index("</section>", start)]


def test_masked_personal_data_is_named_in_words(dispatcher: User, page_for: Callable[[User], Client]) -> None:
    case = factories.case("我的手机号是13912345678，身份证号110101199003071233，小区门口路灯坏了请修理。")
    tasks.analyse_pending()
    panel = _panel(page_for(dispatcher), case.pk)
    assert "mobile number ×1" in panel and "ID card number ×1" in panel
    assert "mobile ×" not in panel and "id_number" not in panel


def test_model_versions_are_behind_a_toggle_for_analysts_only(
    dispatcher: User, analyst: User, page_for: Callable[[User], Client]
) -> None:
    case = factories.case("小区门口的路灯坏了一个月，晚上很黑，请尽快修理。")
    tasks.analyse_pending()
    for_dispatcher = _panel(page_for(dispatcher), case.pk)
    assert "masking-" not in for_dispatcher and "Technical details" not in for_dispatcher
    for_analyst = _panel(page_for(analyst), case.pk)
    toggle = for_analyst[for_analyst.index('<details class="technical">') :]
    assert "Technical details" in toggle and "masking-" in toggle and "Sentiment score" in toggle
    assert "masking-" not in for_analyst[: for_analyst.index('<details class="technical">')]
