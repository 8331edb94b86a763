"""fankui hot gives the same topics every time it runs: Python hashes strings differently in every process, and the
order of a set of place names used to decide which name stood for which (from the 26th topic of the 问政 file on, two
runs could differ)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from fankui.core.datasets import shared_data_dir

DATA = shared_data_dir()
pytestmark = pytest.mark.skipif(
    DATA is None or not (DATA / "gov_messages_hot.csv").exists(),
    reason="the shared real-data folder (../shared/data/gov_messages_hot.csv) is not there",
)
SRC = Path(__file__).resolve().parents[2] / "src"


def hot(seed: str) -> str:
    assert DATA is not None
    env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(SRC)}
    arguments = ["--data", str(DATA / "gov_messages_hot.csv"), "--text", "title,body", "--time", "time"]
    arguments += ["--likes", "likes", "--id", "id", "--top", "100", "--json", "--details", "--no-progress"]
    done = subprocess.run(
        [sys.executable, "-m", "fankui", "hot", *arguments], env=env, capture_output=True, text=True, check=True
    )
    return done.stdout


def test_two_processes_with_other_string_hashes_find_the_same_hundred_topics() -> None:
    assert hot("0") == hot("1")
