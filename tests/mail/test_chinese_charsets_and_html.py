"""GBK, GB18030 (also when labelled gb2312), Big5 and UTF-8 bodies and subjects are read right; an HTML-only body
becomes plain text."""

from __future__ import annotations

from email.header import Header

import pytest

from fankui.cases.models import Case
from fankui.mail import parsing, services

from .conftest import message

pytestmark = pytest.mark.django_db

TEXT = "人民路的路灯坏了，晚上很黑。"
BIG5_TEXT = "人民路的路燈壞了，晚上很黑。"


def _raw(body: bytes, charset: str, subject: bytes = b"=?utf-8?b?6Lev54Gv?=", cte: str = "8bit") -> bytes:
    return (
        b"From: a@example.cn\r\nTo: b@example.cn\r\nSubject: " + subject + b"\r\nMessage-ID: <"
        + charset.encode() + b"@example.cn>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset="
        + charset.encode() + b"\r\nContent-Transfer-Encoding: " + cte.encode() + b"\r\n\r\n" + body + b"\r\n"
    )  # fmt: skip


@pytest.mark.parametrize(
    ("body", "label", "expected"),
    [
        (TEXT.encode("gbk"), "gbk", TEXT),
        (TEXT.encode("gb18030"), "gb18030", TEXT),
        (BIG5_TEXT.encode("big5"), "big5", BIG5_TEXT),
        (TEXT.encode("utf-8"), "utf-8", TEXT),
        # 镕 (U+9555) is in GBK but not GB2312: a message labelled gb2312 that uses it is read as GB18030.
        ("朱镕基路的路灯坏了".encode("gbk"), "gb2312", "朱镕基路的路灯坏了"),
        # No label at all: UTF-8 is tried first, then GB18030.
        (TEXT.encode("gbk"), "", TEXT),
    ],
)
def test_each_chinese_charset_becomes_the_cases_text(body: bytes, label: str, expected: str) -> None:
    record = services.handle(_raw(body, label or "unknown-8bit"))

    assert Case.objects.get(pk=record.case_id).submission.body == expected


def test_an_encoded_subject_in_gb2312_that_is_really_gbk_is_read() -> None:
    subject = Header("朱镕基路路灯", "gbk").encode().replace("gbk", "gb2312").encode()

    parsed = parsing.parse(_raw(TEXT.encode("gbk"), "gbk", subject=subject))

    assert parsed.subject == "朱镕基路路灯"


def test_an_html_only_body_becomes_text() -> None:
    html = (
        "<html><head><style>p{color:red}</style><script>alert(1)</script></head><body>"
        "<p>人民路的路灯坏了&nbsp;三天了。</p><div>地点：<b>3号楼</b><br>门口</div>"
        '<ul><li>第一</li><li>第二</li></ul><p><a href="https://map.example.cn/x">地图</a></p></body></html>'
    )
    record = services.handle(message(html=html))

    body = Case.objects.get(pk=record.case_id).submission.body
    assert (
        body == "人民路的路灯坏了\u00a0三天了。\n\n地点：3号楼\n门口\n- 第一\n- 第二\n\n地图 (https://map.example.cn/x)"
    )
    assert "alert" not in body and "color" not in body and "<" not in body
