"""Exports and reports get masked data (issue 14, "personal data by need"). Today's only export is the analysis
report (HTML, xlsx, PDF: the staff report page, the monthly e-mail, ``fankui report``); there is no CSV export. This
test proves the report carries no personal data, so no reason needs stating to download it: figures, topic labels
made from masked titles and examples from the analysis's masked text, never a contact detail or the text as written.
A new export that carries personal data must ask ``accounts.permissions`` and record the look with its reason."""

from __future__ import annotations

import io
import shutil
import subprocess
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from django.test import Client

from fankui.accounts.models import Role, User
from fankui.analysis import tasks
from fankui.analysis.models import CaseAnalysis
from fankui.cases.models import Case
from tests import factories

pytestmark = pytest.mark.django_db

PHONE, ID_NUMBER, EMAIL, NAME = "13812345678", "11010519491231002X", "zhangsan@example.cn", "张三丰"
SECRETS = (PHONE, ID_NUMBER, EMAIL, NAME, "幸福路8号")


def _xlsx_text(content: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(content)) as book:
        return "".join(book.read(name).decode("utf-8", "replace") for name in book.namelist())


def test_every_report_format_carries_masked_text_only(
    walk: Callable[..., Case], client_for: Callable[[User], Client], tmp_path: Path
) -> None:
    for day in ("02", "03", "04", "05"):
        walk(
            f"2026-11-{day} 09:00",
            to="closed",
            title=f"{NAME}反映幸福小区路灯不亮 电话{PHONE}",
            body=f"我是{NAME}，身份证{ID_NUMBER}，电话{PHONE}，邮箱{EMAIL}，幸福小区路灯坏了一个月，晚上很黑。",
            contact_name=NAME,
            contact_phone=PHONE,
            contact_email=EMAIL,
            address="幸福路8号",
        )
    tasks.analyse_pending()
    assert CaseAnalysis.objects.filter(status=CaseAnalysis.Status.DONE, topic__isnull=False).count() == 4

    client = client_for(factories.user(Role.SUPERVISOR))
    url = "/staff/reports/?download=1&period=2026-11&format="
    html = client.get(url + "html").content.decode()
    xlsx = _xlsx_text(client.get(url + "xlsx").content)
    texts = {"html": html, "xlsx": xlsx, "dashboard": client.get("/staff/dashboard/?period=2026-11").content.decode()}
    if shutil.which("pdftotext"):
        (tmp_path / "r.pdf").write_bytes(client.get(url + "pdf").content)
        texts["pdf"] = subprocess.run(
            ["pdftotext", str(tmp_path / "r.pdf"), "-"], capture_output=True, check=True, text=True
        ).stdout

    assert "138****5678" in html  # the examples are there, masked
    for name, text in texts.items():
        for secret in SECRETS:
            assert secret not in text, (name, secret)
