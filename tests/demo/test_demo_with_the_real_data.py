"""The demo over the real shared data (first rows only, to stay fast). Skipped when that folder is absent."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from fankui.cases.models import Case, Category
from fankui.cases.workflow import State
from fankui.core.datasets import shared_data_dir

from .checks import assert_histories_are_valid_paths


def real_data() -> Path | None:
    folder = shared_data_dir()
    return folder if folder is not None and (folder / "gov_messages_replies.csv").is_file() else None


REAL_DATA = real_data()
pytestmark = pytest.mark.skipif(
    REAL_DATA is None,
    reason="the real data folder (shared/data beside the repository, or FANKUI_SHARED_DATA) is absent",
)


@pytest.mark.django_db
def test_the_first_real_rows_load_with_valid_histories() -> None:
    out = StringIO()
    call_command("demo", "--data-dir", str(REAL_DATA), "--limit", "200", stdout=out)
    assert "SYNTHETIC" not in out.getvalue()
    assert Case.objects.filter(submission__external_id__startswith="demo:replies:").count() == 200
    assert set(Case.objects.values_list("state", flat=True)) == set(State.values)
    assert Category.objects.filter(level=1).count() == 15
    assert Category.objects.filter(level=3).count() > 300
    assert_histories_are_valid_paths()
