"""Issue 14, item 8 and the uploads of item 10: a photo kept where it was taken (EXIF GPS) and the camera that took
it, and staff downloaded it unchanged; any bytes after ``%PDF-`` passed as a PDF and were shown inline.

Pictures are encoded again without their metadata, the orientation applied to the pixels, unless the submitter
ticks "share where my photos were taken" (then the GPS position alone stays); a PDF must be readable by a parser;
every stored file is served as a download."""

from __future__ import annotations

import io
from collections.abc import Callable
from fractions import Fraction
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import ExifTags, Image, PngImagePlugin
from pypdf import PdfWriter

from fankui.accounts.models import Role
from fankui.actions.services import moves as action_moves
from fankui.actions.workflow import Step
from fankui.cases.models import Case
from fankui.intake.models import StoredFile
from tests import factories

from .conftest import case_from_redirect

# 28°13'41.5"N 112°56'19.7"E: a flat in Changsha.
LATITUDE = ((28, 1), (13, 1), (415, 10))
LONGITUDE = ((112, 1), (56, 1), (197, 10))


def _exif(orientation: int = 6) -> Image.Exif:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Canon"
    exif[ExifTags.Base.Model] = "Canon EOS R5 serial 0123456789"
    exif[ExifTags.Base.Orientation] = orientation  # the camera was held upright: turn 90° clockwise to show
    exif[ExifTags.Base.DateTime] = "2026:11:15 07:31:02"
    exif[ExifTags.IFD.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "N",
        ExifTags.GPS.GPSLatitude: tuple(Fraction(*p) for p in LATITUDE),
        ExifTags.GPS.GPSLongitudeRef: "E",
        ExifTags.GPS.GPSLongitude: tuple(Fraction(*p) for p in LONGITUDE),
    }
    return exif


def phone_jpeg(name: str = "IMG_0042.jpg") -> SimpleUploadedFile:
    """A JPEG as a phone writes it: 60 wide, 20 high, stored sideways, with camera, time and GPS in its EXIF."""
    buffer = io.BytesIO()
    picture = Image.new("RGB", (60, 20), (200, 30, 30))
    picture.paste((30, 30, 200), (0, 0, 10, 20))  # a blue band on the left, to see the turn
    picture.save(buffer, "JPEG", exif=_exif(), quality=95, comment="home: 人民路88号".encode())
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def png_with_text() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "张三 13800138000")
    info.add_itxt("XML:com.adobe.xmp", "<x:xmpmeta><exif:GPSLatitude>28,13.69N</exif:GPSLatitude></x:xmpmeta>")
    Image.new("RGBA", (8, 8), (0, 200, 0, 128)).save(buffer, "PNG", pnginfo=info, exif=_exif(orientation=1))
    return SimpleUploadedFile("screen.png", buffer.getvalue(), content_type="image/png")


def real_pdf() -> SimpleUploadedFile:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    buffer = io.BytesIO()
    writer.write(buffer)
    return SimpleUploadedFile("证明.pdf", buffer.getvalue(), content_type="application/pdf")


def _stored(response: Any) -> tuple[Case, StoredFile, bytes]:
    assert response.status_code == 302, response.content.decode()[:500]
    case = case_from_redirect(response["Location"])
    item = case.submission.attachments.get()
    with item.file.open("rb") as handle:
        return case, item, handle.read()


def _download(item: StoredFile) -> Any:
    dispatcher = factories.user(Role.DISPATCHER, factories.department(is_dispatch_centre=True))
    client = Client()
    client.force_login(dispatcher)
    return client.get(f"/staff/attachments/{item.token}/")


@pytest.mark.django_db
def test_a_phone_photo_is_kept_without_its_place_camera_or_time_and_stands_upright(
    en: Client, fresh_form: Callable[..., dict[str, Any]]
) -> None:
    original = phone_jpeg()
    assert Image.open(io.BytesIO(original.read())).getexif().get_ifd(ExifTags.IFD.GPSInfo)  # it has GPS
    original.seek(0)
    case, item, content = _stored(en.post("/", fresh_form(attachments=[original])))
    picture = Image.open(io.BytesIO(content))
    assert picture.format == "JPEG" and item.content_type == "image/jpeg"
    assert dict(picture.getexif()) == {}
    assert "comment" not in picture.info and "exif" not in picture.info
    for trace in (b"Canon", b"0123456789", b"2026:11:15", "人民路".encode()):
        assert trace not in content
    assert picture.size == (20, 60)  # turned as the orientation said, so it stands as it was taken
    r, _g, b = picture.convert("RGB").getpixel((10, 2))  # type: ignore[misc]
    assert b > 150 and r < 100  # the blue band is now at the top
    assert item.size == len(content)
    assert not case.submission.photo_location_shared

    response = _download(item)
    assert b"".join(response.streaming_content) == content
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
def test_a_submitter_who_shares_the_location_keeps_the_gps_position_alone(
    en: Client, fresh_form: Callable[..., dict[str, Any]]
) -> None:
    form = fresh_form(attachments=[phone_jpeg()], share_photo_location="on")
    case, _item, content = _stored(en.post("/", form))
    exif = Image.open(io.BytesIO(content)).getexif()
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    assert gps[ExifTags.GPS.GPSLatitudeRef] == "N"
    assert [float(v) for v in gps[ExifTags.GPS.GPSLatitude]] == [float(Fraction(*p)) for p in LATITUDE]
    assert [float(v) for v in gps[ExifTags.GPS.GPSLongitude]] == [float(Fraction(*p)) for p in LONGITUDE]
    assert set(exif) == {ExifTags.IFD.GPSInfo}  # no camera, no time, no orientation (already applied)
    assert b"Canon" not in content
    assert case.submission.photo_location_shared


