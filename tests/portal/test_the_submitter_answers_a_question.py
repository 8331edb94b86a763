"""The submitter answers staff's question (补充材料) on the tracking page with words, photos or PDFs: the answer is
the case's supplement on the web channel (``cases.services.supplements``, the door e-mail replies and Open311 updates
use), the deadlines run again, staff are told; a bad file is refused with the words kept and nothing stored."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from fankui.accounts.models import Department, User
from fankui.audit.models import Event
from fankui.cases.models import Case, Supplement
from fankui.cases.queries import supplement_files
from fankui.cases.services import moves
from fankui.core import codes
from fankui.intake.models import StoredFile
from fankui.notify.models import Message
from fankui.sla.defaults import ensure_defaults
from fankui.sla.models import Clock, InfoRequest
from fankui.sla.services import waiting
from tests import factories

from .conftest import png_file

pytestmark = pytest.mark.django_db
TOKEN = re.compile(r'name="token" value="([0-9a-f]{32})"')
QUESTION = "请提供具体门牌号和现场照片。"


@pytest.fixture
def case(dispatcher: User, handler: User, dept: Department) -> Case:
    """A case in progress whose handler asked the submitter a question: its deadlines are paused."""
    ensure_defaults()
    c = factories.case("小区门口的路灯坏了一个月，请尽快修理。", contact_email="wang@example.com")
    moves.accept(c, dispatcher)
    moves.dispatch(c, dispatcher, dept)
    moves.start(c, handler)
    waiting.request_information(c, handler, QUESTION)
    return c


def paused(case: Case) -> bool:
    return Clock.objects.filter(case=case, stopped_at__isnull=True, paused_at__isnull=False).exists()


def form(client: Client, case: Case, **fields: Any) -> dict[str, Any]:
    """What the tracking page's answer form posts, with the token of a freshly rendered page."""
    page = client.get(f"/track/{case.tracking_code}/").content.decode()
    assert QUESTION in page and 'enctype="multipart/form-data"' in page
    match = TOKEN.search(page)
    assert match, "the answer form carries a per-render token"
    return {"token": match.group(1), **fields}


def jpeg_file(name: str) -> io.BytesIO:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (20, 120, 200)).save(buffer, format="JPEG")
    buffer.seek(0)
    buffer.name = name
    return buffer


def answer(client: Client, case: Case, data: dict[str, Any], code: str | None = None) -> Any:
    return client.post(f"/track/{code or case.tracking_code}/answer/", data)


