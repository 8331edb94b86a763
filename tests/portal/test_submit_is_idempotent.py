from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from fankui.cases.models import Case


@pytest.mark.django_db
def test_a_double_post_of_the_same_form_creates_one_case(en: Client, fresh_form: Callable[..., dict[str, Any]]) -> None:
    data = fresh_form()
    first = en.post("/", data)
    second = en.post("/", data)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Case.objects.count() == 1
    page = en.get(second["Location"]).content.decode()
    assert "This form had already been sent" in page


@pytest.mark.django_db
def test_two_renders_of_the_form_make_two_cases(en: Client, fresh_form: Callable[..., dict[str, Any]]) -> None:
    first = en.post("/", fresh_form())
    second = en.post("/", fresh_form(body="人民路的垃圾桶从来没人清理。"))
    assert first["Location"] != second["Location"]
    assert Case.objects.count() == 2


@pytest.mark.django_db
def test_sending_the_same_words_again_after_back_lands_on_the_first_case(
    en: Client, fresh_form: Callable[..., dict[str, Any]]
) -> None:
    # Back from the confirmation page may show the form again with a fresh token (the browser fetched it anew).
    first = en.post("/", fresh_form(contact_phone="13800138000"))
    again = en.post("/", fresh_form(contact_phone="13800138000"), follow=True)
    assert Case.objects.count() == 1
    assert again.redirect_chain[0][0] == first["Location"]
    assert "This form had already been sent" in again.content.decode()


@pytest.mark.django_db
def test_another_browser_sending_the_same_words_opens_its_own_case(
    fresh_form: Callable[..., dict[str, Any]],
) -> None:
    # Two people may well write the same sentence; neither may be handed the other's tracking code.
    data = fresh_form()
    Client().post("/", data)
    other = Client()
    page = other.get("/").content.decode()
    token = page.split('name="token" value="')[1].split('"')[0]
    other.post("/", {**data, "token": token})
    assert Case.objects.count() == 2


@pytest.mark.django_db
def test_a_forged_token_is_replaced_not_trusted(en: Client, fresh_form: Callable[..., dict[str, Any]]) -> None:
    en.post("/", fresh_form(token="not-a-uuid"))
    en.post("/", fresh_form(token="not-a-uuid", body="人民路的垃圾桶从来没人清理。"))
    assert Case.objects.count() == 2


@pytest.mark.django_db
def test_a_changed_field_is_a_new_request(en: Client, fresh_form: Callable[..., dict[str, Any]]) -> None:
    # At a kiosk, the next person may write the same words about another place, or decide to stay anonymous.
    en.post("/", fresh_form(address="幸福路12号"))
    en.post("/", fresh_form(address="人民路3号"))
    en.post("/", fresh_form(address="人民路3号", anonymous="on"))
    assert Case.objects.count() == 3
    # Contact fields are encrypted at rest (docs/privacy.md): compared after reading, not in SQL.
    assert [c.submission.address for c in Case.objects.filter(submission__anonymous=True)] == ["人民路3号"]


@pytest.mark.django_db
def test_the_same_words_later_or_after_the_case_ended_are_a_new_request(
    en: Client, fresh_form: Callable[..., dict[str, Any]], dispatcher: Any
) -> None:
    import datetime as dt

    import time_machine

    from fankui.cases.services import moves

    en.post("/", fresh_form())
    with time_machine.travel(dt.datetime(2026, 11, 16, 10, 31, tzinfo=dt.timezone(dt.timedelta(hours=8))), tick=False):
        en.post("/", fresh_form())
    assert Case.objects.count() == 2
    moves.reject(Case.objects.order_by("-id").first(), dispatcher, "重复反映。")
    en.post("/", fresh_form())
    assert Case.objects.count() == 3
