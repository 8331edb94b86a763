"""The phone page's form sent twice (a double click on a page without script, a request resent) stores one response,
audited once: the form carries a random key per rendering, kept when the page comes back refused. A made-up key is
no key, and another form's key does not reach across questionnaires."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django.test import Client

from fankui.audit.models import Entry
from fankui.questionnaires.models import Response

from .conftest import Survey, build, choice

Login = Callable[[Any], Client]
KEY = re.compile(r'name="form_key" value="([0-9a-f]{32})"')


def _url(survey: Survey) -> str:
    return f"/staff/questionnaires/{survey.questionnaire.pk}/phone/"


def _key(html: str) -> str:
    match = KEY.search(html)
    assert match, "the phone form carries a key per rendering"
    return match.group(1)


def test_the_same_form_twice_is_one_response_and_one_audit_entry(
    survey: Survey, dispatcher: Any, client_for: Login
) -> None:
    client = client_for(dispatcher)
    first, second = _key(client.get(_url(survey)).content.decode()), _key(client.get(_url(survey)).content.decode())
    assert first != second
    answers = {survey.nps.field: "9", survey.visit.field: choice(survey.visit, "One")}

    assert client.post(_url(survey), {"form_key": first, **answers}).status_code == 302
    assert client.post(_url(survey), {"form_key": first, **answers}).status_code == 302
    assert Response.objects.count() == 1
    assert Entry.objects.filter(data__do="phone_response").count() == 1

    # Another call is another form: a second response.
    assert client.post(_url(survey), {"form_key": second, **answers}).status_code == 302
    assert Response.objects.count() == 2


def test_a_refused_form_keeps_its_key_and_a_made_up_key_is_no_key(
    survey: Survey, dispatcher: Any, supervisor: Any, client_for: Login
) -> None:
    client = client_for(dispatcher)
    key = _key(client.get(_url(survey)).content.decode())
    refused = client.post(_url(survey), {"form_key": key, survey.nps.field: "3"})  # a detractor must say why
    assert refused.status_code == 422 and _key(refused.content.decode()) == key
    forged = client.post(_url(survey), {"form_key": '"><script>x</script>', survey.nps.field: "3"})
    assert forged.status_code == 422 and "<script>x" not in forged.content.decode()
    for _ in range(2):  # without a usable key, each send is its own response (as before keys existed)
        client.post(_url(survey), {"form_key": "x" * 32, survey.nps.field: "9"})
    assert Response.objects.count() == 2

    # The key of one questionnaire's form names nothing in another's.
    other = build(supervisor)
    assert client.post(_url(survey), {"form_key": key, survey.nps.field: "9"}).status_code == 302
    other_url = f"/staff/questionnaires/{other.questionnaire.pk}/phone/"
    assert client.post(other_url, {"form_key": key, other.nps.field: "9"}).status_code == 302
    assert Response.objects.filter(form_key=key).count() == 2


def test_phone_responses_without_an_invitation_are_limited_per_operator(
    survey: Survey, dispatcher: Any, supervisor: Any, client_for: Login, settings: Any
) -> None:
    settings.FANKUI_RATE_LIMITS = {**settings.FANKUI_RATE_LIMITS, "phone_answer": (2, 3600)}
    client = client_for(dispatcher)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    answers = {survey.nps.field: "9", survey.visit.field: choice(survey.visit, "One")}
    sent = [client.post(_url(survey), {"form_key": phone_key(), **answers}) for _ in range(3)]

    assert [r.status_code for r in sent[:2]] == [302, 302]
    held = sent[2]
    assert held.status_code == 429 and int(held["Retry-After"]) > 0
    # The form comes back as it was filled in, nothing recorded; another operator is not held back.
    html = held.content.decode()
    assert 'id="phone-form"' in html and "Too many requests from you" in html
    assert re.search(rf'name="{survey.nps.field}" value="9"[^>]*checked', html)
    assert Response.objects.count() == 2
    assert client_for(supervisor).post(_url(survey), {"form_key": phone_key(), **answers}).status_code == 302
    assert Response.objects.count() == 3


def phone_key() -> str:
    from fankui.questionnaires.services.phone import new_form_key

    return new_form_key()
