"""FixMyStreet's POST servicerequestupdates: a citizen's comment on a report, sent by the client that sent the report,
becomes the case's supplement (补充) through the one service every channel uses: words, pictures checked and stored
as the web form's, the department told, an open request for information answered. The answer carries our
``update_id``; the same update twice is kept once; anything wrong is the specification's error list.

The PyPI package ``open311`` cannot post updates (nor anything: it is Python 2 only, docs/open311.md), so the posts
are the form-encoded and multipart bodies FixMyStreet's perllib/Open311.pm sends, through the test client."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from fankui.accounts.models import Department, User
from fankui.audit.models import Event
from fankui.cases.models import Case, Category, Supplement
from fankui.cases.services import moves, supplements
from fankui.notify.models import Message
from fankui.open311 import jurisdiction, services
from fankui.sla.models import InfoRequest
from fankui.sla.services.waiting import request_information

from .conftest import parsed, post_request
from .test_bad_input_gets_the_error_list import assert_errors

pytestmark = pytest.mark.django_db
EMAIL = "wang@example.cn"


@pytest.fixture
def request_id(en: Client, key: str, lamps: Category) -> str:
    [answer] = parsed(post_request(en, key, lamps, email=EMAIL, first_name="小明", last_name="王"))
    return str(answer["service_request_id"])


def post_update(client: Client, key: str, request_id: str, fmt: str = "json", **params: Any) -> Any:
    """What FixMyStreet posts for a comment (perllib/Open311.pm, its update parameters)."""
    data = {
        "api_key": key,
        # FixMyStreet sends the jurisdiction_id its body is configured with: ours, as discovery publishes it.
        "jurisdiction_id": jurisdiction.ours(),
        "service_request_id": request_id,
        "update_id": "8801",
        "updated_datetime": "2026-11-16T10:05:00+08:00",
        "status": "OPEN",
        "description": "灯还是不亮，今晚又黑了。",
        "first_name": "小明",
        "last_name": "王",
        "email": EMAIL,
        **params,
    }
    return client.post(f"/open311/v2/servicerequestupdates.{fmt}", {k: v for k, v in data.items() if v is not None})


def _png(name: str) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), (20, 30, 200)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def test_an_update_becomes_the_cases_supplement_and_answers_with_its_update_id(
    en: Client, key: str, request_id: str
) -> None:
    response = post_update(en, key, request_id)

    assert response.status_code == 200
    [answer] = parsed(response)
    supplement = Supplement.objects.get()
    assert (supplement.case_id, supplement.channel, supplement.from_contact) == (int(request_id), "open311", True)
    assert supplement.text == "灯还是不亮，今晚又黑了。"
    event = Event.objects.get(action=supplements.EVENT)
    assert answer == {"update_id": str(event.pk), "service_request_id": request_id}


def test_the_xml_answer_has_fixmystreets_shape(en: Client, key: str, request_id: str) -> None:
    root = parsed(post_update(en, key, request_id, fmt="xml"))

    assert root.tag == "service_request_updates"
    [update] = root.findall("request_update")
    assert update.findtext("update_id") == str(Event.objects.get(action=supplements.EVENT).pk)


def test_the_same_update_twice_is_kept_once(en: Client, key: str, request_id: str) -> None:
    first = parsed(post_update(en, key, request_id))
    again = parsed(post_update(en, key, request_id, fmt="json"))

    assert first == again and Supplement.objects.count() == 1


def test_pictures_are_stored_as_the_web_forms_and_links_are_kept_for_staff(
    en: Client, key: str, request_id: str
) -> None:
    response = post_update(
        en,
        key,
        request_id,
        photo1=_png("1.0.full.png"),
        photo2=SimpleUploadedFile("2.0.full.jpeg", b"not a picture at all", content_type="image/jpeg"),
        media_url=["https://fms.example.org/photo/c/8801.0.full.jpeg", "https://fms.example.org/photo/c/8801.1.jpeg"],
        status="FIXED",
    )

    assert response.status_code == 200, response.content
    supplement = Supplement.objects.get()
    assert [f.original_name for f in supplement.attachments.all()] == ["1.0.full.png"]
    assert "“2.0.full.jpeg”" in supplement.text
    assert "https://fms.example.org/photo/c/8801.1.jpeg" in supplement.text
    assert "FIXED" in supplement.text  # what the app says; the workflow is staff's
    assert Case.objects.get().state == "received"


def test_a_comment_by_another_user_of_the_app_is_not_the_submitters(en: Client, key: str, request_id: str) -> None:
    post_update(en, key, request_id, email="neighbour@example.cn", first_name="Li", last_name="-")

    assert Supplement.objects.get().from_contact is False


def test_the_contacts_update_answers_an_open_request_for_information(
    policies: int,
    en: Client,
    key: str,
    request_id: str,
    dispatcher: User,
    dept: Department,
    handler: User,
) -> None:
    handler.language = "en"
    handler.save(update_fields=["language"])
    case = Case.objects.get(pk=request_id)
    moves.accept(case, dispatcher)
    moves.dispatch(case, dispatcher, dept)
    moves.start(case, handler)
    request_information(case, handler, "请问是几号楼？")

    assert post_update(en, key, request_id, description="是3号楼。").status_code == 200

    info = InfoRequest.objects.get(case=case)
    assert (info.answer, info.resumed_at is not None) == ("是3号楼。", True)
    assert Supplement.objects.get().answers_request
    notice = Message.objects.get(user=handler, key__contains=":supplement:")
    assert notice.subject == f"Case {case.number}: the submitter wrote again" and "(Open311)" in notice.body


def test_the_clients_own_update_is_not_pulled_back_as_a_change(en: Client, key: str, request_id: str) -> None:
    post_update(en, key, request_id)

    assert parsed(en.get(f"/open311/v2/servicerequestupdates.json?api_key={key}")) == []


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_only_the_client_that_sent_a_request_may_update_it(
    en: Client, key: str, request_id: str, lamps: Category, fmt: str
) -> None:
    _other, other_key = services.issue_client("别的App")

    assert_errors(post_update(en, other_key, request_id, fmt=fmt), 404, request_id)
    assert_errors(post_update(en, key, "999999", fmt=fmt), 404, "999999")
    assert_errors(post_update(en, key, "²", fmt=fmt), 404)  # passes str.isdigit, fails int (core.text.as_id)
    assert_errors(post_update(en, key, "١", fmt=fmt), 404)  # an Arabic-Indic 1 is not request 1
    assert not Supplement.objects.exists()


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_bad_updates_get_the_error_list(en: Client, key: str, request_id: str, fmt: str) -> None:
    assert_errors(post_update(en, "", request_id, fmt=fmt), 403, "api_key")
    assert_errors(post_update(en, "o311_nope", request_id, fmt=fmt), 403, "api_key")
    assert_errors(post_update(en, key, request_id, fmt=fmt, update_id=None), 400, "update_id")
    assert_errors(post_update(en, key, request_id, fmt=fmt, status="EXPLODED"), 400, "status", "FIXED")
    assert_errors(post_update(en, key, request_id, fmt=fmt, description=""), 400, "description")
    assert_errors(post_update(en, key, request_id, fmt=fmt, media_url="javascript:alert(1)"), 400, "media_url")
    assert_errors(post_update(en, key, request_id, fmt=fmt, description="灯\x00"), 400, "description")
    assert not Supplement.objects.exists()


def test_a_clients_updates_count_against_its_own_limit(en: Client, key: str, request_id: str, settings: Any) -> None:
    settings.FANKUI_RATE_LIMITS = {"open311_client": (1, 3600)}  # the site's limit per client: one post an hour

    assert post_update(en, key, request_id).status_code == 200
    response = post_update(en, key, request_id, update_id="8802")

    assert_errors(response, 429)
    assert response["Retry-After"] and Supplement.objects.count() == 1
