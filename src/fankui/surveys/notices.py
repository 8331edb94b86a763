"""What the submitter is told by 好差评, through the outbox (``notify``): the reminder to rate a reply and the report
of a rectification with the link to rate it. Like ``portal.notices`` (a layer above, which takes
``submitter_address`` from here), in the submitter's language, once per key, and only a link: opening it records
nothing, only the form's POST does.

Both are editable per language in the admin (``/admin/notify/messagetemplate/``, ``notify.wording``): the kinds
``surveys:rating-reminder`` and ``surveys:rectification``, registered with their placeholders by ``SurveysConfig``
(``KINDS`` below); without an active template the built-in wording is sent."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fankui.accounts.models import User
from fankui.cases import notices as case_notices
from fankui.cases.models import Case
from fankui.core.site import public_url
from fankui.notify.services import Address, Compose, citizen_address, notify_citizen, tell_staff
from fankui.notify.wording import Kind, worded

from .models import Rectification

REMINDER = "surveys:rating-reminder"
REPORT = "surveys:rectification"
_CODE = gettext_lazy("the tracking code (2026-ABCD-1234)")
KINDS = (
    Kind(
        REMINDER,
        gettext_lazy("Reminder to rate the reply"),
        {
            "code": _CODE,
            "link": gettext_lazy("the link to the rating page"),
            "days": gettext_lazy("the number of days after the reply before the request closes unrated"),
        },
    ),
    Kind(
        REPORT,
        gettext_lazy("Rectification of a bad rating: what was done, and the request to rate it"),
        {
            "code": _CODE,
            "measures": gettext_lazy("what the department did, as it wrote it"),
            "link": gettext_lazy("the link to rate the rectification"),
        },
    ),
)
# What the admin's preview fills in.
SAMPLE = {
    "code": "2026-ABCD-1234",
    "link": "https://12345.example.gov.cn/track/ABCD1234/rate/",
    "days": "7",
    "measures": "已约谈经办人员，重新核查并于11月20日修复路灯。",
}


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
        facts = {
            "code": case.display_code,
            "link": _url("portal:rate", case),
            "days": settings.FANKUI_RATING_WINDOW_DAYS,
        }
        built_in = (
            _("How satisfied are you with the reply to %(code)s?") % facts,
            _(
                "You have not rated the reply to your request %(code)s yet. Please tell us how satisfied you are: "
                "%(url)s\nIf you are not satisfied, your request is handled again. Without a rating, the request "
                "closes on its own %(days)d days after the reply."
            )
            % {**facts, "url": facts["link"]},
        )
        subject, body = worded(REMINDER, facts, built_in)
    return notify_citizen(
        submitter_address(case), subject, body, key=f"case:{case.pk}:rating-reminder:{reply_id}", case_id=case.pk
    )


def report_rectification(rectification: Rectification) -> bool:
    """Tell the submitter what was done about their bad rating, and ask them to rate it; False when nothing was
    queued (anonymous, no contact, or a window's rating: no case, no contact kept)."""
    case = rectification.case
    if case is None:
        return False
    with translation.override(case.submission.language or settings.LANGUAGE_CODE):
        facts = {
            "code": case.display_code,
            "measures": rectification.measures,
            "link": _url("surveys:rectification", case),
        }
        built_in = (
            _("What we did about your rating of %(code)s") % facts,
            _(
                "You were not satisfied with our reply to %(code)s. This is what was done about it:\n\n%(measures)s"
                "\n\nPlease tell us how satisfied you are with it: %(url)s"
            )
            % {**facts, "url": facts["link"]},
        )
        subject, body = worded(REPORT, facts, built_in)
    return notify_citizen(
        submitter_address(case),
        subject,
        body,
        key=f"case:{case.pk}:rectification:{rectification.pk}",
        case_id=case.pk,
    )


def tell_staff_about(
    users: Iterable[User],
    kind: str,
    facts: Mapping[str, object],
    compose: Compose,
    *,
    case: Case | None,
    link: str,
    key: str,
    actor: User | None = None,
) -> int:
    """Tell staff of a step of 好差评: about a case as every case notice does (``cases.notices.tell``, the case's link
    under the text), or, for a window's or a person's rating (no case), with ``link`` (a staff page's path) under it.
    Nobody is told what they did themselves."""
    if case is not None:
        return case_notices.tell(users, kind, facts, compose, case=case, key=key, actor=actor)
    recipients = [user for user in users if actor is None or user.pk != actor.pk]
    if not recipients:
        return 0
    return tell_staff(
        recipients, kind, facts, compose, key=key, footer=lambda: _("Open it: %(url)s") % {"url": public_url() + link}
    )
