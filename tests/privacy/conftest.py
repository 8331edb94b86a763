from __future__ import annotations

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from fankui.cases.models import Case
from fankui.notify.models import Message

NAME, PHONE, EMAIL, ADDRESS = "王建国", "13912345678", "wang.jianguo@example.cn", "幸福小区3栋201室"


def photo() -> SimpleUploadedFile:
    data = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(data, "PNG")
    return SimpleUploadedFile("门口.png", data.getvalue(), content_type="image/png")


def citizen() -> Client:
    client = Client()
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def sent_code(case: Case) -> str:
    """The code in the last message queued about ``case``."""
    body = Message.objects.filter(case_id=case.pk, key__startswith="privacy-code:").latest("id").body
    found = re.search(r"is (\d{6})\.", body)
    assert found, body
    return found.group(1)


def prove(client: Client, case: Case) -> None:
    client.post(f"/track/{case.tracking_code}/privacy/code/")
    answer = client.post(f"/track/{case.tracking_code}/privacy/verify/", {"code": sent_code(case)})
    assert answer.status_code == 302, answer.content.decode()


@pytest.fixture
def person_case(db: None) -> Case:
    from tests import factories

    return factories.case(
        body=f"我是{NAME}，住在{ADDRESS}，电话{PHONE}。门口的路灯坏了一个月。",
        title="路灯坏了",
        contact_name=NAME,
        contact_phone=PHONE,
        contact_email=EMAIL,
        address=ADDRESS,
        lat=28.2,
        lng=112.9,
        attachments=[photo()],
    )
