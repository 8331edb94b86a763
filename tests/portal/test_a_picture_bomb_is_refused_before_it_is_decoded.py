"""A picture bomb in an upload is refused before its pixels are decoded, with a message that says why. Pillow refuses
one huge frame by itself, but decodes every frame of an animation to the whole canvas and checks each frame alone: a
GIF of a few kilobytes, a 5000 x 5000 canvas and a dozen one-pixel frames would take gigabytes to copy. Every
channel's uploads go through ``intake.services.check_uploads``; here the citizen's answer to staff's question."""

from __future__ import annotations

import re
import struct
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import translation
from PIL import Image

from fankui.accounts.models import Department, User
from fankui.cases.models import Case, Supplement
from fankui.cases.services import moves
from fankui.intake.models import StoredFile
from fankui.intake.services import check_uploads
from fankui.sla.defaults import ensure_defaults
from fankui.sla.services import waiting
from tests import factories

pytestmark = pytest.mark.django_db
TOKEN = re.compile(r'name="token" value="([0-9a-f]{32})"')


def animation(width: int, height: int, frames: int) -> bytes:
    """A GIF whose canvas is ``width`` x ``height`` and whose ``frames`` frames each draw one pixel: a few bytes a
    frame, a whole canvas each once decoded."""
    out = b"GIF89a" + struct.pack("<HHBBB", width, height, 0x80, 0, 0) + b"\x00\x00\x00\xff\xff\xff"
    out += b"\x21\xff\x0bNETSCAPE2.0\x03\x01\x00\x00\x00"  # loop forever
    for n in range(frames):
        out += b"\x21\xf9\x04\x04\x0a\x00\x00\x00"  # do not dispose, 0.1 s
        out += b"\x2c" + struct.pack("<HHHHB", n % width, 0, 1, 1, 0)
        out += b"\x02\x02\x4c\x01\x00"  # one white pixel, LZW
    return out + b"\x3b"


def upload(data: bytes, name: str = "现场.gif") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="image/gif")


def test_the_bomb_is_small_and_would_decode_to_more_than_pillow_allows_one_picture() -> None:
    data = animation(5000, 5000, 12)
    assert len(data) < 1000
    with Image.open(upload(data)) as image:
        assert image.size == (5000, 5000) and image.n_frames == 12
        assert 5000 * 5000 < Image.MAX_IMAGE_PIXELS < 5000 * 5000 * 12 / 2  # each frame passes Pillow's check


def test_check_uploads_refuses_it_with_the_reason() -> None:
    with translation.override("en"):
        good, problems = check_uploads([upload(animation(5000, 5000, 12))])
    assert good == []
    assert problems == ["“现场.gif” has too many pixels to be opened (an animation counts every frame)."]


def test_an_ordinary_animation_is_still_kept_with_its_frames() -> None:
    good, problems = check_uploads([upload(animation(200, 100, 30), "动图.gif")])
    assert problems == []
    ((kept, content_type),) = good
    with Image.open(kept) as image:
        assert (content_type, image.size, image.n_frames) == ("image/gif", (200, 100), 30)


@pytest.fixture
def case(dispatcher: User, handler: User, dept: Department) -> Case:
    ensure_defaults()
    c = factories.case("小区门口的路灯坏了一个月，请尽快修理。", contact_email="wang@example.com")
    moves.accept(c, dispatcher)
    moves.dispatch(c, dispatcher, dept)
    moves.start(c, handler)
    waiting.request_information(c, handler, "请提供现场照片。")
    return c


def test_the_citizen_s_answer_with_a_bomb_is_refused_with_the_reason_and_keeps_nothing(case: Case) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    page = client.get(f"/track/{case.tracking_code}/").content.decode()
    match = TOKEN.search(page)
    assert match
    data: dict[str, Any] = {
        "token": match.group(1),
        "answer": "照片附后。",
        "attachments": [upload(animation(5000, 5000, 12))],
    }
    response = client.post(f"/track/{case.tracking_code}/answer/", data)
    assert response.status_code == 422
    assert "现场.gif" in response.content.decode()
    assert not Supplement.objects.exists() and not StoredFile.objects.exists()
