"""A post from another site (no CSRF token) to the forms of 好差评, the phone answers and the citizen's answer is
refused (403) and changes nothing: a staff member's open session cannot be used to check a rectification, decide an
appeal or record a questionnaire's answers, nor a visitor's browser to rate a window or answer for a citizen."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from fankui.accounts.models import User
from fankui.cases.models import Case, Supplement
from fankui.questionnaires.models import Response
from fankui.surveys import windows
from fankui.surveys.models import Appeal, Rating, Rectification, ServicePoint
from fankui.surveys.services import file_appeal, rate, submit_rectification
from tests.questionnaires.conftest import build

pytestmark = pytest.mark.django_db


def signed_in(user: User) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def test_posts_without_a_token_are_refused(
    point: ServicePoint, replied: Callable[..., Case], handler: User, head: User, supervisor: User, dispatcher: User
) -> None:
    rating = windows.rate_window(point, 1, "乱评")
    assert rating is not None
    rectification = Rectification.objects.get()
    submit_rectification(rectification, handler, "已培训。")
    appeal = file_appeal(rating, handler, "malicious", "无人办理。")
    survey = build(supervisor)
    asked = replied()
    rate(asked, 1, "没修好")
    ratings = Rating.objects.count()

    staff_posts = [
        (head, f"/staff/surveys/rectifications/{rectification.pk}/", {"step": "approve"}),
        (supervisor, f"/staff/surveys/appeals/{appeal.pk}/decide/", {"decision": "uphold", "note": "同意"}),
        (dispatcher, f"/staff/questionnaires/{survey.questionnaire.pk}/phone/", {survey.nps.field: "9"}),
    ]
    for user, path, data in staff_posts:
        assert signed_in(user).post(path, data).status_code == 403, path
    public = Client(enforce_csrf_checks=True)
    public_posts = [
        (f"/r/w/{point.token}/", {"level": "1", "key": "k" * 32}),
        (f"/track/{asked.tracking_code}/answer/", {"answer": "人民路88号"}),
        (f"/track/{asked.tracking_code}/rectification/", {"level": "5"}),
    ]
    for path, data in public_posts:
        assert public.post(path, data).status_code == 403, path

    rectification.refresh_from_db()
    assert rectification.state == Rectification.State.SUBMITTED
    assert Appeal.objects.get().state == Appeal.State.PENDING
    assert not Response.objects.exists() and not Supplement.objects.exists()
    assert Rating.objects.count() == ratings
