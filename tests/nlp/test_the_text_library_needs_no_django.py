"""The text library (fankui.nlp) is a plain package: every module imports, and a model trains and predicts, in a
Python without Django settings, and nothing of Django or of Fankui's apps is loaded by it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src"

SCRIPT = """
import importlib, json, pkgutil, sys
import fankui.nlp
for module in pkgutil.iter_modules(fankui.nlp.__path__):
    importlib.import_module("fankui.nlp." + module.name)
from fankui.nlp.classify import Settings, train
from fankui.nlp.masking import mask
from fankui.nlp.rules import urgency
texts = ["送餐太慢了，等了两小时", "菜是凉的，难吃", "味道很好，送餐很快", "非常好吃，下次还点"] * 3
model, report = train(texts, ["0", "0", "1", "1"] * 3)
print(json.dumps({
    "loaded": sorted(name for name in sys.modules if name.startswith(("django", "fankui."))
                     and not name.startswith("fankui.nlp")),
    "predicted": model.predict(["太好吃了，下次还点"])[0][0],
    "masked": mask("电话13812345678").text,
    "urgency": urgency("楼道里闻到很浓的煤气味").level,
}))
"""


def test_the_text_library_works_without_django() -> None:
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
    env["PYTHONPATH"] = str(SRC)
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, check=True, timeout=300
    )
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result == {"loaded": [], "predicted": "1", "masked": "电话138****5678", "urgency": "emergency"}
