"""`fankui bench report`: the monthly analysis report over a throwaway database of N cases (default 1,000,000).
The work is in fankui.insights.bench (bench_report_1m is what `fankui bench loop` reports as report_1m_s)."""

from __future__ import annotations

import argparse
from typing import Any


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-n", type=int, default=1_000_000, help="cases in the throwaway database")
    parser.add_argument("--format", default="pdf", choices=["pdf", "xlsx", "html"], help="report format timed")


def run(options: dict[str, Any]) -> dict[str, Any]:
    from fankui.insights.bench import measure

    return measure(options["n"], options["format"])
