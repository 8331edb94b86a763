"""Where the shared real-data folder is (../shared/data beside the repository, or FANKUI_SHARED_DATA)."""

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
