"""An HTML-only body full of "<" that begin no tag (html.parser rescans each one: "<a" * 80000 took ~29 s and
stalled the IMAP poll or an SMTP listener thread) is read as text; an enormous one is read up to its first
megabyte, with a note."""

from __future__ import annotations

import pytest
from django.utils import translation

from fankui.cases.models import Case
from fankui.mail import parsing, services

from .conftest import message

pytestmark = pytest.mark.django_db


def test_normal_html_converts_as_before() -> None:
    html = (
        "<html><head><style>p{color:red}</style></head><body><p>人民路的路灯坏了&nbsp;三天了。</p>"
        '<div>地点：<b>3号楼</b><br>门口</div><!-- a comment --><p><a href="https://map.example.cn/x">地图</a></p>'
    )

    assert (
        parsing.html_to_text(html)
        == "人民路的路灯坏了\xa0三天了。\n\n地点：3号楼\n门口\n\n地图 (https://map.example.cn/x)"
    )


def test_a_lone_less_than_sign_is_kept_as_text() -> None:
    assert parsing.html_to_text("<p>x<y and 3 < 5</p>") == "x<y and 3 < 5"


def test_hundreds_of_thousands_of_unterminated_tags_are_read_as_text() -> None:
    html = "<a" * 400_000  # 800 KB; quadratic before: many minutes

    assert parsing.html_to_text(html) == html


def test_an_enormous_html_body_is_read_up_to_its_limit_with_a_note() -> None:
    html = "<p>" + "路灯坏了。" * 300_000 + "</p><p>THE END</p>"  # 1.5 million characters

    with translation.override("en"):
        text = parsing.html_to_text(html)

    assert text.startswith("路灯坏了。路灯坏了。") and "THE END" not in text
    assert text.endswith("[The rest of the HTML e-mail was not read: it is longer than 1000000 characters.]")


def test_an_html_only_e_mail_of_unterminated_tags_still_becomes_a_case() -> None:
    record = services.handle(message(html="<p>路灯坏了</p>" + "<a" * 100_000))

    body = Case.objects.get(pk=record.case_id).submission.body
    assert body.startswith("路灯坏了\n\n<a<a<a")
