"""Who may see and build which questionnaire, and finding one for them. The writes are in ``building`` (the
builder), ``answering`` (respondents) and ``distribution`` (links, QR codes, invitations)."""

from __future__ import annotations

import re
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from fankui.accounts import permissions
from fankui.accounts.models import Role
from fankui.core.errors import NotFound, PermissionDenied

from ..models import Questionnaire

# Keys (a page's, a question's, a public link's) are made of these. Anything else names nothing and is not even
# looked up: a key comes from an address anyone can type, and PostgreSQL refuses a NUL in a query (a 500).
KEY = re.compile(r"[A-Za-z0-9_-]{1,40}")


def is_key(value: str) -> bool:
    return KEY.fullmatch(value) is not None


# Who builds questionnaires: supervisors and administrators for the whole organisation, a department head for their
# department and those below it. Everyone else with a staff role sees those of their scope.
BUILDERS = frozenset({Role.SUPERVISOR, Role.ADMIN, Role.DEPT_HEAD})


def visible_questionnaires(user: Any) -> QuerySet[Questionnaire]:
    """The questionnaires ``user`` may see: all for organisation-wide roles, else their department's (a head's:
    their subtree's)."""
    if not permissions.is_staff(user):
        return Questionnaire.objects.none()
    if permissions.is_organisation_wide(user):
        return Questionnaire.objects.all()
    return Questionnaire.objects.filter(permissions.department_filter(user, "department"))


def can_create(user: Any) -> bool:
    return permissions.has_role(user, BUILDERS)


def can_edit(user: Any, questionnaire: Questionnaire) -> bool:
    """May change the questionnaire, its questions and its distribution."""
    if not permissions.has_role(user, BUILDERS):
        return False
    if permissions.is_organisation_wide(user):
        return True
    return permissions.in_department(user, questionnaire.department)


def department_choices(user: Any) -> Q:
    """The departments a questionnaire of ``user`` may belong to (a filter on Department)."""
    return permissions.visible_departments(user)


def get_visible(user: Any, pk: int) -> Questionnaire:
    questionnaire = visible_questionnaires(user).filter(pk=pk).select_related("department", "current_version").first()
    if questionnaire is None:
        raise NotFound(_("No such questionnaire."))
    return questionnaire


def get_editable(user: Any, pk: int) -> Questionnaire:
    questionnaire = get_visible(user, pk)
    if not can_edit(user, questionnaire):
        raise PermissionDenied(_("You may not change this questionnaire."))
    return questionnaire
