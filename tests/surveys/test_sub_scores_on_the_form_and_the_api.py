"""The rating carries optional sub-scores on the standard's dimensions (国办发〔2019〕51号), on the web form without
JavaScript and through the API; a bad value is a clear message beside its field, never a 500."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from fankui.cases.models import Case
from fankui.surveys.models import Rating

pytestmark = pytest.mark.django_db


def test_the_form_offers_every_dimension_and_records_the_scores_given(en: Client, replied: Callable[..., Case]) -> None:
    case = replied()
    page = en.get(f"/track/{case.tracking_code}/").content.decode()
    for label in ("Service attitude", "Efficiency", "Result and explanation", "Ease of the channel"):
        assert label in page
    assert "<script" not in page.split('id="rate"')[1].split("</section>")[0]

    response = en.post(
        f"/track/{case.tracking_code}/rate/", {"level": "4", "attitude": "5", "efficiency": "3", "comment": "还行"}
    )
    assert response.status_code == 302
    rating = Rating.objects.get()
    assert (rating.level, rating.attitude, rating.efficiency, rating.outcome, rating.convenience) == (
        4,
        5,
        3,
        None,
        None,
    )
    assert rating.comment == "还行"


def test_a_bad_sub_score_is_shown_beside_its_field_and_nothing_is_recorded(
    en: Client, replied: Callable[..., Case]
) -> None:
    case = replied()
    response = en.post(f"/track/{case.tracking_code}/rate/", {"level": "4", "outcome": "9", "comment": "留着"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Choose one of the five ratings." in page.split('id="score-outcome"')[1].split("</fieldset>")[0]
    assert "留着" in page  # what was typed is kept
    assert not Rating.objects.exists()


def test_opening_the_rating_link_records_nothing(en: Client, replied: Callable[..., Case]) -> None:
    case = replied()
    assert en.get(f"/track/{case.tracking_code}/rate/?level=1&attitude=1").status_code == 302
    assert not Rating.objects.exists()


def test_the_api_takes_and_returns_the_sub_scores(en: Client, replied: Callable[..., Case]) -> None:
    case = replied()
    url = f"/api/v1/track/{case.tracking_code}/rating"
    bad = en.post(url, {"level": 5, "convenience": 6}, content_type="application/json")
    assert bad.status_code == 422
    assert not Rating.objects.exists()

    response = en.post(url, {"level": 5, "attitude": 4, "convenience": 2}, content_type="application/json")
    assert response.status_code == 201
    body = response.json()
    assert (body["attitude"], body["efficiency"], body["convenience"]) == (4, None, 2)
    assert Rating.objects.get().convenience == 2
