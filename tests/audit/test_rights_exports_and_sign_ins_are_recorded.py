"""Besides a case's events and the looks at personal data, the audit trail records every change of someone's role
or rights (wherever it is made), every export, and every sign-in, refused ones included."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.models import Group
from django.http import HttpResponse
from django.test import Client, RequestFactory

from fankui.accounts.models import Department, Role, User
from fankui.audit.models import Entry
from fankui.audit.receivers import ActorMiddleware
from fankui.audit.services import record_login
from tests import factories


def test_a_role_or_department_change_records_before_after_and_who(dept: Department, centre: Department) -> None:
    admin = factories.user(Role.ADMIN)
    person = factories.user(Role.HANDLER, dept)
    created = Entry.objects.get(kind="user_created", data__user=person.pk)
    assert created.data["changes"]["role"] == [None, "handler"]

    def change(request: object) -> HttpResponse:
        person.role = Role.DEPT_HEAD
        person.department = centre
        person.save()
        return HttpResponse()

    request = RequestFactory().post("/admin/accounts/user/")
    request.user = admin
    ActorMiddleware(change)(request)
    entry = Entry.objects.get(kind="rights", data__user=person.pk)
    assert entry.actor == admin
    assert entry.data["changes"] == {"role": ["handler", "dept_head"], "department_id": [dept.pk, centre.pk]}

    person.is_superuser = True
    person.save(update_fields=["is_superuser"])
    made_superuser = Entry.objects.filter(kind="rights", data__user=person.pk).order_by("-id")[0]
    assert made_superuser.actor is None and made_superuser.actor_name == "system"
    assert made_superuser.data["changes"] == {"is_superuser": [False, True]}


def test_a_sign_in_or_a_language_is_no_change_of_rights(dept: Department) -> None:
    person = factories.user(Role.HANDLER, dept)
    before = Entry.objects.filter(kind="rights").count()
    person.language = "en"
    person.save(update_fields=["language"])
    person.first_name = "张三"
    person.save()
    assert Entry.objects.filter(kind="rights").count() == before


def test_groups_and_permissions_are_rights_too(dept: Department) -> None:
    person = factories.user(Role.HANDLER, dept)
    group = Group.objects.create(name="审核")
    person.groups.add(group)
    group.user_set.remove(person)
    changes = [e.data["changes"] for e in Entry.objects.filter(kind="rights", data__user=person.pk).order_by("id")]
    assert changes == [{"groups": ["add", [group.pk]]}, {"groups": ["remove", [group.pk]]}]


def test_a_report_download_records_who_exported_what(supervisor: User, client_for: Callable[[User], Client]) -> None:
    response = client_for(supervisor).get("/staff/reports/?download=1&period=2026-10&format=xlsx")
    assert response.status_code == 200
    entry = Entry.objects.get(kind="export")
    assert entry.actor == supervisor
    assert entry.target == "report:xlsx:2026-10"
    assert entry.data == {"what": "report", "period": "2026-10", "format": "xlsx", "department": None}


def test_sign_ins_and_refused_ones_are_recorded(db: None) -> None:
    person = factories.user(Role.DISPATCHER)
    record_login(person, True, "10.0.0.7")
    record_login("nosuchuser", False, "10.0.0.8")
    rows = list(
        Entry.objects.filter(kind__startswith="login")
        .order_by("id")
        .values_list("kind", "actor_id", "actor_name", "address")
    )
    assert rows == [
        ("login", person.pk, person.username, "10.0.0.7"),
        ("login_failed", None, "nosuchuser", "10.0.0.8"),
    ]
