"""Where the shared real-data folder is (../shared/data beside the repository, or FANKUI_SHARED_DATA).

The one FANKUI_* variable read outside settings.py: the model builders, benchmarks and tests look for the folder
without Django settings (fankui.nlp needs no Django). tests/core/test_configuration_is_read_in_one_place.py knows."""

from __future__ import annotations

import os
from pathlib import Path


def shared_data_dir() -> Path | None:
    configured = os.environ.get("FANKUI_SHARED_DATA")
    candidates = [Path(configured)] if configured else []
    here = Path(__file__).resolve()
    candidates += [parent / "shared" / "data" for parent in [Path.cwd(), *Path.cwd().parents, *here.parents]]
    for candidate in candidates:
        if (candidate / "README.md").exists() and any(candidate.glob("*.csv")):
            return candidate
    return None
