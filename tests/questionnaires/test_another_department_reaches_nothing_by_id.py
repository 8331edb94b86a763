"""Every staff address of a questionnaire probed by id from outside its scope: another department's head gets a 404
for all of them (the questionnaire does not exist for them), a member of its own department who may not build gets
a 403 for every change and every export, and someone signed out goes to the login. Nothing changes, and the audit
trail records the looks and exports that happened, never a refused one."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from fankui.accounts.models import Department, Role
from fankui.audit.models import Entry
from fankui.questionnaires.models import Invitation, Page, Question, Questionnaire, State
from fankui.questionnaires.services import distribution
from fankui.questionnaires.services.answering import submit
from tests import factories

from .conftest import Survey, build


class Addresses:
    """A questionnaire's staff addresses: pages that read it, forms that change it, changes posted, exports."""

    def __init__(self, survey: Survey) -> None:
        page = Page.objects.filter(version=survey.questionnaire.current_version_id).order_by("position").first()
        assert page is not None
        base = f"/staff/questionnaires/{survey.questionnaire.pk}"
        q = survey.visit.key
        self.reads = [f"{base}/{a}" for a in ("", "qr.svg", "qr.png", "invitations/", "results/", "results/texts/")]
        self.forms = [f"{base}/{a}" for a in ("settings/", "pages/new/", f"pages/{page.key}/", "questions/new/")]
        self.forms.append(f"{base}/questions/{q}/")
        self.changes: list[tuple[str, dict[str, Any]]] = [
            (f"{base}/settings/", {"title_zh": "改掉"}),
            (f"{base}/state/closed/", {}),
            (f"{base}/state/published/", {}),
            (f"{base}/pages/new/", {"title_zh": "新页"}),
            (f"{base}/pages/{page.key}/", {"title_zh": "改页"}),
            (f"{base}/pages/{page.key}/delete/", {}),
            (f"{base}/questions/new/", {"kind": "text", "text_zh": "新题", "page": page.key}),
            (f"{base}/questions/{q}/", {"kind": "text", "text_zh": "改题", "page": page.key}),
            (f"{base}/questions/{q}/delete/", {}),
            (f"{base}/questions/{q}/move/down/", {}),
            (f"{base}/invitations/send/", {}),
            (f"{base}/invitations/remind/", {}),
            (f"{base}/results/link/", {"answers": ["1"], "action": "1"}),
        ]
        self.exports = [f"{base}/results/export/?format=csv", f"{base}/results/export/?format=xlsx"]


def state_of(questionnaire: Questionnaire) -> tuple[Any, ...]:
    questionnaire.refresh_from_db()
    return (
        questionnaire.title_zh,
        questionnaire.state,
        questionnaire.current_version_id,
        Page.objects.count(),
        sorted(Question.objects.values_list("key", "position", "text_zh")),
        Invitation.objects.filter(sent_at__isnull=False).count(),
    )


@pytest.fixture
def theirs(supervisor: Any, dept: Department) -> Survey:
    survey = build(supervisor, department=dept)
    distribution.add_invitations(supervisor, survey.questionnaire, b"a@example.cn\n13800138000\n")
    submit(survey.refresh(), {survey.nps.key: "3", survey.why.key: "排队太久"})
    return survey


def test_another_departments_head_gets_a_404_for_every_address(
    theirs: Survey, other_dept: Department, client_for: Any
) -> None:
    outsider = client_for(factories.user(Role.DEPT_HEAD, other_dept))
    before, entries = state_of(theirs.questionnaire), Entry.objects.count()
    to = Addresses(theirs)
    for address in to.reads + to.forms + to.exports:
        assert outsider.get(address).status_code == 404, address
    for address, data in to.changes:
        assert outsider.post(address, data).status_code == 404, address
    assert state_of(theirs.questionnaire) == before
    assert Entry.objects.count() == entries  # a refusal is no look and no export
    # The same for a questionnaire that does not exist, and for an id no database holds.
    for pk in (theirs.questionnaire.pk + 1000, 10**20):
        assert outsider.get(f"/staff/questionnaires/{pk}/results/").status_code == 404


def test_a_reader_of_the_department_gets_a_403_for_every_change_and_export(
    theirs: Survey, dept: Department, client_for: Any
) -> None:
    handler = factories.user(Role.HANDLER, dept)
    reader = client_for(handler)
    before = state_of(theirs.questionnaire)
    to = Addresses(theirs)
    for address in to.reads:
        assert reader.get(address).status_code == 200, address
    # What they looked at is recorded, as every look at results is.
    looked = set(Entry.objects.filter(kind="questionnaire", actor=handler).values_list("data__do", flat=True))
    assert looked == {"results", "text_answers"}
    entries = Entry.objects.count()
    for address in to.forms + to.exports:
        assert reader.get(address).status_code == 403, address
    for address, data in to.changes:
        assert reader.post(address, data).status_code == 403, address
    upload = reader.post(f"/staff/questionnaires/{theirs.questionnaire.pk}/invitations/", {"file": _csv()})
    assert upload.status_code == 403
    assert state_of(theirs.questionnaire) == before
    assert Entry.objects.count() == entries and Invitation.objects.count() == 2


def test_a_builder_of_the_department_is_recorded_for_each_look_and_export(
    theirs: Survey, dept: Department, client_for: Any
) -> None:
    head = client_for(factories.user(Role.DEPT_HEAD, dept))
    to = Addresses(theirs)
    for address in to.reads + to.forms + to.exports:
        assert head.get(address).status_code == 200, address
    assert Entry.objects.filter(kind="export", data__what="questionnaire").count() == 2


def test_someone_signed_out_goes_to_the_login(theirs: Survey) -> None:
    to = Addresses(theirs)
    for address in to.reads + to.forms + to.exports:
        response = Client().get(address)
        assert response.status_code == 302 and "login" in response["Location"], address
    for address, data in to.changes:
        assert Client().post(address, data).status_code == 302, address
    assert state_of(theirs.questionnaire)[1] == State.PUBLISHED


def _csv() -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("list.csv", b"b@example.cn\n", content_type="text/csv")
