"""补充: what someone writes on a case after it was opened, on any channel, goes through one service: its attachments
are checked and stored as the web form's are (one bad file costs only itself), it is on the staff timeline, the lead
department is told, the same message twice is kept once, and erasure removes its words and files."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils.html import escape
from PIL import ExifTags, Image

from fankui.accounts.models import User
from fankui.audit.labels import with_words
from fankui.audit.models import Access
from fankui.cases.models import Case, Supplement
from fankui.cases.queries import timeline
from fankui.cases.services import supplements
from fankui.core.errors import ValidationFailed
from fankui.intake.models import StoredFile
from fankui.notify.models import Message
from fankui.privacy.services import anonymise

pytestmark = pytest.mark.django_db


def _photo(name: str = "路灯.jpg") -> SimpleUploadedFile:
    exif = Image.Exif()
    exif[ExifTags.Base.Model] = "Canon EOS R5 serial 0123456789"
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buffer, format="JPEG", exif=exif)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def _program() -> SimpleUploadedFile:
    return SimpleUploadedFile("photo.jpg", b"MZ\x90\x00 this is a program", content_type="image/jpeg")


def test_good_files_are_stored_like_the_web_forms_and_a_bad_one_is_named(case_in: Callable[[str], Case]) -> None:
    case = case_in("in_progress")

    supplement, created = supplements.add_supplement(
        case, "灯还是不亮，补充照片。", channel="email", from_contact=True, attachments=[_photo(), _program()]
    )

    assert created and supplement.channel == "email"
    [stored] = supplement.attachments.all()
    assert (stored.original_name, stored.content_type) == ("路灯.jpg", "image/jpeg")
    with stored.file.open("rb") as handle, Image.open(handle) as image:
        assert ExifTags.Base.Model not in image.getexif()  # encoded again without the camera's details
    assert supplement.text.startswith("灯还是不亮，补充照片。")
    assert "“photo.jpg”" in supplement.text  # staff read which file was not kept, and why
    [event] = timeline(case, public=False).filter(action=supplements.EVENT)
    assert (event.data["files"], event.data["refused"], event.actor_kind) == (1, 1, "citizen")


def test_staff_who_see_the_case_open_its_files_and_each_look_is_recorded(
    case_in: Callable[[str], Case], page_for: Callable[[User], Client], handler: User, outsider: User
) -> None:
    case = case_in("in_progress")
    supplement, _created = supplements.add_supplement(
        case, "补充照片", channel="open311", from_contact=True, attachments=[_photo()]
    )
    token = supplement.attachments.get().token

    page = page_for(handler).get(f"/staff/cases/{case.pk}/").content.decode()
    assert f"/staff/attachments/{token}/" in page and "补充照片" in page
    assert page_for(handler).get(f"/staff/attachments/{token}/").status_code == 200
    assert page_for(outsider).get(f"/staff/attachments/{token}/").status_code == 404
    assert list(Access.objects.filter(case=case, user=handler, what="attachment").values_list("user", flat=True)) == [
        handler.pk
    ]


def test_the_same_message_twice_is_kept_once(case_in: Callable[[str], Case]) -> None:
    case = case_in("dispatched")

    first, created = supplements.add_supplement(case, "补充", channel="email", from_contact=True, key="email:abc")
    again, created_again = supplements.add_supplement(case, "补充", channel="email", from_contact=True, key="email:abc")

    assert (created, created_again, again.pk) == (True, False, first.pk)
    assert timeline(case, public=False).filter(action=supplements.EVENT).count() == 1


def test_nothing_written_and_nothing_kept_is_refused(case_in: Callable[[str], Case]) -> None:
    case = case_in("dispatched")

    with pytest.raises(ValidationFailed) as error:
        supplements.add_supplement(case, "  ", channel="open311", from_contact=True)

    assert "text" in error.value.errors and not Supplement.objects.exists()


def test_the_lead_department_is_told_without_the_words(case_in: Callable[[str], Case], handler: User) -> None:
    handler.language = "en"
    handler.save(update_fields=["language"])
    case = case_in("dispatched")

    supplement, _created = supplements.add_supplement(case, "我家住3号楼", channel="open311", from_contact=True)

    notice = Message.objects.get(user=handler, key=f"staff:case:{case.pk}:supplement:{supplement.pk}")
    assert notice.subject == f"Case {case.number}: the submitter wrote again"
    assert "(Open311)" in notice.body and "3号楼" not in notice.body


def test_a_strangers_words_are_marked_on_the_timeline(case_in: Callable[[str], Case]) -> None:
    case = case_in("dispatched")

    supplements.add_supplement(case, "我也看到了", channel="email", from_contact=False)

    [event] = with_words(timeline(case, public=False).filter(action=supplements.EVENT))
    assert event.message == "我也看到了" and event.actor_kind == "system"
    assert "Not from the address on file" in supplements.detail(event)


def test_erasure_masks_the_words_and_deletes_the_files(case_in: Callable[[str], Case]) -> None:
    case = case_in("in_progress")
    supplement, _created = supplements.add_supplement(
        case, "我叫张三，电话13812345678", channel="email", from_contact=True, attachments=[_photo()]
    )
    stored = supplement.attachments.get()
    storage, name = stored.file.storage, stored.file.name

    anonymise(case, by="citizen")

    assert "13812345678" not in Supplement.objects.get().text
    assert not StoredFile.objects.filter(pk=stored.pk).exists() and not storage.exists(name)


@pytest.mark.parametrize(
    "words", ['<script>alert("补充")</script>', '=HYPERLINK("http://evil.example/","点此")', "+SUM(1,1)"]
)
def test_a_supplements_words_are_shown_as_written_never_run(
    case_in: Callable[[str], Case], page_for: Callable[[User], Client], handler: User, words: str
) -> None:
    """Whatever channel brought them (a mail, an Open311 update), the words are text on the staff page: escaped."""
    case = case_in("in_progress")
    supplements.add_supplement(case, words, channel="open311", from_contact=True)

    page = page_for(handler).get(f"/staff/cases/{case.pk}/").content.decode()

    assert "<script>alert(" not in page
    assert escape(words) in page
