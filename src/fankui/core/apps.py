from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "fankui.core"
    label = "core"
