from __future__ import annotations

import re

import pytest
from django.test import Client

from fankui.surveys import windows
from fankui.surveys.models import Rating, ServicePoint, StaffBadge

pytestmark = pytest.mark.django_db


def english() -> Client:
    client = Client()
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def _key(html: str) -> str:
    match = re.search(r'name="key" value="([^"]+)"', html)
    assert match
    return match.group(1)


def test_scanning_the_code_opens_the_form_and_records_nothing(point: ServicePoint) -> None:
    client = english()

    response = client.get(windows.rating_path(point))
    head = client.head(windows.rating_path(point))

    html = response.content.decode()
    assert response.status_code == 200 and head.status_code == 200
    assert "How did this window serve you?" in html and "A03 不动产登记" in html and "市民中心政务服务大厅" in html
    # Accessible without JavaScript: a legend for the choices, a label for the comment, a real submit button.
    assert "<legend" in html and 'for="id_comment"' in html and 'type="submit"' in html
    assert html.count('type="radio" name="level"') == 5
    assert "<script" not in html.split("<main", 1)[1]
    # A "no-referrer" policy makes browsers send "Origin: null" with the form, which Django's CSRF check refuses.
    assert 'content="no-referrer"' not in html
    assert not Rating.objects.exists()


def test_the_page_speaks_chinese_by_default(badge: StaffBadge) -> None:
    html = Client().get(windows.rating_path(badge)).content.decode()

    assert "李红" in html and "非常满意" in html and "您的评价" in html and "提交评价" in html


def test_sending_the_form_records_one_rating_and_thanks(point: ServicePoint) -> None:
    client = english()
    key = _key(client.get(windows.rating_path(point)).content.decode())

    response = client.post(windows.rating_path(point), {"level": "5", "comment": "很耐心", "key": key}, follow=True)
    again = client.post(windows.rating_path(point), {"level": "5", "comment": "很耐心", "key": key})

    assert "Thank you for your rating." in response.content.decode()
    assert again.status_code == 302
    rating = Rating.objects.get()
    assert (rating.service_point, rating.level, rating.comment) == (point, 5, "很耐心")


def test_a_missing_rating_is_said_beside_the_choices_and_the_comment_is_kept(point: ServicePoint) -> None:
    response = english().post(windows.rating_path(point), {"comment": "等了很久"})

    html = response.content.decode()
    assert response.status_code == 422
    assert "Choose one of the five ratings." in html and "等了很久" in html
    assert not Rating.objects.exists()


def test_an_unknown_code_says_so_plainly(point: ServicePoint) -> None:
    for path in ("/r/w/nope/", f"/r/p/{point.token}/"):
        response = english().get(path)
        assert response.status_code == 404
        assert "This rating link does not work" in response.content.decode()
    assert english().post("/r/w/nope/", {"level": "5"}).status_code == 404
    assert not Rating.objects.exists()


def test_a_flood_from_one_client_is_throttled_with_the_form_kept(point: ServicePoint, settings: object) -> None:
    settings.FANKUI_RATE_LIMITS = {**settings.FANKUI_RATE_LIMITS, "rate_window": (2, 3600)}  # type: ignore[attr-defined]
    client = english()
    statuses = [
        client.post(windows.rating_path(point), {"level": "1", "comment": f"第{n}次"}).status_code for n in range(4)
    ]
    last = client.post(windows.rating_path(point), {"level": "1", "comment": "最后"})

    assert statuses == [302, 302, 429, 429]
    assert last.status_code == 429 and last["Retry-After"]
    html = last.content.decode()
    assert "Too many requests" in html and "最后" in html
    assert Rating.objects.count() == 2
