from __future__ import annotations

import io
import sys

import pytest
from django.core.management import CommandError, call_command


class FakeStdin:
    def __init__(self, data: bytes) -> None:
        self.buffer = io.BytesIO(data)


class FakeStdout:
    def __init__(self) -> None:
        self.buffer = io.BytesIO()


def run(monkeypatch: pytest.MonkeyPatch, data: bytes, *args: str) -> str:
    out = FakeStdout()
    monkeypatch.setattr(sys, "stdin", FakeStdin(data))
    monkeypatch.setattr(sys, "stdout", out)
    call_command("mask", *args)
    return out.buffer.getvalue().decode("utf-8")


def test_it_masks_text_from_stdin(monkeypatch: pytest.MonkeyPatch) -> None:
    assert run(monkeypatch, "电话13812345678\n".encode()) == "电话138****5678\n"


def test_it_accepts_gbk_input_and_contact_names(monkeypatch: pytest.MonkeyPatch) -> None:
    assert run(monkeypatch, "我是李小明".encode("gbk"), "--name", "李小明") == "我是李**"


def test_it_refuses_undecodable_input_with_a_message(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(CommandError, match="neither UTF-8 nor GB18030"):
        run(monkeypatch, b"\xff\xfe\xff\xff")
