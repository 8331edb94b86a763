from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import polib
import pytest
from django.test import Client

from fankui.core import i18ncheck

# What gettext and Django substitute at run time: a translation that drops or renames one breaks the page (KeyError)
# or silently loses the value.
PYTHON_FORMAT = re.compile(r"%(?:\([^)]+\))?[#0 +-]*(?:\d+|\*)?(?:\.\d+)?[diouxXeEfFgGcrsa]")
DJANGO_VARIABLE = re.compile(r"{{\s*[^}]*?\s*}}")


def placeholders(text: str) -> Counter[str]:
    return Counter(PYTHON_FORMAT.findall(text.replace("%%", ""))) + Counter(
        re.sub(r"\s+", "", token) for token in DJANGO_VARIABLE.findall(text)
    )


@pytest.mark.parametrize("po_path", i18ncheck.CATALOGUES, ids=lambda path: path.parent.parent.name)
def test_the_catalogue_is_complete_and_compiled(po_path: Path) -> None:
    assert i18ncheck.problems(po_path) == []


@pytest.mark.parametrize("po_path", i18ncheck.CATALOGUES, ids=lambda path: path.parent.parent.name)
def test_every_translation_keeps_the_placeholders_of_its_msgid(po_path: Path) -> None:
    wrong = []
    for entry in polib.pofile(str(po_path)):
        if entry.obsolete:
            continue
        if entry.msgid_plural:
            expected = set(placeholders(entry.msgid)) | set(placeholders(entry.msgid_plural))
            for form, text in entry.msgstr_plural.items():
                if set(placeholders(text)) != expected:
                    wrong.append(f"{entry.msgid!r} [{form}]: {text!r}")
        elif placeholders(entry.msgstr) != placeholders(entry.msgid):
            wrong.append(f"{entry.msgid!r}: {entry.msgstr!r}")
    assert wrong == []


def test_the_placeholder_pattern_sees_both_kinds_of_placeholder() -> None:
    assert placeholders("Page %(n)s of %(total)s, %(m)d, {{ age }} ago") == Counter(
        ["%(n)s", "%(total)s", "%(m)d", "{{age}}"]
    )


@pytest.mark.django_db
def test_the_submission_page_is_in_chinese_by_default() -> None:
    page = Client().get("/").content.decode()
    assert '<html lang="zh-hans"' in page
    assert "提交" in page and "我要反映" in page and "您的诉求属于哪一类？" in page
    for english in ("Submit", ">Send<", "Tell us what you think", "What is it about?", "(optional)"):
        assert english not in page


@pytest.mark.django_db
def test_the_login_page_is_in_chinese_by_default() -> None:
    page = Client().get("/accounts/login/").content.decode()
    assert "工作人员登录" in page and "用户名" in page and "密码" in page
    for english in ("Staff sign in", "Sign in", "Username", "Password"):
        assert english not in page


@pytest.mark.django_db
def test_the_submission_page_is_in_english_when_the_browser_asks() -> None:
    page = Client(HTTP_ACCEPT_LANGUAGE="en").get("/").content.decode()
    assert '<html lang="en"' in page
    assert ">Send</button>" in page and "Tell us what you think" in page and "What is it about?" in page
    for chinese in ("提交", "我要反映", "您的诉求属于哪一类？"):
        assert chinese not in page


@pytest.mark.django_db
def test_the_login_page_is_in_english_when_the_browser_asks() -> None:
    page = Client(HTTP_ACCEPT_LANGUAGE="en").get("/accounts/login/").content.decode()
    assert "Staff sign in" in page and "Username" in page and "Password" in page
    for chinese in ("工作人员登录", "用户名", "登录"):
        assert chinese not in page
