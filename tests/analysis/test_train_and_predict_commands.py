from __future__ import annotations

import csv
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from fankui.analysis import store

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, "--no-progress", stdout=out)
    return out.getvalue()


def test_train_saves_a_model_with_its_metadata_and_prints_the_cross_validated_macro_f1(reviews_csv: Path) -> None:
    output = run("train", "--data", str(reviews_csv), "--text", "review", "--label", "label", "--model", "taste")
    assert "cross-validated macro-F1: " in output
    metadata = store.trained_metadata("taste")
    assert metadata is not None
    assert metadata["labels"] == ["0", "1"]
    assert metadata["rows"] == 24
    assert metadata["version"].startswith("taste-")
    assert 0 <= metadata["cv_macro_f1"] <= 1


def test_predict_writes_the_input_rows_plus_predicted_and_confidence(reviews_csv: Path, tmp_path: Path) -> None:
    run("train", "--data", str(reviews_csv), "--text", "review", "--label", "label", "--model", "taste")
    out = tmp_path / "out.csv"
    run("predict", "--model", "taste", "--data", str(reviews_csv), "--text", "review", "--out", str(out))
    with out.open(encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    assert list(rows[0]) == ["label", "review", "predicted", "confidence"]
    assert len(rows) == 24
    # Trained on these very rows, the model gives most of them back.
    assert sum(row["predicted"] == row["label"] for row in rows) >= 20
    assert all(0 < float(row["confidence"]) <= 1 for row in rows)


@pytest.mark.parametrize("model", ["sentiment", "kind", "nature", "urgency"])
def test_built_in_models_predict_without_training(model: str, reviews_csv: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    run("predict", "--model", model, "--data", str(reviews_csv), "--text", "review", "--out", str(out))
    with out.open(encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    assert len(rows) == 24
    assert all(row["predicted"] for row in rows)


def test_several_text_columns_are_joined(tmp_path: Path) -> None:
    data = tmp_path / "two.csv"
    data.write_text("title,body\n燃气,泄漏了快来人\n路灯,坏了\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    run("predict", "--model", "urgency", "--data", str(data), "--text", "title,body", "--out", str(out))
    with out.open(encoding="utf-8") as file:
        assert [row["predicted"] for row in csv.DictReader(file)] == ["emergency", "normal"]


def test_a_missing_column_is_a_clear_message(reviews_csv: Path) -> None:
    with pytest.raises(CommandError, match="no column named text"):
        run("train", "--data", str(reviews_csv), "--text", "text", "--label", "label", "--model", "taste")


def test_an_empty_file_is_a_clear_message(tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(CommandError, match="empty"):
        run("predict", "--model", "kind", "--data", str(empty), "--text", "review", "--out", str(tmp_path / "o.csv"))


def test_a_gbk_file_is_accepted(tmp_path: Path) -> None:
    data = tmp_path / "gbk.csv"
    data.write_bytes("review\n小区燃气泄漏\n".encode("gbk"))
    out = tmp_path / "out.csv"
    run("predict", "--model", "urgency", "--data", str(data), "--text", "review", "--out", str(out))
    assert "emergency" in out.read_text(encoding="utf-8")


def test_an_unknown_model_is_a_clear_message(reviews_csv: Path, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="No model named nothing"):
        run("predict", "--model", "nothing", "--data", str(reviews_csv), "--text", "review", "--out", "o.csv")


def test_a_single_label_cannot_be_trained(tmp_path: Path) -> None:
    data = tmp_path / "one.csv"
    data.write_text("label,review\n1,好\n1,很好\n", encoding="utf-8")
    with pytest.raises(CommandError, match="Only one label"):
        run("train", "--data", str(data), "--text", "review", "--label", "label", "--model", "one")
