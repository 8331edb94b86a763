"""A FANKUI_* value of the wrong form stops the program with one line naming the variable and the form expected;
unset or empty gives the default."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from fankui.settings import env_bool, env_choice, env_fraction, env_int, env_list


def test_a_whole_number_is_read_and_anything_else_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FANKUI_WEB_WORKERS", " 4 ")
    assert env_int("WEB_WORKERS", 2, minimum=1) == 4
    monkeypatch.setenv("FANKUI_WEB_WORKERS", "")
    assert env_int("WEB_WORKERS", 2, minimum=1) == 2
    for bad in ("abc", "0", "2.5"):
        monkeypatch.setenv("FANKUI_WEB_WORKERS", bad)
        with pytest.raises(ImproperlyConfigured, match=rf"^FANKUI_WEB_WORKERS='{bad}': expected a whole number of at"):
            env_int("WEB_WORKERS", 2, minimum=1)


def test_yes_and_no_take_the_usual_words(monkeypatch: pytest.MonkeyPatch) -> None:
    for word, value in [("1", True), ("On", True), ("yes", True), ("0", False), ("false", False), ("off", False)]:
        monkeypatch.setenv("FANKUI_PUBLIC_BOARD", word)
        assert env_bool("PUBLIC_BOARD", not value) is value
    monkeypatch.setenv("FANKUI_PUBLIC_BOARD", "maybe")
    with pytest.raises(ImproperlyConfigured, match=r"FANKUI_PUBLIC_BOARD='maybe': expected 1 or 0"):
        env_bool("PUBLIC_BOARD", True)


def test_a_confidence_set_empty_means_never(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FANKUI_APPLY_KIND_CONFIDENCE", raising=False)
    assert env_fraction("APPLY_KIND_CONFIDENCE", 0.7) == 0.7
    monkeypatch.setenv("FANKUI_APPLY_KIND_CONFIDENCE", "")
    assert env_fraction("APPLY_KIND_CONFIDENCE", 0.7) is None
    monkeypatch.setenv("FANKUI_APPLY_KIND_CONFIDENCE", "0.85")
    assert env_fraction("APPLY_KIND_CONFIDENCE", 0.7) == 0.85
    for bad in ("85%", "0", "1.5"):
        monkeypatch.setenv("FANKUI_APPLY_KIND_CONFIDENCE", bad)
        with pytest.raises(ImproperlyConfigured, match="expected a number above 0 and at most 1"):
            env_fraction("APPLY_KIND_CONFIDENCE", 0.7)


def test_lists_and_choices(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FANKUI_REPORT_RECIPIENTS", " a@example.org, b@example.org ,")
    assert env_list("REPORT_RECIPIENTS", []) == ["a@example.org", "b@example.org"]
    monkeypatch.setenv("FANKUI_LOG_LEVEL", "LOUD")
    with pytest.raises(ImproperlyConfigured, match="FANKUI_LOG_LEVEL='LOUD': expected one of DEBUG, INFO"):
        env_choice("LOG_LEVEL", "INFO", ["DEBUG", "INFO"])


def _fankui(tmp_path: Path, *args: str, **variables: str) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("FANKUI_")}
    env.update(FANKUI_DATA_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="fankui.settings", **variables)
    return subprocess.run([sys.executable, "-m", "fankui", *args], env=env, capture_output=True, text=True, timeout=120)


def test_the_fankui_command_says_which_variable_is_wrong_without_a_traceback(tmp_path: Path) -> None:
    result = _fankui(tmp_path, "check", FANKUI_WEB_WORKERS="abc")
    assert result.returncode == 1
    assert result.stderr == "fankui: FANKUI_WEB_WORKERS='abc': expected a whole number of at least 1\n"


def test_the_system_checks_run_with_good_values(tmp_path: Path) -> None:
    result = _fankui(tmp_path, "check", FANKUI_WEB_WORKERS="3", FANKUI_APPLY_KIND_CONFIDENCE="")
    assert result.returncode == 0, result.stderr
    assert "System check identified" in result.stdout + result.stderr  # with or without the calendar warning
