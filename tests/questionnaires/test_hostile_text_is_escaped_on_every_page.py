"""Markup in every text a builder or a respondent can write (titles, introductions, page titles, questions, help,
scale labels, choices, matrix rows, written answers, the rows of an invitation list) is shown as text on every
questionnaire page, the staff's and the respondent's, and in the results' charts (inline SVG): nothing a browser
would run (``tests/xss.py``)."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.test import Client

from fankui.accounts.models import User
from fankui.questionnaires.models import Questionnaire, State
from fankui.questionnaires.services import building, distribution
from fankui.questionnaires.services.building import ChoiceInput, QuestionInput, Settings
from tests.xss import live_markup, payload

ESCAPED = "&lt;script&gt;"


def hostile(user: User) -> Questionnaire:
    """A questionnaire whose every text carries the payloads, built through the builder's services."""
    questionnaire = building.create(
        user,
        Settings(
            title_zh=payload("标题")[:200],
            title_en=payload("title")[:200],
            intro_zh=payload("说明"),
            intro_en=payload("intro"),
        ),
    )
    first = questionnaire.current_version.pages.get()  # type: ignore[union-attr]
    building.update_page(user, questionnaire, first.key, payload("页")[:200], payload("page")[:200])
    second = building.add_page(user, questionnaire, payload("第二页")[:200])

    def add(page: Any, **data: Any) -> Any:
        texts = {"text_zh": payload("问题")[:500], "help_zh": payload("帮助")[:500], "text_en": payload("q")[:500]}
        return building.save_question(user, questionnaire, QuestionInput(page_key=page.key, **{**texts, **data}))

    def labels(name: str, n: int) -> list[ChoiceInput]:
        return [ChoiceInput(payload(f"{name}{i}")[:200], payload(f"{name}-en{i}")[:200], score=i) for i in range(n)]

    nps = add(first, kind="nps", required=True, low_label_zh=payload("低")[:100], high_label_zh=payload("高")[:100])
    single = add(first, kind="single", options=labels("选项", 3))
    add(first, kind="scale", scale_max=5, low_label_zh=payload("差")[:100], high_label_zh=payload("好")[:100])
    add(second, kind="multiple", options=labels("多选", 3))
    add(second, kind="matrix", options=labels("列", 2), rows=labels("行", 2))
    add(second, kind="text", show_if_key=nps.key, show_if_min=0, show_if_max=10)
    building.set_state(user, questionnaire, State.PUBLISHED)
    questionnaire.refresh_from_db()
    questionnaire.single = single  # type: ignore[attr-defined]
    return questionnaire


def pages_of(questionnaire: Questionnaire) -> list[str]:
    return list(questionnaire.current_version.pages.order_by("position").values_list("key", flat=True))  # type: ignore[union-attr]


def answer(client: Client, address: str, questionnaire: Questionnaire, text: str) -> list[str]:
    """Answer page by page through the respondent's page, keeping the HTML of every page shown."""
    first, second = pages_of(questionnaire)
    version = questionnaire.current_version
    assert version is not None
    by_kind = {q.kind: q for q in version.questions.prefetch_related("choices")}
    shown = [client.get(address).content.decode()]
    single = by_kind["single"].choices.first()
    client.post(address, {"page": first, "go": "next", by_kind["nps"].field: "3", by_kind["single"].field: single.key})
    shown.append(client.get(address, {"p": "2"}).content.decode())
    # A refused page shows the posted text again.
    refused = client.post(address, {"page": second, "go": "submit", by_kind["text"].field: text + "\x07"})
    assert refused.status_code == 422
    shown.append(refused.content.decode())
    done = client.post(address, {"page": second, "go": "submit", by_kind["text"].field: text})
    assert done.status_code == 302
    shown.append(client.get(done["Location"]).content.decode())
    return shown


def test_nothing_a_builder_or_a_respondent_writes_runs_on_any_page(supervisor: User, client_for: Any) -> None:
    questionnaire = hostile(supervisor)
    written = payload("回答") + " 排队太久，窗口太少"
    html = answer(Client(), f"/q/{questionnaire.public_key}/", questionnaire, written)
    html += answer(Client(HTTP_ACCEPT_LANGUAGE="en"), f"/q/{questionnaire.public_key}/", questionnaire, written)
    # An invitation list whose other columns (a name, a note) and refused lines carry the payloads.
    listing = io.StringIO()
    csv.writer(listing).writerows(
        [
            ["a@example.cn", payload("name")],
            [payload("line"), "x"],
            ["\"<script>alert('xss5')</script>\"@example.cn", payload("note")],
        ]
    )
    report = distribution.add_invitations(supervisor, questionnaire, listing.getvalue().encode())
    assert report.added == 2 and len(report.problems) == 1
    invitation = questionnaire.invitations.order_by("id").first()
    assert invitation is not None
    html += answer(Client(), f"/q/i/{distribution.invitation_token(invitation)}/", questionnaire, written)
    staff = client_for(supervisor)
    base = f"/staff/questionnaires/{questionnaire.pk}"
    version = questionnaire.current_version
    assert version is not None
    addresses = ["/staff/questionnaires/", f"{base}/", f"{base}/settings/", f"{base}/invitations/"]
    addresses += [f"{base}/results/", f"{base}/results/texts/", f"{base}/questions/new/"]
    addresses += [f"{base}/pages/{key}/" for key in pages_of(questionnaire)]
    addresses += [f"{base}/questions/{q.key}/" for q in version.questions.all()]
    single = questionnaire.single  # type: ignore[attr-defined]
    nps = version.questions.get(kind="nps")
    addresses += [f"{base}/results/?by={single.key}&of={nps.key}", f"{base}/results/?by=via&of={single.key}"]
    for address in addresses:
        response = staff.get(address)
        assert response.status_code == 200, address
        html.append(response.content.decode())
    for page in html:
        assert live_markup(page) == [], page[:3000]
    results = html[-2]
    assert ESCAPED in results and "<svg" in results  # the charts' labels are there, as text
    building.set_state(supervisor, questionnaire, State.CLOSED)
    closed = Client().post(f"/q/{questionnaire.public_key}/", {"page": "x", "go": "next"})
    assert closed.status_code == 409 and live_markup(closed.content.decode()) == []
