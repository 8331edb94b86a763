"""`fankui check --deploy` says nothing with the production settings docs/security.md gives (HTTPS behind a proxy):
secure cookies, HSTS, the redirect to https, a real secret key, DEBUG off. Each is one FANKUI_* variable."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

PRODUCTION = {
    "FANKUI_SECRET_KEY": secrets.token_urlsafe(50),
    "FANKUI_PUBLIC_URL": "https://12345.example.gov.cn",
    "FANKUI_ALLOWED_HOSTS": "12345.example.gov.cn",
    "FANKUI_CSRF_TRUSTED_ORIGINS": "https://12345.example.gov.cn",
    "FANKUI_PROXY_SSL_HEADER": "X-Forwarded-Proto",
    "FANKUI_HSTS_INCLUDE_SUBDOMAINS": "1",
    "FANKUI_HSTS_PRELOAD": "1",
    # Not configuration: the working calendar's warning depends on the date and next year's holidays (docs/sla.md).
    "FANKUI_CALENDAR_WARN_DAYS": "0",
}


def _check(tmp_path: Path, **overrides: str) -> subprocess.CompletedProcess[str]:
    # Nothing of this test run's own environment (the browser tests set DJANGO_ALLOW_ASYNC_UNSAFE, which the deploy
    # check rightly refuses).
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FANKUI_", "DJANGO_"))}
    env.update(PRODUCTION, FANKUI_DATA_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="fankui.settings", **overrides)
    command = [sys.executable, "-m", "fankui", "check", "--deploy", "--fail-level", "WARNING"]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)


def test_the_deploy_check_is_clean_with_production_settings(tmp_path: Path) -> None:
    result = _check(tmp_path)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout
    assert "WARNINGS" not in result.stdout + result.stderr


def test_an_https_address_alone_turns_on_secure_cookies_and_hsts(tmp_path: Path) -> None:
    result = _check(tmp_path, FANKUI_PROXY_SSL_HEADER="")
    # Without the proxy's header Django cannot tell https from http: no redirect (it would loop), and the check says
    # so; the cookies and HSTS follow the https address on their own.
    assert "security.W008" in result.stderr
    for setting in ("security.W004", "security.W012", "security.W016"):
        assert setting not in result.stderr
