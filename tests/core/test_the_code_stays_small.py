"""The code stays small enough to read: no module of src/ over 600 lines and no function over 80 (migrations, which
Django writes, aside). A module that grows past it is split by job, as ``cases.services`` is; a function, into
named steps."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src" / "fankui"
MAX_MODULE_LINES = 600
MAX_FUNCTION_LINES = 80


def modules(root: Path = SRC) -> list[Path]:
    return sorted(path for path in root.rglob("*.py") if "migrations" not in path.relative_to(root).parts)


def too_long(root: Path = SRC) -> list[str]:
    """Each module over ``MAX_MODULE_LINES`` lines and each function over ``MAX_FUNCTION_LINES`` (from its ``def``
    to its last line, docstring included), named with its length."""
    found = []
    for path in modules(root):
        text = path.read_text(encoding="utf-8")
        name = path.relative_to(root).as_posix()
        if len(text.splitlines()) > MAX_MODULE_LINES:
            found.append(f"{name}: {len(text.splitlines())} lines")
        for node in ast.walk(ast.parse(text, filename=name)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    found.append(f"{name}:{node.lineno} {node.name}: {length} lines")
    return found


def test_no_module_is_over_600_lines_and_no_function_over_80() -> None:
    assert too_long() == []


def test_the_check_finds_a_long_module_and_a_long_function_but_not_a_long_migration(tmp_path: Path) -> None:
    body = "".join(f"    x = {n}\n" for n in range(80))
    (tmp_path / "long_function.py").write_text(f"def long():\n{body}\n\ndef short():\n    return 1\n")
    (tmp_path / "long_module.py").write_text("x = 1\n" * 601)
    (tmp_path / "fine.py").write_text("x = 1\n" * 600)
    (tmp_path / "migrations").mkdir()
    (tmp_path / "migrations" / "0001_initial.py").write_text("x = 1\n" * 700)
    assert too_long(tmp_path) == ["long_function.py:1 long: 81 lines", "long_module.py: 601 lines"]


def test_the_check_reads_every_app() -> None:
    apps = {path.relative_to(SRC).parts[0] for path in modules()}
    assert {"cases", "sla", "actions", "analysis", "insights", "core"} <= apps