def stored_on_disk() -> list[Path]:
    root = Path(django_settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_an_answer_in_words_is_a_web_supplement_that_resumes_the_deadlines(
    en: Client, case: Case, handler: User
) -> None:
    assert paused(case)
    response = answer(en, case, form(en, case, answer="人民路88号3单元。\r\n路灯在门口东侧。"))

    assert response.status_code == 302 and response["Location"] == f"/track/{case.tracking_code}/"
    supplement = Supplement.objects.get(case=case)
    assert (supplement.channel, supplement.from_contact, supplement.answers_request) == ("web", True, True)
    assert supplement.text == "人民路88号3单元。\n路灯在门口东侧。"
    assert InfoRequest.objects.get(case=case).answer == supplement.text
    assert not paused(case)
    # The timeline: the supplement (without words: the SLA's step shows them) and the public "Handling resumed".
    assert Event.objects.filter(case=case, action="supplement", data__channel="web").exists()
    resumed = Event.objects.get(case=case, action="sla_resumed")
    assert resumed.public and resumed.actor_kind == "citizen"
    # The handling department hears that the submitter wrote, by the supplement's one notice.
    assert Message.objects.filter(key__startswith=f"staff:case:{case.pk}:supplement:{supplement.pk}").exists()
    page = en.get(response["Location"]).content.decode()
    assert "Thank you, your answer was sent." in page
    assert "We need more information from you" not in page and "Handling resumed" in page
    staff = Client(HTTP_ACCEPT_LANGUAGE="en")
    staff.force_login(handler)
    assert "路灯在门口东侧" in staff.get(f"/staff/cases/{case.pk}/").content.decode()


def test_photos_come_with_the_answer_checked_and_stored_as_the_web_forms(en: Client, case: Case) -> None:
    data = form(en, case, answer="照片见附件。", attachments=[png_file("门口.png"), jpeg_file("路灯.jpg")])
    response = answer(en, case, data)

    assert response.status_code == 302
    assert "Thank you, your answer was sent, with 2 attachment(s)." in en.get(response["Location"]).content.decode()
    files = supplement_files(case)
    assert sorted((f.original_name, f.content_type) for f in files) == [
        ("路灯.jpg", "image/jpeg"),
        ("门口.png", "image/png"),
    ]
    assert all(f.file.name.startswith("supplements/") for f in files)
    assert not paused(case)
    event = Event.objects.get(case=case, action="supplement")
    assert event.data["files"] == 2 and event.data["refused"] == 0


def test_photos_alone_are_an_answer(en: Client, case: Case) -> None:
    response = answer(en, case, form(en, case, answer="", attachments=[png_file("现场.png")]))
    assert response.status_code == 302
    assert len(supplement_files(case)) == 1
    assert not paused(case)


@pytest.mark.parametrize(
    ("language", "refused", "again"),
    [
        ("en", "“现场.jpg” is not a picture (JPEG, PNG, GIF, WebP) or a PDF.", "please choose your photos or PDF"),
        ("zh-hans", "“现场.jpg”不是图片（JPEG、PNG、GIF、WebP）或 PDF 文件。", "请重新选择照片或 PDF 文件"),
    ],
)
def test_a_bad_file_refuses_the_answer_keeps_the_words_and_stores_nothing(
    case: Case, language: str, refused: str, again: str
) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    fake = SimpleUploadedFile("现场.jpg", b"MZ\x90\x00 a program, not a picture", content_type="image/jpeg")
    data = form(client, case, answer="人民路88号，照片附后。", attachments=[png_file("好的.png"), fake])

    response = answer(client, case, data)

    assert response.status_code == 422
    page = response.content.decode()
    assert refused in page and again in page
    assert "人民路88号，照片附后。</textarea>" in page  # the words are kept in the form
    assert QUESTION in page  # on the tracking page, under the question
    assert not Supplement.objects.exists() and not StoredFile.objects.exists()
    assert stored_on_disk() == []  # not even the good photo was written
    assert paused(case) and InfoRequest.objects.get(case=case).resumed_at is None
    assert not Event.objects.filter(case=case, action__in=["supplement", "sla_resumed"]).exists()


def test_a_file_over_the_size_limit_is_refused(en: Client, case: Case, settings: Any) -> None:
    settings.FANKUI_MAX_ATTACHMENT_BYTES = 1024 * 1024
    big = SimpleUploadedFile("scan.pdf", b"%PDF-1.4\n" + b"0" * (1024 * 1024), content_type="application/pdf")
    response = answer(en, case, form(en, case, answer="扫描件", attachments=[big]))
    assert response.status_code == 422
    assert "“scan.pdf” is larger than 1 MB." in response.content.decode()
    assert not Supplement.objects.exists() and paused(case)


def test_an_empty_or_too_long_answer_is_refused_with_the_reason(en: Client, case: Case, settings: Any) -> None:
    empty = answer(en, case, form(en, case, answer="   "))
    assert empty.status_code == 422
    assert "Write something, or attach a picture or a PDF." in empty.content.decode()
    settings.FANKUI_MAX_BODY_CHARS = 20
    long = answer(en, case, form(en, case, answer="长" * 21))
    assert long.status_code == 422
    assert "The text is too long: 20 characters at most, this one has 21." in long.content.decode()
    assert not Supplement.objects.exists() and paused(case)


def test_without_an_open_question_nothing_is_kept(
    en: Client, dispatcher: User, handler: User, dept: Department
) -> None:
    ensure_defaults()
    c = factories.case_in("in_progress", dispatcher=dispatcher, lead=dept, handler=handler)
    response = answer(en, c, {"answer": "补充一下"})
    assert response.status_code == 302
    assert "No information request is open on this case." in en.get(response["Location"]).content.decode()
    assert not Supplement.objects.exists()


def test_the_same_form_sent_twice_is_one_answer_and_a_later_one_is_refused(en: Client, case: Case) -> None:
    data = form(en, case, answer="人民路88号。", attachments=[png_file("现场.png")])
    first = answer(en, case, data)
    data["attachments"] = [png_file("现场.png")]
    second = answer(en, case, data)  # a double tap, or Back and send again

    assert first.status_code == second.status_code == 302
    assert "This answer had already been sent." in en.get(second["Location"]).content.decode()
    later = answer(en, case, {"answer": "还有一点", "token": "0" * 32})
    assert later.status_code == 302
    assert Supplement.objects.filter(case=case).count() == 1
    assert StoredFile.objects.count() == 1
    assert Event.objects.filter(case=case, action="sla_resumed").count() == 1


def test_an_attacker_learns_nothing_from_codes_and_writes_nowhere(en: Client, case: Case, settings: Any) -> None:
    unknown, malformed = codes.new_code(), "NOT-A-CODE"
    for code in (unknown, malformed, case.tracking_code.lower() + "x"):
        response = answer(en, case, {"answer": "<script>alert(1)</script>"}, code=code)
        assert response.status_code == 404
        assert "We could not find this request" in response.content.decode()
    # Another case's form token reaches only its own case: the key holds the case.
    other = factories.case("另一个请求", contact_email="li@example.com")
    data = form(en, case, answer="人民路88号。")
    assert answer(en, case, data).status_code == 302
    assert answer(en, other, data).status_code == 302  # no question waits there: refused, nothing kept
    assert list(Supplement.objects.values_list("case_id", flat=True)) == [case.pk]
    # Guessing is counted as tracking look-ups are.
    settings.FANKUI_RATE_LIMITS = {**settings.FANKUI_RATE_LIMITS, "track": (2, 3600)}
    guesses = [answer(en, case, {"answer": "x"}, code=codes.new_code()).status_code for _ in range(3)]
    assert guesses[-1] == 429


def test_answers_are_throttled_with_the_words_kept(en: Client, case: Case, settings: Any) -> None:
    settings.FANKUI_RATE_LIMITS = {**settings.FANKUI_RATE_LIMITS, "answer": (0, 3600)}
    response = answer(en, case, form(en, case, answer="人民路88号。"))
    assert response.status_code == 429 and response["Retry-After"]
    assert "人民路88号。</textarea>" in response.content.decode()
    assert not Supplement.objects.exists()


def test_refused_answers_count_against_the_answer_limit_too(en: Client, case: Case, settings: Any) -> None:
    settings.FANKUI_MAX_BODY_CHARS = 20
    settings.FANKUI_RATE_LIMITS = {**settings.FANKUI_RATE_LIMITS, "answer": (2, 3600)}
    refused = [answer(en, case, form(en, case, answer="长" * 21)).status_code for _ in range(2)]
    # The limit is used up by the refused forms: a valid one now waits too, its words kept.
    response = answer(en, case, form(en, case, answer="人民路88号。"))
    assert refused == [422, 422]
    assert response.status_code == 429 and response["Retry-After"]
    assert "人民路88号。</textarea>" in response.content.decode()
    assert not Supplement.objects.exists() and paused(case)


def test_opening_the_address_goes_to_the_question(en: Client, case: Case) -> None:
    response = en.get(f"/track/{case.tracking_code}/answer/")
    assert response.status_code == 302
    assert response["Location"] == f"/track/{case.tracking_code}/#expected"
    assert not Supplement.objects.exists()


def test_a_full_attachment_store_keeps_nothing_of_the_answer(
    en: Client, case: Case, monkeypatch: pytest.MonkeyPatch
) -> None:
    from .test_a_full_attachment_store_keeps_nothing import _disk_full_after

    _disk_full_after(monkeypatch, files=1)  # the first photo is written, the second fills the disk
    data = form(en, case, answer="两张现场照片。", attachments=[png_file("a.png"), png_file("b.png")])
    response = answer(en, case, data)

    assert response.status_code == 503 and response["Retry-After"]
    page = response.content.decode()
    assert "nothing was stored" in page and "两张现场照片。</textarea>" in page
    assert not Supplement.objects.exists() and not StoredFile.objects.exists()
    assert stored_on_disk() == []
    assert paused(case)