@pytest.mark.django_db
def test_the_form_offers_to_share_the_location_unticked(en: Client) -> None:
    page = en.get("/").content.decode()
    assert 'name="share_photo_location" id="id_share_photo_location" value="on" aria-describedby' in page
    assert "Share where my photos were taken" in page


@pytest.mark.django_db
def test_a_png_loses_its_exif_and_text_chunks(en: Client, fresh_form: Callable[..., dict[str, Any]]) -> None:
    _case, _item, content = _stored(en.post("/", fresh_form(attachments=[png_with_text()])))
    picture = Image.open(io.BytesIO(content))
    assert picture.format == "PNG" and picture.mode == "RGBA"
    assert dict(picture.getexif()) == {}
    assert not {"Author", "XML:com.adobe.xmp", "exif"} & set(picture.info)
    for trace in (b"Canon", b"13800138000", b"GPSLatitude", b"eXIf", b"tEXt", b"iTXt"):
        assert trace not in content


@pytest.mark.django_db
def test_evidence_of_an_action_goes_through_the_same_door(centre: Any, dept: Any) -> None:
    analyst = factories.user(Role.ANALYST, centre)
    owner = factories.user(Role.HANDLER, dept)
    action = factories.action(analyst, owner, dept)
    action_moves.transition(action, analyst, Step.APPROVE)
    update = action_moves.post_progress(action, owner, "已修复", [phone_jpeg()])
    with update.evidence.get().file.open("rb") as handle:
        content = handle.read()
    assert dict(Image.open(io.BytesIO(content)).getexif()) == {}
    assert b"Canon" not in content


@pytest.mark.django_db
def test_a_real_pdf_is_kept_as_sent_and_served_as_a_download(
    en: Client, fresh_form: Callable[..., dict[str, Any]]
) -> None:
    pdf = real_pdf()
    sent = pdf.read()
    pdf.seek(0)
    _case, item, content = _stored(en.post("/", fresh_form(attachments=[pdf])))
    assert (item.content_type, content) == ("application/pdf", sent)
    response = _download(item)
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "content",
    [
        b"%PDF-1.4\n<script>alert(1)</script>",
        b"%PDF-" + bytes(range(256)) * 4,
        b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF",
    ],
)
def test_bytes_after_pdf_that_are_no_pdf_are_refused(
    content: bytes, en: Client, fresh_form: Callable[..., dict[str, Any]]
) -> None:
    fake = SimpleUploadedFile("scan.pdf", content, content_type="application/pdf")
    response = en.post("/", fresh_form(attachments=[fake]))
    assert response.status_code == 200
    assert "“scan.pdf” is damaged or protected by a password and cannot be opened" in response.content.decode()
    assert not Case.objects.exists() and not StoredFile.objects.exists()


@pytest.mark.django_db
def test_a_pdf_that_needs_a_password_is_refused(en: Client, fresh_form: Callable[..., dict[str, Any]]) -> None:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.encrypt(user_password="secret", algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    locked = SimpleUploadedFile("locked.pdf", buffer.getvalue(), content_type="application/pdf")
    response = en.post("/", fresh_form(attachments=[locked]))
    assert response.status_code == 200
    assert "“locked.pdf” is damaged or protected by a password" in response.content.decode()


@pytest.mark.django_db
def test_a_picture_whose_pixels_are_cut_off_is_refused(en: Client, fresh_form: Callable[..., dict[str, Any]]) -> None:
    whole = phone_jpeg().read()
    cut = SimpleUploadedFile("cut.jpg", whole[: len(whole) // 2], content_type="image/jpeg")
    response = en.post("/", fresh_form(attachments=[cut]))
    assert response.status_code == 200
    assert not Case.objects.exists()
