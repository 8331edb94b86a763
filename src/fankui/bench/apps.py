from django.apps import AppConfig


class BenchConfig(AppConfig):
    """The benchmarks (``fankui bench NAME``): measure the product, never part of serving it."""

    name = "fankui.bench"
    label = "bench"
