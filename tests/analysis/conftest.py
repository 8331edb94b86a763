from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _models_dir(settings: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Path]:
    """A fresh data folder per test (what a model's training or an export writes), never the developer's."""
    settings.FANKUI_DATA_DIR = tmp_path / "data"  # type: ignore[attr-defined]
    (tmp_path / "data").mkdir()
    yield tmp_path / "data"


POSITIVE = [
    "味道很好，送餐很快",
    "非常好吃，下次还点",
    "服务热情，分量足",
    "好评，准时送达",
    "很新鲜，推荐",
    "太好吃了",
]
NEGATIVE = [
    "送餐太慢了，等了两小时",
    "菜是凉的，难吃",
    "分量太少，差评",
    "送错了，态度很差",
    "太咸了，不会再点",
    "漏送一份",
]


@pytest.fixture
def reviews_csv(tmp_path: Path) -> Path:
    lines = ["label,review"] + [f"1,{text}" for text in POSITIVE * 2] + [f"0,{text}" for text in NEGATIVE * 2]
    path = tmp_path / "reviews.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
