"""`fankui bench soak`'s load: the steady rate with one burst a minute, and the figures it computes."""

from __future__ import annotations

from fankui.bench import soak


def test_each_minute_has_one_burst_at_its_rate() -> None:
    due = soak.schedule(120, rate=4, burst=10, burst_seconds=10, burst_every=60)
    per_second = [sum(1 for at, _ in due if second <= at < second + 1) for second in range(120)]
    assert per_second[:30] == [4] * 30
    assert per_second[30:40] == [10] * 10
    assert per_second[40:90] == [4] * 50
    assert per_second[90:100] == [10] * 10
    assert len(due) == 100 * 4 + 20 * 10
    assert all(bursting == (30 <= at % 60 < 40) for at, bursting in due)


def test_requests_are_spread_evenly_within_a_second() -> None:
    due = [at for at, _ in soak.schedule(1, rate=4, burst=10, burst_seconds=0, burst_every=60)]
    assert due == [0.0, 0.25, 0.5, 0.75]


def test_percentile_and_memory_figures() -> None:
    assert soak.percentile([], 0.99) == 0.0
    assert soak.percentile([float(n) for n in range(1, 101)], 0.99) == 100.0
    sampler = soak.MemorySampler(0)
    sampler.samples = [100.0] * 10 + [150.0] * 80 + [120.0] * 10
    assert sampler.figures() == {"peak_rss_mb": 150.0, "rss_start_mb": 100.0, "rss_end_mb": 120.0}


def test_memory_of_this_process_is_read() -> None:
    import os

    assert soak.tree_rss_mb(os.getpid()) > 1
