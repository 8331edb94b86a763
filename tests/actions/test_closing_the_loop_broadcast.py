from __future__ import annotations

from typing import Any

from fankui.accounts.models import Department, User
from fankui.actions import broadcast
from fankui.actions.models import Broadcast
from fankui.actions.services import linking, moves
from fankui.actions.workflow import Step
from fankui.notify import services as notify
from fankui.notify.models import Channel, Message, Status
from tests import factories

from .conftest import make_action


def _approved(analyst: User, owner: User, dept: Department, cases: list[Any]) -> Any:
    action = make_action(analyst, owner, dept, case_ids=[c.pk for c in cases])
    moves.transition(action, analyst, Step.APPROVE)
    return action


def test_approval_tells_each_person_once_however_many_cases_they_have(
    analyst: User, owner: User, dept: Department
) -> None:
    cases = [
        factories.case(contact_phone="13800138000", title="路灯坏了"),
        factories.case(contact_phone="13800138000"),
        factories.case(contact_email="li@example.com"),
        factories.case(anonymous=True, contact_phone="13900139000"),
        factories.case(),
    ]
    _approved(analyst, owner, dept, cases)
    assert broadcast.run_pending() == 2
    assert broadcast.run_pending() == 0
    citizen = Message.objects.filter(user__isnull=True)
    assert sorted(citizen.values_list("channel", flat=True)) == [Channel.EMAIL, Channel.SMS]
    sms = citizen.get(channel=Channel.SMS)
    assert "路灯坏了" in sms.body
    assert f"/track/{cases[0].tracking_code}/" in sms.body
    assert "/notify/optout/" in sms.body
    record = Broadcast.objects.get()
    assert (record.queued, record.skipped, record.finished_at is not None) == (
        2,
        2,
        True,
    )  # the second case of the same phone is neither queued nor skipped


def test_done_sends_a_second_message_with_what_was_done(analyst: User, owner: User, dept: Department) -> None:
    action = _approved(analyst, owner, dept, [factories.case(contact_email="li@example.com")])
    moves.transition(action, owner, Step.START)
    moves.post_progress(action, owner, "路灯已全部更换，恢复照明。")
    moves.transition(action, owner, Step.COMPLETE)
    broadcast.run_pending()
    done = Message.objects.get(key=f"action:{action.pk}:done")
    assert "路灯已全部更换" in done.body
    assert Message.objects.to("li@example.com").count() == 2


def test_the_broadcast_resumes_where_it_stopped(analyst: User, owner: User, dept: Department) -> None:
    cases = [factories.case(contact_phone=f"1380013800{i}") for i in range(5)]
    _approved(analyst, owner, dept, cases)
    record = Broadcast.objects.get()
    assert broadcast.run(record, batch=2, max_batches=1) == 2
    record.refresh_from_db()
    assert record.finished_at is None
    assert broadcast.run_pending() == 3
    assert Message.objects.count() == 5


def test_opted_out_people_are_skipped_and_bounced_ones_are_reported(
    analyst: User, owner: User, dept: Department
) -> None:
    notify.opt_out(notify.Address(Channel.EMAIL, "quiet@example.com"))
    notify.mark_bounced(Channel.EMAIL, "gone@example.com", "550")
    cases = [factories.case(contact_email="quiet@example.com"), factories.case(contact_email="gone@example.com")]
    _approved(analyst, owner, dept, cases)
    broadcast.run_pending()
    assert not Message.objects.to("quiet@example.com").exists()
    assert Message.objects.to("gone@example.com").get().status == Status.FAILED


def test_cases_linked_after_the_broadcast_still_hear_about_it(analyst: User, owner: User, dept: Department) -> None:
    action = _approved(analyst, owner, dept, [factories.case(contact_email="a@example.com")])
    broadcast.run_pending()
    linking.link_cases(action, analyst, refs=[factories.case(contact_email="b@example.com").number])
    assert broadcast.run_pending() == 1
    assert Message.objects.to("b@example.com").count() == 1
