"""Imports point one way: the "layers" contract in pyproject.toml (import-linter) fails when an app imports one above
it, or two apps of one layer import each other, directly or through other modules."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from importlinter.cli import lint_imports

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "src" / "fankui"


def _contract() -> dict:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    (contract,) = [c for c in config["tool"]["importlinter"]["contracts"] if c["type"] == "layers"]
    return contract


def test_no_import_points_upward_and_no_two_apps_of_a_layer_import_each_other(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    assert lint_imports(no_cache=True, no_logo=True) == 0, "see the report above: an import points the wrong way"


def test_no_new_exception_is_added_to_the_contract() -> None:
    """Exceptions are how a layering quietly stops being one: move the code instead."""
    assert _contract().get("ignore_imports", []) == []


def test_every_app_has_its_layer() -> None:
    """An app missing from the contract would never be checked."""
    apps = {f"fankui.{p.parent.name}" for p in PACKAGE.glob("*/apps.py")}
    listed = {name.strip() for layer in _contract()["layers"] for name in layer.split("|")}
    assert apps - listed == set()
