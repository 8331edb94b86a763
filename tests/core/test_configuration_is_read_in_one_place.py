"""Every FANKUI_* variable is read by settings.py, and README.md's configuration table describes each one.

Code elsewhere reads django.conf.settings (which tests override); only the shared-data folder is looked up
without Django settings (fankui.core.datasets)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "src" / "fankui"
SETTINGS = PACKAGE / "settings.py"
# settings.py reads every variable through the typed readers of envvars.py.
READERS = {SETTINGS, PACKAGE / "envvars.py"}
# (module, variable): read where Django settings may not exist. Each is in the README table too.
OUTSIDE_SETTINGS = {("core/datasets.py", "FANKUI_SHARED_DATA")}
# Read by the Makefile and CI, not by Python.
READ_BY_THE_MAKEFILE = {"FANKUI_TEST_DATABASE_URL"}
HELPERS = {"env_str", "env_bool", "env_int", "env_fraction", "env_list", "env_choice", "env_rate"}


def _is_environ(node: ast.expr) -> bool:
    """``os.environ`` or ``environ``."""
    if isinstance(node, ast.Attribute):
        return node.attr == "environ"
    return isinstance(node, ast.Name) and node.id == "environ"


def _name(key: ast.expr) -> str:
    """The variable a key names: "FANKUI_X", "FANKUI_{...}" for an f-string, "?" when it cannot be told."""
    if isinstance(key, ast.Constant) and isinstance(key.value, str):
        return key.value
    if isinstance(key, ast.JoinedStr) and key.values and isinstance(key.values[0], ast.Constant):
        return f"{key.values[0].value}{{...}}"
    return "?"


def environment_reads(source: str) -> list[str]:
    """The variables a module reads from the environment: os.environ.get/[...]/in, os.getenv."""
    names = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and node.args:
            func = node.func
            getenv = isinstance(func, ast.Attribute) and func.attr == "getenv"
            getenv = getenv or (isinstance(func, ast.Name) and func.id == "getenv")
            environ_get = isinstance(func, ast.Attribute) and func.attr == "get" and _is_environ(func.value)
            if getenv or environ_get:
                names.append(_name(node.args[0]))
        elif isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load) and _is_environ(node.value):
            names.append(_name(node.slice))
        elif isinstance(node, ast.Compare) and any(_is_environ(c) for c in node.comparators):
            names.append(_name(node.left))
    return names


def fankui_reads(source: str) -> list[str]:
    """FANKUI_ variables read from the environment ("?": a name built at run time may be one), and the settings
    module imported directly (its env_* helpers read the environment at every call)."""
    names = [name for name in environment_reads(source) if name.startswith("FANKUI_") or name == "?"]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom):
            modules = [node.module or ""]
        elif isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        else:
            continue
        names += [module for module in modules if module in ("fankui.settings", "fankui.envvars")]
    return names


def settings_variables() -> set[str]:
    """FANKUI_<name> of every env_*("<name>", ...) call in settings.py."""
    names = set()
    for node in ast.walk(ast.parse(SETTINGS.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in HELPERS:
            (first, *_) = node.args
            assert isinstance(first, ast.Constant), f"line {node.lineno}: name the variable literally"
            names.add(f"FANKUI_{first.value}")
    return names


def readme_variables() -> set[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Configuration\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `FANKUI_")]
    for row in rows:
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        assert len(cells) == 4 and all(cells), f"a row needs a name, a default, a meaning and an example: {row}"
    return {name for row in rows for name in re.findall(r"`(FANKUI_[A-Z0-9_]+)`", row.split("|")[1])}


def test_the_reader_finds_every_form_of_reading_the_environment() -> None:
    source = """
import os
from os import environ, getenv
a = os.environ.get("FANKUI_A", "")
b = os.environ["FANKUI_B"]
c = os.getenv(f"FANKUI_{name}")
d = "FANKUI_D" in os.environ
e = environ.get(key)
f = getenv("HOME")
os.environ["FANKUI_BIND"] = "127.0.0.1:8100"  # a write, for the processes started next
from fankui.settings import env_int
"""
    assert fankui_reads(source) == ["FANKUI_A", "FANKUI_B", "FANKUI_{...}", "FANKUI_D", "?", "fankui.settings"]


def test_no_module_but_settings_reads_a_fankui_variable() -> None:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        module = path.relative_to(PACKAGE).as_posix()
        if path in READERS or "/migrations/" in module:
            continue
        for name in fankui_reads(path.read_text(encoding="utf-8")):
            if (module, name) not in OUTSIDE_SETTINGS:
                found.append(f"{module}: {name}")
    assert found == [], "read it in settings.py and use django.conf.settings"


def test_the_readme_describes_every_variable_and_no_other() -> None:
    read = settings_variables() | {name for _, name in OUTSIDE_SETTINGS} | READ_BY_THE_MAKEFILE
    assert len(settings_variables()) > 30
    assert readme_variables() == read
