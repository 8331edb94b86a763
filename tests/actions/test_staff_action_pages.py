from __future__ import annotations

import io
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from fankui.accounts.models import Department, Role, User
from fankui.actions.models import Action, State
from fankui.topics.models import Topic
from tests import factories

from .conftest import in_topic, make_action

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def _form(owner: User, dept: Department, **extra: str) -> dict[str, str]:
    return {
        "title": "修复路灯",
        "goal": "恢复照明",
        "measures": "更换灯具",
        "owner": str(owner.pk),
        "department": str(dept.pk),
        "deadline": "2026-12-31",
        "indicator": "none",
        "indicator_weeks": "4",
        "verify_after_days": "28",
        "milestones": "2026-11-30 现场勘查\n2026-12-20 施工完成",
        "public": "on",
        **extra,
    }


def test_an_analyst_creates_an_action_from_the_form(
    analyst: User, owner: User, dept: Department, client_for: Any
) -> None:
    case = factories.case()
    response = client_for(analyst).post("/staff/actions/new/", _form(owner, dept, cases=case.number))
    action = Action.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/staff/actions/{action.pk}/"
    assert action.milestones.count() == 2
    assert action.linked_count == 1


def test_bad_input_is_shown_beside_the_fields_and_kept(
    analyst: User, owner: User, dept: Department, client_for: Any
) -> None:
    response = client_for(analyst).post(
        "/staff/actions/new/", {**_form(owner, dept, deadline="2026-01-01"), "owner": ""}, **EN
    )
    text = response.content.decode()
    assert response.status_code == 422
    assert "The deadline is in the past." in text
    assert "Choose the person responsible" in text
    assert "修复路灯" in text
    assert not Action.objects.exists()


def test_the_form_is_prefilled_from_a_topic(analyst: User, topic: Topic, client_for: Any) -> None:
    in_topic(factories.case(), topic)
    response = client_for(analyst).get(f"/staff/actions/new/?topic={topic.pk}", **EN)
    assert response.status_code == 200
    assert topic.label in response.content.decode()


def test_handlers_cannot_open_the_create_form(handler: User, client_for: Any) -> None:
    assert client_for(handler).get("/staff/actions/new/").status_code == 403


def test_the_action_page_shows_steps_and_approval_works(
    analyst: User, owner: User, dept: Department, client_for: Any
) -> None:
    action = make_action(analyst, owner, dept, indicator="department_satisfaction")
    client = client_for(analyst)
    page = client.get(f"/staff/actions/{action.pk}/", **EN)
    assert page.status_code == 200
    assert "Approve" in page.content.decode()
    assert client.post(f"/staff/actions/{action.pk}/step/approve/").status_code == 302
    action.refresh_from_db()
    assert action.state == State.APPROVED


def test_an_impossible_step_is_a_message_not_an_error_page(
    analyst: User, owner: User, dept: Department, client_for: Any
) -> None:
    action = make_action(analyst, owner, dept)
    response = client_for(analyst).post(f"/staff/actions/{action.pk}/step/complete/", **EN)
    assert response.status_code == 409
    assert "is not possible now" in response.content.decode()
    response = client_for(analyst).post(f"/staff/actions/{action.pk}/step/abandon/", {"reason": ""}, **EN)
    assert response.status_code == 422


def test_the_owner_posts_progress_with_a_photo(analyst: User, owner: User, dept: Department, client_for: Any) -> None:
    action = make_action(analyst, owner, dept)
    client_for(analyst).post(f"/staff/actions/{action.pk}/step/approve/")
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4)).save(buffer, "PNG")
    photo = SimpleUploadedFile("p.png", buffer.getvalue(), content_type="image/png")
    client = client_for(owner)
    response = client.post(f"/staff/actions/{action.pk}/progress/", {"text": "已更换", "files": [photo]})
    assert response.status_code == 302
    evidence = action.updates.get().evidence.get()
    assert f"/staff/attachments/{evidence.token}/" in client.get(f"/staff/actions/{action.pk}/").content.decode()
    assert client.get(f"/staff/attachments/{evidence.token}/").status_code == 200
    assert client.get(f"/staff/actions/evidence/{evidence.token}/").status_code == 200  # the older address
    stranger = client_for(factories.user(Role.HANDLER, factories.department()))
    assert stranger.get(f"/staff/attachments/{evidence.token}/").status_code == 404


def test_actions_outside_ones_scope_do_not_exist(
    analyst: User, owner: User, dept: Department, other_dept: Department, client_for: Any
) -> None:
    action = make_action(analyst, owner, dept)
    outsider = factories.user(Role.HANDLER, other_dept)
    assert client_for(outsider).get(f"/staff/actions/{action.pk}/").status_code == 404
    assert client_for(outsider).get(f"/staff/actions/{2**70}/").status_code == 404
    assert client_for(owner).get("/staff/actions/", **EN).status_code == 200


def test_linking_an_unknown_case_from_the_page_says_so(
    analyst: User, owner: User, dept: Department, client_for: Any
) -> None:
    action = make_action(analyst, owner, dept)
    response = client_for(analyst).post(f"/staff/actions/{action.pk}/link/", {"cases": "2026-999999"}, **EN)
    assert response.status_code == 422
    assert "2026-999999" in response.content.decode()


def test_the_form_is_prefilled_from_selected_cases_and_from_bad_ratings(
    analyst: User, owner: User, dept: Department, client_for: Any
) -> None:
    case = factories.case()
    client = client_for(analyst)
    page = client.get(f"/staff/actions/new/?cases={case.pk}", **EN)
    assert "The cases you selected will be linked." in page.content.decode()
    response = client.post("/staff/actions/new/", _form(owner, dept, case_ids=str(case.pk), source="cases"))
    assert response.status_code == 302
    assert Action.objects.get().source == "cases"
    page = client.get("/staff/actions/new/?source=survey", **EN)
    assert 'name="from_bad_ratings"' in page.content.decode()
