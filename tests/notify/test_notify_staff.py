from __future__ import annotations

from django.core import mail

from fankui.accounts.models import Department, Role
from fankui.notify import delivery, services
from fankui.notify.models import Channel, Message, Status
from tests import factories


def test_each_staff_member_gets_one_in_app_message_per_key(dept: Department) -> None:
    a = factories.user(Role.HANDLER, dept)
    b = factories.user(Role.HANDLER, dept)
    assert services.notify_staff([a, b], "Deadline near", "Case 1 is due", key="sla:1") == 2
    assert services.notify_staff([a, b], "Deadline near", "Case 1 is due", key="sla:1") == 0
    assert Message.objects.filter(channel=Channel.IN_APP, status=Status.SENT).count() == 2


def test_staff_with_an_e_mail_address_also_get_an_e_mail(dept: Department) -> None:
    user = factories.user(Role.HANDLER, dept, email="wang@example.gov.cn")
    assert services.notify_staff([user], "Deadline near", "Case 1 is due", key="sla:2") == 2
    assert delivery.deliver_due() == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["wang@example.gov.cn"]
    assert Message.objects.get(channel=Channel.EMAIL).status == Status.SENT


def test_a_new_key_is_a_new_message(dept: Department) -> None:
    user = factories.user(Role.HANDLER, dept)
    services.notify_staff([user], "s", "b", key="k1")
    assert services.notify_staff([user], "s", "b", key="k2") == 1


def test_inactive_users_are_skipped(dept: Department) -> None:
    user = factories.user(Role.HANDLER, dept)
    user.is_active = False
    user.save()
    assert services.notify_staff([user], "s", "b", key="k") == 0
