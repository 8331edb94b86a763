"""TOTP two-factor sign-in (django-otp): required for administrators and supervisors (FANKUI_TWO_FACTOR_ROLES),
optional for everybody else; whoever enrolled is always asked for a code after the password."""

from __future__ import annotations

import re
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from fankui.accounts.models import Department, Role, User
from tests import factories


@pytest.fixture(autouse=True)
def _required_for_administrators_and_supervisors(settings: Any) -> None:
    settings.FANKUI_TWO_FACTOR_ROLES = ["admin", "supervisor"]


def code_of(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, digits=device.digits):0{device.digits}d}"


def signed_in(user: User) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    response = client.post("/accounts/login/", {"username": user.username, "password": factories.PASSWORD})
    assert response.status_code == 302
    return client


def enrolled(user: User) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


@pytest.mark.django_db
def test_a_supervisor_must_enrol_before_any_staff_page_opens(supervisor: User) -> None:
    client = signed_in(supervisor)
    response = client.get("/staff/cases/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/two-factor/?next=%2Fstaff%2Fcases%2F"
    assert client.get("/accounts/tokens/")["Location"].startswith("/accounts/two-factor/")
    page = client.get(response["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    assert "<svg" in html and "Your role requires two-factor sign-in" in html
    device = TOTPDevice.objects.get(user=supervisor, confirmed=False)
    secret = re.search(r'<code class="secret">([A-Z2-7=]+)</code>', html)
    assert secret, "the key is shown for typing in"
    # Reloading keeps the key the phone already scanned.
    client.get("/accounts/two-factor/")
    assert TOTPDevice.objects.filter(user=supervisor).count() == 1
    done = client.post("/accounts/two-factor/", {"code": code_of(device), "next": "/staff/cases/"})
    assert done.status_code == 302 and done["Location"] == "/staff/cases/"
    assert client.get("/staff/cases/").status_code == 200
    assert TOTPDevice.objects.get(user=supervisor).confirmed


@pytest.mark.django_db
def test_a_wrong_code_does_not_enrol(supervisor: User) -> None:
    client = signed_in(supervisor)
    client.get("/accounts/two-factor/")
    response = client.post("/accounts/two-factor/", {"code": "000000"})
    assert response.status_code == 200 and "This code is not right" in response.content.decode()
    assert client.get("/staff/cases/").status_code == 302


@pytest.mark.django_db
def test_an_enrolled_supervisor_gives_the_code_after_the_password(
    supervisor: User, _frozen_time: time_machine.Coordinates
) -> None:
    device = enrolled(supervisor)
    client = signed_in(supervisor)
    assert client.get("/staff/cases/")["Location"] == "/accounts/verify/?next=%2Fstaff%2Fcases%2F"
    wrong = client.post("/accounts/verify/?next=/staff/cases/", {"code": "123456"})
    assert wrong.status_code == 200 and "This code is not right" in wrong.content.decode()
    assert client.get("/staff/cases/").status_code == 302
    _frozen_time.shift(31)  # django-otp waits a moment after a wrong code
    right = client.post("/accounts/verify/", {"code": code_of(device), "next": "/staff/cases/"})
    assert right.status_code == 302 and right["Location"] == "/staff/cases/"
    assert client.get("/staff/cases/").status_code == 200


@pytest.mark.django_db
def test_an_administrator_needs_it_for_the_admin_too(db: None) -> None:
    admin = factories.user(Role.ADMIN)
    client = Client()
    client.force_login(admin)
    assert client.get("/admin/")["Location"] == "/accounts/two-factor/?next=%2Fadmin%2F"
    superuser = User.objects.create_superuser("root", password=factories.PASSWORD)
    client.force_login(superuser)
    assert client.get("/admin/")["Location"].startswith("/accounts/two-factor/")


@pytest.mark.django_db
def test_a_handler_may_go_without_but_is_asked_once_enrolled(handler: User) -> None:
    client = signed_in(handler)
    assert client.get("/staff/inbox/").status_code == 200
    enrolled(handler)
    client = signed_in(handler)
    assert client.get("/staff/inbox/")["Location"].startswith("/accounts/verify/")


@pytest.mark.django_db
def test_the_required_roles_are_a_setting(settings: Any, supervisor: User) -> None:
    settings.FANKUI_TWO_FACTOR_ROLES = []
    assert signed_in(supervisor).get("/staff/cases/").status_code == 200


@pytest.mark.django_db
def test_wrong_codes_count_towards_the_lockout(supervisor: User, _frozen_time: time_machine.Coordinates) -> None:
    enrolled(supervisor)
    client = signed_in(supervisor)
    for _ in range(4):
        client.post("/accounts/verify/", {"code": "123456"})
        _frozen_time.shift(60)
    locked = client.post("/accounts/verify/", {"code": "123456"})
    assert locked.status_code == 429 and "Too many failed sign-in attempts" in locked.content.decode()
    assert "_auth_user_id" not in client.session
    again = Client().post("/accounts/login/", {"username": supervisor.username, "password": factories.PASSWORD})
    assert again.status_code == 429


@pytest.mark.django_db
def test_an_administrator_resets_a_lost_phone(supervisor: User, centre: Department) -> None:
    enrolled(supervisor)
    call_command("reset_two_factor", supervisor.username)
    assert not TOTPDevice.objects.filter(user=supervisor).exists()
    client = signed_in(supervisor)
    assert client.get("/staff/cases/")["Location"].startswith("/accounts/two-factor/")


@pytest.mark.django_db
def test_the_admin_action_resets_too(supervisor: User) -> None:
    enrolled(supervisor)
    admin = factories.user(Role.ADMIN)
    device = enrolled(admin)
    client = signed_in(admin)
    client.post("/accounts/verify/", {"code": code_of(device)})
    response = client.post(
        "/admin/accounts/user/", {"action": "reset_two_factor", "_selected_action": [supervisor.pk]}, follow=True
    )
    assert response.status_code == 200
    assert not TOTPDevice.objects.filter(user=supervisor).exists()
    assert TOTPDevice.objects.filter(user=admin).exists()
