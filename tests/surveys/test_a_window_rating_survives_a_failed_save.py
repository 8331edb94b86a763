from __future__ import annotations

from typing import Any

import pytest
from django.db import OperationalError

from fankui.surveys import windows
from fankui.surveys.models import Rating, Rectification, ServicePoint

pytestmark = pytest.mark.django_db


def _fail_once(monkeypatch: pytest.MonkeyPatch, name: str, error: Exception) -> None:
    """``windows.<name>`` raises ``error`` on its first call, then works: the database refusing once."""
    real = getattr(windows, name)
    calls = []

    def flaky(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) == 1:
            raise error
        return real(*args, **kwargs)

    monkeypatch.setattr(windows, name, flaky)


def test_a_retry_after_a_failed_save_records_the_rating_once(
    point: ServicePoint, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = windows.new_form_key()
    _fail_once(monkeypatch, "counted", OperationalError("the database refused"))

    with pytest.raises(OperationalError):
        windows.rate_window(point, 2, "等了很久", form_key=key)
    assert not Rating.objects.exists()

    retried = windows.rate_window(point, 2, "等了很久", form_key=key)
    again = windows.rate_window(point, 2, "等了很久", form_key=key)

    assert retried is not None and again is None
    assert Rating.objects.get() == retried
    assert Rectification.objects.get().rating == retried


def test_a_failure_after_the_rating_was_written_leaves_the_key_usable(
    point: ServicePoint, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = windows.new_form_key()
    _fail_once(monkeypatch, "open_rectification", OperationalError("the database refused"))

    with pytest.raises(OperationalError):
        windows.rate_window(point, 1, "", form_key=key)
    assert not Rating.objects.exists() and not Rectification.objects.exists()

    assert windows.rate_window(point, 1, "", form_key=key) is not None
    assert Rating.objects.count() == 1 and Rectification.objects.count() == 1


def test_the_same_form_sent_twice_records_one_rating(point: ServicePoint) -> None:
    key = windows.new_form_key()

    first = windows.rate_window(point, 5, "很耐心", form_key=key)
    second = windows.rate_window(point, 4, "很耐心", form_key=key)
    other = windows.rate_window(point, 4, "", form_key=windows.new_form_key())

    assert first is not None and second is None and other is not None
    assert sorted(Rating.objects.values_list("level", flat=True)) == [4, 5]


def test_two_sends_of_one_form_at_once_store_one_rating(point: ServicePoint, monkeypatch: pytest.MonkeyPatch) -> None:
    """The second send passed the check before the first was stored: the unique key refuses it, nothing breaks."""
    key = windows.new_form_key()
    windows.rate_window(point, 5, "", form_key=key)
    real_filter = Rating.objects.filter
    # The check finds nothing the first time it looks, as when both sends look before either stored its rating.
    looks = []

    def late(*args: Any, **kwargs: Any) -> Any:
        looks.append(1)
        return real_filter(pk=None) if len(looks) == 1 else real_filter(*args, **kwargs)

    monkeypatch.setattr(Rating.objects, "filter", late)

    assert windows.rate_window(point, 5, "", form_key=key) is None
    assert Rating.objects.count() == 1
