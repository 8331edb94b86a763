"""Issue 15 with issue 14's rate limits: each partner system has its own limit (FANKUI_PARTNER_RATE, or the
partner's own), counted per partner whatever address it sends from; over it the answer is 429 with Retry-After."""

from __future__ import annotations

from typing import Any

import pytest

from fankui.cases.models import Case
from fankui.partners import services

from .conftest import REQUEST, Made


@pytest.mark.django_db
def test_a_partner_over_its_limit_gets_429_with_retry_after(made: Made, post: Any, settings: Any) -> None:
    settings.FANKUI_PARTNER_RATE = (2, 60)
    for n in range(2):
        assert post({**REQUEST, "reference": f"WX-{n}"}).status_code == 201
    response = post({**REQUEST, "reference": "WX-9"}, REMOTE_ADDR="10.0.0.9")
    assert response.status_code == 429
    assert response.json()["code"] == "throttled"
    assert 1 <= int(response["Retry-After"]) <= 60
    assert Case.objects.count() == 2


@pytest.mark.django_db
def test_a_partners_own_limit_wins_and_other_partners_count_apart(made: Made, post: Any, settings: Any) -> None:
    settings.FANKUI_PARTNER_RATE = (1, 60)
    services.change_partner(made.partner, name=made.partner.name, callback_url="", rate="3/m")
    _other, secret = services.create_partner("好差评平台", "haochaping")
    codes = [post({**REQUEST, "reference": f"WX-{n}"}).status_code for n in range(4)]
    assert codes == [201, 201, 201, 429]
    assert post(slug="haochaping", secret=secret).status_code == 201


@pytest.mark.django_db
def test_a_badly_signed_flood_does_not_use_up_the_partners_limit(made: Made, post: Any, settings: Any) -> None:
    settings.FANKUI_PARTNER_RATE = (1, 60)
    for _n in range(3):
        assert post(secret="guessed").status_code == 401
    assert post().status_code == 201


@pytest.mark.django_db
def test_a_limit_is_written_like_the_sites_limits() -> None:
    assert services.parse_rate("600/m") == (600, 60)
    assert services.parse_rate("5/10s") == (5, 10)
    assert services.parse_rate("off") is None
    for bad in ("fast", "10/w", "0/m", "/m"):
        with pytest.raises(ValueError):
            services.parse_rate(bad)
