"""Fixtures of the staff pages and API tests: people of every role, clients in English, API clients."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from fankui.accounts.models import Department, Role, User
from fankui.accounts.services import issue_token
from fankui.cases.models import Case
from tests import factories


@pytest.fixture
def dept_head(dept: Department) -> User:
    return factories.user(Role.DEPT_HEAD, dept)


@pytest.fixture
def outsider(other_dept: Department) -> User:
    """A handler of another department."""
    return factories.user(Role.HANDLER, other_dept)


@pytest.fixture
def analyst(centre: Department) -> User:
    return factories.user(Role.ANALYST, centre)


@pytest.fixture
def admin(db: None) -> User:
    return factories.user(Role.ADMIN)


@pytest.fixture
def people(
    dispatcher: User, handler: User, dept_head: User, supervisor: User, analyst: User, admin: User
) -> dict[str, User]:
    """One user of every role, by role."""
    return {
        Role.DISPATCHER: dispatcher,
        Role.HANDLER: handler,
        Role.DEPT_HEAD: dept_head,
        Role.SUPERVISOR: supervisor,
        Role.ANALYST: analyst,
        Role.ADMIN: admin,
    }


@pytest.fixture
def page_for() -> Callable[[User], Client]:
    """``page_for(user)``: a client signed in as ``user`` that asks for English pages."""

    def make(user: User) -> Client:
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        client.force_login(user)
        return client

    return make


@pytest.fixture
def api_for() -> Callable[[User], Client]:
    """``api_for(user)``: a client that sends a fresh API token of ``user`` with every request."""

    def make(user: User) -> Client:
        return Client(HTTP_AUTHORIZATION=f"Bearer {issue_token(user, 'tests')}", HTTP_ACCEPT_LANGUAGE="en")

    return make


@pytest.fixture
def case_in(dispatcher: User, dept: Department, handler: User) -> Callable[[str], Case]:
    """``case_in(state)``: a case walked to ``state``, led by ``dept`` and handled by ``handler``."""

    def make(state: str) -> Case:
        return factories.case_in(state, dispatcher=dispatcher, lead=dept, handler=handler)

    return make
