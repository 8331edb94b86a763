"""What the submitter is told by 好差评, through the outbox (``notify``): the reminder to rate a reply and the report
of a rectification with the link to rate it. Like ``portal.notices`` (a layer above, which takes
``submitter_address`` from here), in the submitter's language, once per key, and only a link: opening it records
nothing, only the form's POST does."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from fankui.cases.models import Case
from fankui.core.site import public_url
from fankui.notify.services import Address, citizen_address, notify_citizen

from .models import Rectification


def submitter_address(case: Case) -> Address | None:
    """Where the submitter of ``case`` can be reached (nowhere when anonymous or without contact): the one rule for
    every message to a submitter (``portal.notices`` too)."""
    submission = case.submission
    return citizen_address(
        anonymous=submission.anonymous,
        email=submission.contact_email,
        phone=submission.contact_phone,
        came_by=submission.channel,
    )


def _url(name: str, case: Case) -> str:
    return public_url() + reverse(name, kwargs={"code": case.tracking_code})


def remind_to_rate(case: Case, reply_id: int) -> bool:
    """The one reminder to rate the latest reply; returns whether a message was queued."""
    with translation.override(case.submission.language or settings.LANGUAGE_CODE):
        subject = _("How satisfied are you with the reply to %(code)s?") % {"code": case.display_code}
        body = _(
            "You have not rated the reply to your request %(code)s yet. Please tell us how satisfied you are: "
            "%(url)s\nIf you are not satisfied, your request is handled again. Without a rating, the request "
            "closes on its own %(days)d days after the reply."
        ) % {
            "code": case.display_code,
            "url": _url("portal:rate", case),
            "days": settings.FANKUI_RATING_WINDOW_DAYS,
        }
    return notify_citizen(
        submitter_address(case), subject, body, key=f"case:{case.pk}:rating-reminder:{reply_id}", case_id=case.pk
    )


def report_rectification(rectification: Rectification) -> bool:
    """Tell the submitter what was done about their bad rating, and ask them to rate it."""
    case = rectification.case
    with translation.override(case.submission.language or settings.LANGUAGE_CODE):
        subject = _("What we did about your rating of %(code)s") % {"code": case.display_code}
        body = _(
            "You were not satisfied with our reply to %(code)s. This is what was done about it:\n\n%(measures)s\n\n"
            "Please tell us how satisfied you are with it: %(url)s"
        ) % {
            "code": case.display_code,
            "measures": rectification.measures,
            "url": _url("surveys:rectification", case),
        }
    return notify_citizen(
        submitter_address(case),
        subject,
        body,
        key=f"case:{case.pk}:rectification:{rectification.pk}",
        case_id=case.pk,
    )
