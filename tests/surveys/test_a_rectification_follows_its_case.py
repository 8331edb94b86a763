"""A case's rectification follows the case: sent to another department (退单, 改派), the rectification not yet done
goes with it, so the new department sees and does it and the old one no longer does; a window's stays put."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from fankui.accounts.models import Department, Role, User
from fankui.audit.models import Event
from fankui.cases.models import Case
from fankui.cases.services import moves
from fankui.cases.workflow import Action
from fankui.core.errors import PermissionDenied
from fankui.notify.models import Message
from fankui.surveys import queries, windows
from fankui.surveys.models import Rectification, ServicePoint
from fankui.surveys.services import check_rectification, rate, submit_rectification
from tests import factories

pytestmark = pytest.mark.django_db


def _transfer(case: Case, handler: User, dispatcher: User, to: Department) -> None:
    """The department starts again on the reopened case, returns it, and the centre sends it elsewhere (改派)."""
    moves.start(case, handler)
    moves.return_case(case, handler, "不属于本单位职责")
    moves.dispatch(case, dispatcher, to, action=Action.REDISPATCH)


def test_after_a_transfer_the_new_department_rectifies_and_the_old_one_cannot(
    replied: Callable[..., Case],
    handler: User,
    head: User,
    dispatcher: User,
    other_dept: Department,
    client_for: Callable[[User], Client],
    point: ServicePoint,
    dept: Department,
) -> None:
    case = replied()
    rate(case, 1, "没人管")
    rectification = Rectification.objects.get()
    # A bad rating of the old department's window (一次一评, no case) stays with it.
    window_rating = windows.rate_window(point, 1)
    assert window_rating is not None
    of_window = Rectification.objects.get(rating=window_rating)
    new_head = factories.user(Role.DEPT_HEAD, other_dept)
    new_handler = factories.user(Role.HANDLER, other_dept)

    _transfer(case, handler, dispatcher, other_dept)

    rectification.refresh_from_db()
    assert rectification.department == other_dept
    of_window.refresh_from_db()
    assert of_window.department == dept
    assert list(queries.visible_rectifications(new_head)) == [rectification]
    assert list(queries.visible_rectifications(new_handler)) == [rectification]
    assert list(queries.visible_rectifications(head)) == [of_window]
    assert list(queries.visible_rectifications(handler)) == [of_window]
    page = f"/staff/surveys/rectifications/{rectification.pk}/"
    assert client_for(new_head).get(page).status_code == 200
    assert client_for(head).get(page).status_code == 404
    # The audit trail: the move is on the case's timeline, from the old department to the new.
    event = Event.objects.get(case=case, action="rectification_move")
    assert event.data["from"] == handler.department_id and event.data["to"] == other_dept.pk
    assert event.actor == dispatcher
    # The new department is told; the old one cannot act any more.
    assert Message.objects.filter(user=new_handler, key__startswith="surveys:rectification").exists()
    with pytest.raises(PermissionDenied):
        submit_rectification(rectification, handler, "已处理")

    submit_rectification(rectification, new_handler, "已联系市民并处理。")
    with pytest.raises(PermissionDenied):
        check_rectification(rectification, head, True)
    check_rectification(rectification, new_head, True)
    rectification.refresh_from_db()
    assert rectification.state == Rectification.State.DONE


def test_a_done_rectification_stays_with_the_department_that_did_it(
    replied: Callable[..., Case],
    handler: User,
    head: User,
    dispatcher: User,
    dept: Department,
    other_dept: Department,
) -> None:
    case = replied()
    rate(case, 2)
    rectification = Rectification.objects.get()
    submit_rectification(rectification, handler, "已处理")
    check_rectification(rectification, head, True)
    _transfer(case, handler, dispatcher, other_dept)

    rectification.refresh_from_db()
    assert rectification.department == dept
    assert not Event.objects.filter(case=case, action="rectification_move").exists()
