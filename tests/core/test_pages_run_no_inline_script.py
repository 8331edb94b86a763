"""The Content-Security-Policy takes scripts and styles from the site's own files only: no template holds an inline
script, an inline event handler (onclick=...), a javascript: URL, a style element or a style attribute, and every
page is served with the policy."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = sorted((ROOT / "src" / "fankui").rglob("templates/**/*.html"))
# <script> with a src, or a data block the browser never runs (json_script, dashboard.js's chart data).
# The analysis report's HTML is a download read offline (Content-Disposition: attachment), with its styles inside.
DOWNLOADED = {"insights/report.html"}
ALLOWED_SCRIPT = re.compile(r"<script\b[^>]*\b(src=|type=\"application/json\")", re.I)


def _problems(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    found = []
    for match in re.finditer(r"<script\b[^>]*>", text, re.I):
        if not ALLOWED_SCRIPT.match(match.group(0)):
            found.append(f"inline script: {match.group(0)}")
    found += [f"event handler: {m.group(0)}" for m in re.finditer(r"\son[a-z]+\s*=", text, re.I)]
    found += [f"javascript: URL: {m.group(0)}" for m in re.finditer(r"javascript:", text, re.I)]
    if path.relative_to(path.parents[1]).as_posix() not in DOWNLOADED:
        found += [f"inline style: {m.group(0)}" for m in re.finditer(r"<style\b|\sstyle\s*=", text, re.I)]
    return found


def test_the_scanner_finds_each_kind_of_inline_script(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text(
        '<script>alert(1)</script><script src="/a.js"></script><script type="application/json">{}</script>'
        '<button onclick="go()">x</button><a href="javascript:go()">y</a><style>p {}</style><p style="x"></p>'
    )
    assert len(_problems(page)) == 5


def test_no_template_holds_inline_script() -> None:
    assert len(TEMPLATES) > 50
    found = {str(path.relative_to(ROOT)): problems for path in TEMPLATES if (problems := _problems(path))}
    assert found == {}


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/", "/track/", "/accounts/login/"])
def test_pages_are_served_with_the_policy_and_the_other_headers(client: Client, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 200
    policy = dict(
        directive.strip().split(" ", 1) for directive in response["Content-Security-Policy"].split(";") if directive
    )
    assert policy["script-src"] == "'self'"
    assert policy["style-src"] == "'self'"
    assert policy["default-src"] == "'self'"
    assert policy["object-src"] == "'none'"
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


@pytest.mark.django_db
def test_json_answers_carry_no_policy_but_pages_of_errors_and_the_api_docs_do(client: Client) -> None:
    answer = client.get("/api/v1/track/AAAAAAAAAA")
    assert answer["Content-Type"].startswith("application/json")
    assert "Content-Security-Policy" not in answer
    assert answer["X-Content-Type-Options"] == "nosniff"
    assert "Content-Security-Policy" in client.get("/api/v1/docs")
    assert "Content-Security-Policy" in client.get("/no/such/page/")
