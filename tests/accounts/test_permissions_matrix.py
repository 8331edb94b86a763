"""Who may see or do what, in one table: every kind of user × the department a thing belongs to × each question
``accounts.permissions`` answers. The workflow tables are walked in tests/cases/test_workflow_table.py and
tests/actions; this file is the rules underneath them."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from fankui.accounts import permissions
from fankui.accounts.models import Department, Role, User
from fankui.analysis import services as analysis
from fankui.cases.models import Case
from fankui.topics import services as topics
from tests import factories

# Who: a name for each kind of user, made in ``people`` below.
PEOPLE = (
    "anonymous",
    "inactive_dispatcher",
    "no_role",
    "superuser_without_role",
    "superuser_handler",
    "dispatcher",
    "supervisor",
    "analyst",
    "admin",
    "handler",
    "head",
)
# (role acted in, staff pages, organisation-wide, triage, supervisor, Django admin)
EXPECTED = {
    "anonymous": ("", False, False, False, False, False),
    "inactive_dispatcher": ("", False, False, False, False, False),
    "no_role": ("", False, False, False, False, False),
    # A superuser without a role stands in for an administrator...
    "superuser_without_role": (Role.ADMIN, True, True, True, True, True),
    # ...one given a role acts in it like everybody else (only the Django admin is theirs as a superuser).
    "superuser_handler": (Role.HANDLER, True, False, False, False, True),
    "dispatcher": (Role.DISPATCHER, True, True, True, False, False),
    "supervisor": (Role.SUPERVISOR, True, True, True, True, False),
    "analyst": (Role.ANALYST, True, True, False, False, False),
    "admin": (Role.ADMIN, True, True, True, True, True),
    "handler": (Role.HANDLER, True, False, False, False, False),
    "head": (Role.DEPT_HEAD, True, False, False, False, False),
}
# Department scope: (own department, one below it, another one) — a handler only their own, a head the subtree.
SCOPE = {
    "handler": (True, False, False),
    "superuser_handler": (True, False, False),
    "head": (True, True, False),
}


@pytest.fixture
def tree(db: None) -> dict[str, Department]:
    own = factories.department("城管局")
    return {"own": own, "below": factories.department("城管一队", parent=own), "other": factories.department("水务局")}


@pytest.fixture
def people(tree: dict[str, Department]) -> dict[str, object]:
    own = tree["own"]
    inactive = factories.user(Role.DISPATCHER)
    inactive.is_active = False
    inactive.save()
    return {
        "anonymous": AnonymousUser(),
        "inactive_dispatcher": inactive,
        "no_role": User.objects.create_user("nobody", password=factories.PASSWORD),
        "superuser_without_role": User.objects.create_superuser("root", password=factories.PASSWORD),
        "superuser_handler": factories.user(Role.HANDLER, own, is_superuser=True),
        "dispatcher": factories.user(Role.DISPATCHER),
        "supervisor": factories.user(Role.SUPERVISOR),
        "analyst": factories.user(Role.ANALYST),
        "admin": factories.user(Role.ADMIN),
        "handler": factories.user(Role.HANDLER, own),
        "head": factories.user(Role.DEPT_HEAD, own),
    }


@pytest.mark.parametrize("who", PEOPLE)
def test_each_kind_of_user_acts_in_one_role_with_its_rights(people: dict[str, object], who: str) -> None:
    user = people[who]
    answers = (
        permissions.role(user),
        permissions.is_staff(user),
        permissions.is_organisation_wide(user),
        permissions.works_triage(user),
        permissions.is_supervisor(user),
        permissions.administers(user),
    )
    assert answers == EXPECTED[who]
    # The 12345 centre reads every case's personal data (tests/accounts/test_personal_data_by_need.py per case).
    assert permissions.is_centre(user) == (EXPECTED[who][0] in (Role.DISPATCHER, Role.SUPERVISOR))


@pytest.mark.parametrize("who", PEOPLE)
def test_a_department_is_in_scope_for_its_handlers_and_for_heads_above_it(
    people: dict[str, object], tree: dict[str, Department], who: str
) -> None:
    user = people[who]
    expected = SCOPE.get(who, (False, False, False))
    assert tuple(permissions.in_department(user, tree[name]) for name in ("own", "below", "other")) == expected
    # The same rule as a query, on anything that names a department (here: the cases each one leads).
    led = {name: factories.case() for name in tree}
    for name, case in led.items():
        Case.objects.filter(pk=case.pk).update(lead_department=tree[name])
    in_scope = Case.objects.filter(permissions.department_filter(user, "lead_department"))
    matched = set(in_scope.values_list("pk", flat=True))
    assert tuple(led[name].pk in matched for name in ("own", "below", "other")) == expected


@pytest.mark.parametrize("who", PEOPLE)
def test_the_figures_of_a_department_are_for_those_it_is_in_scope_for_and_organisation_wide_roles(
    people: dict[str, object], tree: dict[str, Department], who: str
) -> None:
    user = people[who]
    wide = permissions.is_organisation_wide(user)
    seen = set(Department.objects.filter(permissions.visible_departments(user)).values_list("pk", flat=True))
    expected = tuple(wide or in_scope for in_scope in SCOPE.get(who, (False, False, False)))
    assert tuple(tree[name].pk in seen for name in ("own", "below", "other")) == expected


# The apps' own questions, answered from the rules above (the superuser rule included, so a superuser given a
# handler's role is refused like any handler): (correct the analysis, see the models' details, rename topics).
APP_QUESTIONS = {
    "superuser_without_role": (True, True, True),
    "dispatcher": (True, False, True),
    "supervisor": (True, False, True),
    "analyst": (False, True, True),
    "admin": (True, True, True),
}


@pytest.mark.parametrize("who", PEOPLE)
def test_triage_corrects_the_analysis_analysts_read_its_models_and_organisation_wide_roles_rename_topics(
    people: dict[str, object], who: str
) -> None:
    user = people[who]
    answers = (
        analysis.can_correct(user),  # type: ignore[arg-type]
        analysis.can_see_model_details(user),  # type: ignore[arg-type]
        topics.can_rename(user),  # type: ignore[arg-type]
    )
    assert answers == APP_QUESTIONS.get(who, (False, False, False))
