"""Staff hear about a case that comes their way: dispatched (lead or assisting), returned, reopened."""

from __future__ import annotations

import pytest
from django.utils import translation

from fankui.accounts.models import Department, Role, User
from fankui.cases.services import moves
from fankui.cases.workflow import Action
from fankui.notify import services as notify
from fankui.notify.models import Channel, Message
from fankui.surveys.services import rate
from tests import factories


def _inbox(user: User) -> list[Message]:
    return list(Message.objects.filter(user=user, channel=Channel.IN_APP).order_by("id"))


def test_a_dispatch_tells_the_lead_department_and_the_assisting_one_as_assisting(
    dispatcher: User, handler: User, dept: Department, other_dept: Department
) -> None:
    head = factories.user(Role.DEPT_HEAD, dept, language="en")
    helper = factories.user(Role.HANDLER, other_dept, language="en")
    stranger = factories.user(Role.HANDLER, factories.department())
    handler.language = "en"
    handler.save()
    case = factories.case()
    moves.accept(case, dispatcher)
    moves.dispatch(case, dispatcher, dept, [other_dept], note="请三日内处理")

    for user in (handler, head):
        [notice] = _inbox(user)
        assert notice.subject == f"Case {case.number} was dispatched to your department"
        assert notice.case_id == case.pk
        assert "请三日内处理" in notice.body and f"/staff/cases/{case.pk}/" in notice.body
    [assisting] = _inbox(helper)
    assert assisting.subject == f"Case {case.number}: your department is asked to assist"
    assert "asked to assist" in assisting.body
    assert _inbox(stranger) == [] and _inbox(dispatcher) == []


def test_a_redispatch_tells_the_new_department(dispatcher: User, handler: User, dept: Department) -> None:
    other = factories.department()
    newcomer = factories.user(Role.HANDLER, other, language="en")
    case = factories.case_in("returned", dispatcher=dispatcher, lead=dept, handler=handler)
    moves.dispatch(case, dispatcher, other, action=Action.REDISPATCH)
    [notice] = _inbox(newcomer)
    assert notice.subject == f"Case {case.number} was redispatched to your department"


def test_notices_are_written_in_each_recipients_language(
    dispatcher: User, dept: Department, monkeypatch: pytest.MonkeyPatch
) -> None:
    english = factories.user(Role.HANDLER, dept, language="en")
    chinese = factories.user(Role.HANDLER, dept, language="zh-hans")
    unknown = factories.user(Role.HANDLER, dept)  # no choice known: the site's language
    written_in: dict[str, str] = {}
    queue = notify.notify_staff

    def spy(users: list[User], subject: str, body: str, **kwargs: object) -> int:
        for user in users:
            written_in[user.username] = translation.get_language()
        return queue(users, subject, body, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(notify, "notify_staff", spy)
    case = factories.case()
    moves.accept(case, dispatcher)
    moves.dispatch(case, dispatcher, dept)
    assert written_in == {english.username: "en", chinese.username: "zh-hans", unknown.username: "zh-hans"}
    assert _inbox(english)[0].subject == f"Case {case.number} was dispatched to your department"


def test_a_return_tells_the_dispatcher_who_dispatched_it(
    dispatcher: User, handler: User, dept: Department, centre: Department
) -> None:
    colleague = factories.user(Role.DISPATCHER, centre)
    dispatcher.language = "en"
    dispatcher.save()
    case = factories.case_in("returned", dispatcher=dispatcher, lead=dept, handler=handler)
    [notice] = _inbox(dispatcher)
    assert notice.subject == f"Case {case.number} was returned by {dept.name}"
    assert "不属于本部门职责" in notice.body
    assert _inbox(colleague) == []
    assert len(_inbox(handler)) == 1  # the dispatch; nobody is told of the return they made themselves


def test_a_return_of_a_case_the_system_dispatched_tells_every_dispatcher(
    dispatcher: User, handler: User, dept: Department, centre: Department
) -> None:
    colleague = factories.user(Role.DISPATCHER, centre)
    case = moves.auto_dispatch(factories.case(), dept, {"confidence": 0.97})
    assert len(_inbox(handler)) == 1  # the system's dispatch is announced too
    moves.return_case(case, handler, "不属于本部门职责")
    assert len(_inbox(dispatcher)) == 1 and len(_inbox(colleague)) == 1


def test_a_bad_rating_and_a_supervisors_reopen_tell_the_lead_department(
    dispatcher: User, handler: User, dept: Department, supervisor: User
) -> None:
    handler.language = "en"
    handler.save()
    case = factories.case_in("replied", dispatcher=dispatcher, lead=dept, handler=handler)
    rate(case, 1)
    assert _inbox(handler)[-1].subject == f"Case {case.number} was reopened: the submitter is not satisfied"
    case = factories.case_in("closed", dispatcher=dispatcher, lead=dept, handler=handler)
    moves.reopen(case, supervisor, "答复未解决实际问题")
    last = _inbox(handler)[-1]
    assert last.subject == f"Case {case.number} was reopened by a supervisor"
    assert "答复未解决实际问题" in last.body


def test_each_event_tells_each_person_once_and_staff_with_e_mail_also_get_one(
    dispatcher: User, dept: Department
) -> None:
    user = factories.user(Role.HANDLER, dept, email="li@example.gov.cn")
    case = factories.case()
    moves.accept(case, dispatcher)
    moves.dispatch(case, dispatcher, dept)
    moves.dispatch(case, dispatcher, dept, action=Action.REDISPATCH)  # a second event: a second notice
    assert Message.objects.filter(user=user, channel=Channel.IN_APP).count() == 2
    assert Message.objects.to("li@example.gov.cn").filter(user=user, channel=Channel.EMAIL).count() == 2
