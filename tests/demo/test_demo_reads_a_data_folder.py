from __future__ import annotations

from datetime import UTC, datetime
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from fankui.cases.models import Case, Category
from fankui.cases.workflow import State

from .checks import assert_histories_are_valid_paths
from .conftest import ANSWERED


def load(*args: str) -> str:
    out = StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_it_loads_the_answered_messages_with_their_real_replies(tiny_data: Path) -> None:
    output = load("--data-dir", str(tiny_data), "--open", "30")
    assert "SYNTHETIC" not in output
    closed = Case.objects.filter(submission__external_id__startswith="demo:replies:")
    assert closed.count() == ANSWERED
    assert not closed.exclude(state=State.CLOSED).exists()
    assert Case.objects.count() == ANSWERED + 30
    assert set(Case.objects.values_list("state", flat=True)) == set(State.values)
    assert_histories_are_valid_paths()
    # The source's wall-clock times are Beijing time.
    second = closed.get(submission__external_id="demo:replies:2")
    assert second.created_at == datetime(2019, 8, 2, 3, 34, 4, tzinfo=UTC)
    assert second.replies.first().body == "测试答复1：已处理。"  # type: ignore[union-attr]
    # The reply that was dated before its message now comes after it.
    first = closed.get(submission__external_id="demo:replies:1")
    assert first.replies.first().created_at > first.created_at  # type: ignore[union-attr]
    # The whole taxonomy is loaded, a category without a bureau included; cases get one of the seven.
    assert Category.objects.filter(level=1).count() == 8
    assert Category.objects.get(level=1, name="政法").department is None
    noise = closed.get(submission__title="工地夜间施工噪音扰民1")
    assert noise.category.name == "环境保护" and noise.lead_department.code == "shengtai"  # type: ignore[union-attr]


@pytest.mark.django_db
def test_the_limit_reads_only_the_first_rows(tiny_data: Path) -> None:
    load("--data-dir", str(tiny_data), "--limit", "12")
    assert Case.objects.filter(submission__external_id__startswith="demo:replies:").count() == 12
    assert Case.objects.exclude(submission__external_id__startswith="demo:replies:").count() == 12


@pytest.mark.django_db
def test_a_named_folder_without_the_files_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match=r"gov_messages_replies\.csv"):
        load("--data-dir", str(tmp_path))
    assert not Case.objects.exists()


@pytest.mark.django_db
def test_the_data_folder_can_be_named_in_the_environment(tiny_data: Path, settings: Any) -> None:
    settings.FANKUI_DEMO_DATA = str(tiny_data)
    load("--limit", "5")
    assert Case.objects.filter(submission__external_id__startswith="demo:replies:").count() == 5
