from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MailConfig(AppConfig):
    name = "fankui.mail"
    label = "mail"
    verbose_name = _("E-mail intake")

    def ready(self) -> None:
        from fankui.audit import labels
        from fankui.notify import delivery

        from . import threading
        from .services import FOLLOW_UP_EVENT

        # What the outbox sends about a case stays in the citizen's thread (the outbox does not import this app).
        if threading.headers not in delivery.HEADER_PROVIDERS:
            delivery.HEADER_PROVIDERS.append(threading.headers)
        if threading.footer not in delivery.FOOTER_PROVIDERS:
            delivery.FOOTER_PROVIDERS.append(threading.footer)
        labels.register(FOLLOW_UP_EVENT, staff=_("The submitter wrote again (e-mail)"), detail=_follow_up_detail)
        # The words are read from the follow-up's row, which erasure masks (mail.services.forget).
        labels.register_text(FOLLOW_UP_EVENT, "follow_up", _follow_up_texts)


def _follow_up_detail(event: object) -> str:
    data = getattr(event, "data", None) or {}
    parts = []
    if not data.get("from_contact"):
        parts.append(str(_("Not from the address on file")))
    if data.get("attachments"):
        parts.append(str(_("%(n)d attachment(s) not kept") % {"n": data["attachments"]}))
    return " · ".join(parts)


def _follow_up_texts(ids: set[int]) -> dict[int, str]:
    from .models import FollowUp

    return dict(FollowUp.objects.filter(pk__in=ids).values_list("pk", "text"))
