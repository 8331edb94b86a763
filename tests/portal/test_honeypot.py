"""A hidden field on the public form that people leave empty and form-filling robots fill: what a robot sends is
not stored; the answer is a plain 400 with the form (a person whose browser filled it is told, never fooled)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from fankui.cases.models import Case
from fankui.intake.models import Submission


@pytest.mark.django_db
def test_the_honeypot_is_in_the_form_and_hidden_by_the_style_sheet(en: Client) -> None:
    page = en.get("/").content.decode()
    start = page.index('<div class="hp"')
    block = page[start : page.index("</div>", start)]
    assert 'name="website"' in block and 'tabindex="-1"' in block
    assert "style=" not in block  # hidden by CSS (a policy without inline styles stays possible)
    css = (Path(settings.PACKAGE_DIR) / "static/fankui/app.css").read_text()
    assert ".hp {" in css and "left: -10000px" in css


@pytest.mark.django_db
def test_a_filled_honeypot_stores_nothing_and_says_why(en: Client, fresh_form: Callable[..., dict[str, Any]]) -> None:
    response = en.post("/", fresh_form(body="买便宜的药，点这里。", website="http://spam.example"))
    assert response.status_code == 400
    page = response.content.decode()
    assert "a field meant to stay empty was filled in" in page
    assert "买便宜的药，点这里。" in page  # a person loses nothing
    assert 'name="website" id="id_website" value=""' in page
    assert Case.objects.count() == 0 and Submission.objects.count() == 0


@pytest.mark.django_db
def test_an_empty_honeypot_is_a_normal_submission(en: Client, fresh_form: Callable[..., dict[str, Any]]) -> None:
    response = en.post("/", fresh_form(website=""))
    assert response.status_code == 302
    assert Case.objects.count() == 1
