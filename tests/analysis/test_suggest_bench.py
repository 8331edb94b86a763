"""`fankui bench suggest`: the figures it gives, and that it says why when it cannot run."""

from __future__ import annotations

import pytest

from fankui.accounts.models import Department, Role
from fankui.analysis import suggestions
from fankui.bench import suggest
from fankui.core.datasets import shared_data_dir
from fankui.topics import duplicates
from tests import factories


def test_without_the_shared_data_it_says_so_instead_of_measuring(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(suggest, "shared_data_dir", lambda: None)

    result = suggest.measure(10)

    assert result["operator_suggest_p99_ms"] is None
    assert "gov_messages_unlabeled.csv" in result["operator_suggest_skipped"]


@pytest.mark.django_db
def test_the_requests_are_timed_through_the_endpoint(centre: Department) -> None:
    if shared_data_dir() is None:
        pytest.skip("needs ../shared/data (FANKUI_SHARED_DATA) for its texts")
    factories.user(Role.DISPATCHER, centre, username="dispatcher")
    factories.case("小区门口的路灯坏了一个月，晚上很黑，请尽快修理。")
    suggestions.forget_models()
    duplicates.reset_index()

    result = suggest.time_requests(3)

    assert result["operator_suggest_n"] == 3
    assert result["operator_suggest_via"].startswith("endpoint")
    assert {"operator_suggest_p50_ms", "operator_suggest_p99_ms", "operator_suggest_service_p99_ms"} <= set(result)
    duplicates.reset_index()


def test_the_texts_are_what_an_operator_has_typed_at_a_pause() -> None:
    if shared_data_dir() is None:
        pytest.skip("needs ../shared/data (FANKUI_SHARED_DATA) for its texts")

    typed = suggest.texts(40)

    assert len(typed) == 40
    assert all(1 <= len(text) <= 300 for _title, text in typed)
    assert typed == suggest.texts(40)  # the same texts in every run
