from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MailConfig(AppConfig):
    name = "fankui.mail"
    label = "mail"
    verbose_name = _("E-mail intake")

    def ready(self) -> None:
        from fankui.notify import delivery

        from . import threading

        # What the outbox sends about a case stays in the citizen's thread (the outbox does not import this app).
        if threading.headers not in delivery.HEADER_PROVIDERS:
            delivery.HEADER_PROVIDERS.append(threading.headers)
        if threading.footer not in delivery.FOOTER_PROVIDERS:
            delivery.FOOTER_PROVIDERS.append(threading.footer)
