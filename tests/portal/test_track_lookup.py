from __future__ import annotations

import pytest
from django.test import Client

from tests import factories


@pytest.mark.django_db
def test_a_valid_code_typed_any_way_leads_to_its_page(en: Client) -> None:
    case = factories.case()
    typed = " " + case.display_code.lower() + " "
    response = en.get("/track/", {"code": typed})
    assert response.status_code == 302
    assert response["Location"] == f"/track/{case.tracking_code}/"


@pytest.mark.django_db
def test_a_code_with_a_typo_is_caught_before_any_lookup(en: Client, django_assert_num_queries: object) -> None:
    case = factories.case()
    # Change one symbol: the check symbol no longer fits.
    wrong = ("3" if case.tracking_code[0] != "3" else "4") + case.tracking_code[1:]
    with django_assert_num_queries(0):  # type: ignore[operator]
        response = en.get("/track/", {"code": wrong})
    assert response.status_code == 200
    assert "This code has a typo" in response.content.decode()
    assert f'value="{wrong}"' in response.content.decode()


@pytest.mark.django_db
def test_an_empty_code_asks_for_one(en: Client) -> None:
    response = en.get("/track/", {"code": "  "})
    assert "Please type your tracking code." in response.content.decode()


@pytest.mark.django_db
def test_the_lookup_page_is_a_form(en: Client) -> None:
    page = en.get("/track/")
    assert page.status_code == 200
    assert 'name="code"' in page.content.decode()
    assert "This code has a typo" not in page.content.decode()
