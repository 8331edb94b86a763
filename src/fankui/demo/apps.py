from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo data (``fankui demo``): real public data sets and people to sign in as."""

    name = "fankui.demo"
    label = "demo"
