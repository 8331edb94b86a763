"""The superuser rule, written once (accounts.permissions.role): a superuser without a role acts as an administrator
everywhere, and one given a role acts in that role everywhere. Before, three places spelt it differently: the
deadline panel offered a roleless superuser to pause a case's clocks and the service refused; the report runs were
shown to any superuser, whatever their role."""

from __future__ import annotations

from django.test import Client

from fankui.accounts.models import Department, Role, User
from fankui.sla.defaults import ensure_defaults
from fankui.sla.services import waiting
from tests import factories


def test_a_superuser_without_a_role_may_ask_the_submitter_for_information(
    dispatcher: User, handler: User, dept: Department
) -> None:
    ensure_defaults()
    case = factories.case_in("in_progress", dispatcher=dispatcher, lead=dept, handler=handler)
    root = User.objects.create_superuser("root", password=factories.PASSWORD)
    info = waiting.request_information(case, root, "请提供具体门牌号。")
    assert info.asked_by == root


def test_a_superuser_with_a_handlers_role_sees_no_report_runs(dept: Department) -> None:
    superuser_handler = factories.user(Role.HANDLER, dept, is_superuser=True)
    supervisor = factories.user(Role.SUPERVISOR)
    for user, shown in ((superuser_handler, False), (supervisor, True)):
        client = Client()
        client.force_login(user)
        response = client.get("/staff/reports/")
        assert response.status_code == 200
        assert (response.context["runs"] is not None and not isinstance(response.context["runs"], list)) == shown
