"""Issue 15, "Out": a partner's case is reported back to the partner on every public step (accepted, dispatched,
replied with the reply's text, closed, reopened, rejected with its reason, merged), with what the submitter's
tracking page shows and nothing more: never a staff note, a staff name, the case number or a rating's comment."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.utils import timezone

from fankui.accounts.models import Department, User
from fankui.cases.models import Case
from fankui.cases.services import moves
from fankui.partners import services
from fankui.partners.models import PartnerDelivery
from fankui.surveys.services import rate
from tests import factories

from .conftest import Made

STAFF_NOTE = "内部备注：请勿外传"


@pytest.fixture
def policies(db: None) -> int:
    """The default deadlines, before the case arrives (its clocks start at intake)."""
    from fankui.sla.defaults import ensure_defaults

    return ensure_defaults()


@pytest.fixture
def partner_case(made: Made, post: Any) -> Case:
    services.change_partner(made.partner, name=made.partner.name, callback_url="https://partner.example/cb", rate="")
    return Case.objects.get(tracking_code=post().json()["tracking_code"])


def _bodies(case: Case | None = None) -> list[dict[str, Any]]:
    rows = PartnerDelivery.objects.order_by("id")
    if case is not None:
        rows = rows.filter(case=case)
    return [row.payload for row in rows]


@pytest.mark.django_db
def test_every_public_step_is_reported_and_staff_notes_never(
    partner_case: Case, dispatcher: User, dept: Department, handler: User
) -> None:
    moves.accept(partner_case, dispatcher, note=STAFF_NOTE)
    moves.dispatch(partner_case, dispatcher, dept, note=STAFF_NOTE)
    moves.start(partner_case, handler)
    moves.reply(partner_case, handler, "已安排维修，三日内修复。")
    rate(partner_case, 5, "处理得很快，谢谢王师傅 13900001111")
    bodies = _bodies()
    assert [b["event"] for b in bodies] == ["accept", "dispatch", "start", "reply", "rate_satisfied"]
    assert [b["state"] for b in bodies] == ["accepted", "dispatched", "in_progress", "replied", "closed"]
    reply = bodies[3]["reply"]
    assert reply["body"] == "已安排维修，三日内修复。"
    assert reply["department"] == dept.name
    for body in bodies:
        assert body["reference"] == "WX-0001"
        assert body["partner"] == "wechat-mp"
        assert body["tracking_code"] == partner_case.tracking_code
        text = json.dumps(body, ensure_ascii=False)
        for secret in (STAFF_NOTE, partner_case.number, dispatcher.username, handler.username, "13900001111"):
            assert secret not in text
        assert "13800138000" not in text and "张先生" not in text  # nothing of the contact, which the partner knows
    assert len({b["id"] for b in bodies}) == 5


@pytest.mark.django_db
def test_a_rejection_carries_its_reason(partner_case: Case, dispatcher: User) -> None:
    moves.reject(partner_case, dispatcher, "不属于本热线受理范围，请向法院起诉。")
    (body,) = _bodies()
    assert (body["event"], body["state"]) == ("reject", "rejected")
    assert body["reason"] == "不属于本热线受理范围，请向法院起诉。"
    assert body["event_label"] == "Not accepted"  # in the language the request came in


@pytest.mark.django_db
def test_a_reopening_and_a_supervisors_close_are_reported(
    partner_case: Case, dispatcher: User, dept: Department, handler: User, supervisor: User
) -> None:
    moves.accept(partner_case, dispatcher)
    moves.dispatch(partner_case, dispatcher, dept)
    moves.start(partner_case, handler)
    moves.reply(partner_case, handler, "已修复。")
    moves.reopen(partner_case, supervisor, STAFF_NOTE)
    moves.reply(partner_case, handler, "已再次修复。")
    moves.close(partner_case, supervisor, STAFF_NOTE)
    bodies = _bodies()
    assert [b["event"] for b in bodies][-4:] == ["reply", "reopen", "reply", "close"]
    assert bodies[-2]["reply"]["body"] == "已再次修复。"
    assert bodies[-3]["reason"] == "" and bodies[-1]["reason"] == ""


@pytest.mark.django_db
def test_steps_the_submitter_does_not_see_are_not_reported(
    partner_case: Case, dispatcher: User, dept: Department, handler: User, supervisor: User
) -> None:
    moves.accept(partner_case, dispatcher)
    moves.dispatch(partner_case, dispatcher, dept)
    moves.return_case(partner_case, handler, STAFF_NOTE)
    moves.mark_spam(partner_case, supervisor, "spam", STAFF_NOTE)
    assert [b["event"] for b in _bodies()] == ["accept", "dispatch"]


@pytest.mark.django_db
def test_a_merged_partner_case_hears_of_the_case_it_follows_without_its_reply(
    partner_case: Case, dispatcher: User, dept: Department, handler: User
) -> None:
    primary = factories.case("小区门口路灯坏了，晚上很黑，请尽快派人修理。")
    moves.merge(partner_case, dispatcher, primary)
    moves.accept(primary, dispatcher)
    moves.dispatch(primary, dispatcher, dept)
    moves.start(primary, handler)
    moves.reply(primary, handler, "已修复，给王女士回电 13700001111。")
    bodies = _bodies(partner_case)
    assert [b["event"] for b in bodies] == ["merge", "accept", "dispatch", "start", "reply"]
    assert all(b["merged"] and b["tracking_code"] == partner_case.tracking_code for b in bodies)
    assert bodies[-1]["state"] == "replied"
    assert bodies[-1]["reply"] is None  # written to another person
    assert "13700001111" not in json.dumps(bodies, ensure_ascii=False)


@pytest.mark.django_db
def test_cases_of_other_channels_and_partners_without_a_callback_queue_nothing(
    made: Made, post: Any, dispatcher: User
) -> None:
    moves.accept(factories.case(), dispatcher)
    moves.accept(Case.objects.get(tracking_code=post().json()["tracking_code"]), dispatcher)  # no callback URL
    assert not PartnerDelivery.objects.exists()


@pytest.mark.django_db
def test_a_move_that_rolls_back_queues_nothing(partner_case: Case, dispatcher: User) -> None:
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        moves.accept(partner_case, dispatcher)
        raise RuntimeError("the rest of the change failed")
    assert not PartnerDelivery.objects.exists()


@pytest.mark.django_db
def test_the_callback_is_in_the_submitters_language(made: Made, post: Any, dispatcher: User) -> None:
    from .conftest import REQUEST

    services.change_partner(made.partner, name=made.partner.name, callback_url="https://partner.example/cb", rate="")
    case = Case.objects.get(tracking_code=post({**REQUEST, "language": "zh-hans"}).json()["tracking_code"])
    moves.accept(case, dispatcher)
    (body,) = _bodies()
    assert body["state_label"] == "已受理"


@pytest.mark.django_db
def test_a_question_to_the_submitter_and_more_time_are_reported(
    policies: int, partner_case: Case, dispatcher: User, dept: Department, handler: User, supervisor: User
) -> None:
    from fankui.sla.services import extensions, waiting

    moves.accept(partner_case, dispatcher)
    moves.dispatch(partner_case, dispatcher, dept)
    moves.start(partner_case, handler)
    waiting.request_information(partner_case, handler, "请提供具体门牌号。")
    waiting.resume(partner_case, None, "人民路88号3栋")
    extension = extensions.request_extension(partner_case, handler, 5, "需要协调供电公司。")
    extensions.decide_extension(extension.pk, supervisor, approve=True, note=STAFF_NOTE)
    bodies = _bodies()
    assert [b["event"] for b in bodies] == ["accept", "dispatch", "start", "info_requested", "extension"]
    asked, more_time = bodies[3], bodies[4]
    assert asked["question"] == "请提供具体门牌号。"
    assert asked["event_label"] == "We asked you for more information"
    assert asked["tracking_url"].endswith(f"/track/{partner_case.tracking_code}/")
    extension.refresh_from_db()
    assert extension.new_deadline is not None
    assert more_time["expected_by"] == timezone.localtime(extension.new_deadline).isoformat()
    assert STAFF_NOTE not in json.dumps(bodies, ensure_ascii=False)
    assert "需要协调供电公司" not in json.dumps(bodies, ensure_ascii=False)  # the department's reason is theirs


@pytest.mark.django_db
def test_a_move_of_a_case_that_is_no_partners_costs_two_indexed_reads(dispatcher: User) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    case = factories.case()
    with CaptureQueriesContext(connection) as queries:
        assert services.queue_callbacks(case, "accept") == 0
    assert len(queries.captured_queries) == 2
