"""Models an organisation trained before the text library left the analysis app (``fankui train`` and ``fankui
retrain`` of that code, pickled with the classes' old module names) load and give the same probabilities.

The fixtures were saved by the code of commit 8bbd65b: a single SVM on short texts, a stack with the word member, a
model with ``--words`` features, and one on long texts (title weight, first 300 characters), each with its
predictions on a few texts."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from fankui.analysis import store

SAVED = Path(__file__).parent / "fixtures" / "saved_models"


@pytest.mark.parametrize("name", ["plain", "stacked", "words", "long"])
def test_a_model_saved_by_the_old_code_predicts_as_it_did(name: str, tmp_path: Path) -> None:
    folder = tmp_path / name
    shutil.copytree(SAVED / name, folder)
    expected = json.loads((folder / "predictions.json").read_text(encoding="utf-8"))

    model = store.load_folder(folder, name)

    assert model.labels == expected["labels"]
    probabilities = model.model.probabilities(expected["texts"])
    np.testing.assert_allclose(probabilities, np.array(expected["probabilities"]), rtol=0, atol=1e-9)
