from __future__ import annotations

import io
import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from django.test import Client
from PIL import Image

from fankui.accounts.models import Department, Role
from fankui.surveys import posters, windows
from fankui.surveys.models import ServicePoint, StaffBadge
from tests import factories

pytestmark = pytest.mark.django_db


def url(kind: str, pk: int, fmt: str) -> str:
    return f"/staff/surveys/windows/{kind}/{pk}/poster.{fmt}"


def test_department_staff_download_the_three_formats(
    point: ServicePoint, handler: object, client_for: Callable[..., Client]
) -> None:
    client = client_for(handler)

    png = client.get(url("w", point.pk, "png"))
    svg = client.get(url("w", point.pk, "svg"))
    pdf = client.get(url("w", point.pk, "pdf"))

    assert (png["Content-Type"], svg["Content-Type"], pdf["Content-Type"]) == (
        "image/png",
        "image/svg+xml",
        "application/pdf",
    )
    assert "attachment" in pdf["Content-Disposition"] and pdf["Content-Disposition"].endswith('.pdf"')
    image = Image.open(io.BytesIO(png.content))
    assert image.size == (1240, 1754)  # A4 at 150 dpi
    text = svg.content.decode()
    assert "A03 不动产登记" in text and windows.rating_url(point) in text
    assert pdf.content.startswith(b"%PDF")


def test_the_qr_code_holds_the_token_not_the_id(point: ServicePoint) -> None:
    page = posters.layout(point)

    assert point.token in windows.rating_url(point)
    assert f"/{point.pk}/" not in windows.rating_path(point)
    assert page.count >= 21 and len(page.modules) > page.count  # a real symbol, drawn module by module


def test_another_departments_staff_get_nothing(
    point: ServicePoint, badge: StaffBadge, other_dept: Department, client_for: Callable[..., Client]
) -> None:
    outsider = factories.user(Role.HANDLER, other_dept)
    client = client_for(outsider)

    assert client.get(url("w", point.pk, "png")).status_code == 404
    assert client.get(url("p", badge.pk, "pdf")).status_code == 404
    assert "不动产登记" not in client.get("/staff/surveys/windows/").content.decode()


def test_unknown_formats_kinds_and_ids_are_not_found(
    point: ServicePoint, supervisor: object, client_for: Callable[..., Client]
) -> None:
    client = client_for(supervisor)

    assert client.get(url("w", point.pk, "gif")).status_code == 404
    assert client.get(url("x", point.pk, "png")).status_code == 404
    assert client.get(url("w", 999999, "png")).status_code == 404
    assert client.get(url("w", point.pk, "png")).status_code == 200  # organisation-wide


def test_a_person_s_pdf_carries_their_name_in_the_report_s_chinese_font(
    badge: StaffBadge, tmp_path: Path, handler: object, client_for: Callable[..., Client]
) -> None:
    if posters.font_file() is None and not os.environ.get("CI"):
        pytest.skip("fonts-wqy-microhei is not installed (make install installs it)")
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    pdf = client_for(handler).get(url("p", badge.pk, "pdf")).content
    (tmp_path / "poster.pdf").write_bytes(pdf)

    text = subprocess.run(
        ["pdftotext", str(tmp_path / "poster.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    fonts = subprocess.run(["pdffonts", str(tmp_path / "poster.pdf")], capture_output=True, text=True).stdout

    assert "李红" in text and "1024" in text and "市民中心政务服务大厅" in text
    assert badge.token in text.replace("\n", "")
    assert "FankuiCJK" in fonts or "WenQuanYi" in fonts


def test_the_printed_code_scans_back_to_the_rating_page(point: ServicePoint, tmp_path: Path) -> None:
    if shutil.which("zbarimg") is None:
        pytest.skip("zbarimg (zbar-tools) is not installed: the code is not read back")
    (tmp_path / "poster.png").write_bytes(posters.png(point))

    read = subprocess.run(["zbarimg", "-q", "--raw", str(tmp_path / "poster.png")], capture_output=True, text=True)

    assert read.stdout.strip() == windows.rating_url(point)
