from __future__ import annotations

import pytest
from django.test import Client

from tests import factories


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/track/"])
def test_the_chinese_default_renders(path: str) -> None:
    response = Client().get(path)
    assert response.status_code == 200
    assert '<html lang="zh-hans"' in response.content.decode()


@pytest.mark.django_db
def test_the_tracking_pages_render_in_chinese_by_default() -> None:
    case = factories.case()
    for path in (f"/submitted/{case.tracking_code}/", f"/track/{case.tracking_code}/"):
        response = Client().get(path)
        assert response.status_code == 200
        assert '<html lang="zh-hans"' in response.content.decode()


@pytest.mark.django_db
def test_the_public_pages_link_to_each_other(en: Client) -> None:
    page = en.get("/").content.decode()
    assert 'href="/" class="active" aria-current="page">Tell us</a>' in page
    assert 'href="/track/">Follow a request</a>' in page
