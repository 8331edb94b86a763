"""The messages to a submitter whose wording the organisation may edit per language in the admin (issue 15, "Out"):
registered with the outbox's templates (``notify.wording``) when the portal starts. ``notices`` writes each one in
its built-in wording and passes it through ``notify.wording.worded``."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from fankui.notify.wording import Kind, register

CODE = _("the tracking code (2026-ABCD-1234)")
LINK = _("the link the message leads to: the tracking page (the rating page in a reply)")

KINDS = (
    Kind(
        "case:receipt",
        _("Received (receipt with the tracking code)"),
        {"code": CODE, "date": _("when it was received"), "link": LINK},
    ),
    Kind("case:accept", _("Accepted"), {"code": CODE, "link": LINK}),
    Kind(
        "case:reject",
        _("Not accepted"),
        {"code": CODE, "reason": _("the reason given for not accepting it"), "link": LINK},
    ),
    Kind("case:merge", _("Merged with another request"), {"code": CODE, "link": LINK}),
    Kind(
        "case:reply",
        _("Reply"),
        {
            "code": CODE,
            "department": _("the department that replied"),
            "reply": _("the text of the reply"),
            "days": _("the number of days to rate the reply"),
            "link": LINK,
        },
    ),
    Kind("case:close", _("Closed"), {"code": CODE, "link": LINK}),
    Kind("case:reopen", _("Reopened"), {"code": CODE, "link": LINK}),
    Kind(
        "sla:info",
        _("More information needed"),
        {
            "code": CODE,
            "question": _("the question asked of the submitter"),
            "days": _("the number of days to answer"),
            "link": LINK,
        },
    ),
    Kind("sla:info:timeout", _("No answer came: handling goes on"), {"code": CODE, "link": LINK}),
    Kind("sla:extension", _("More time needed"), {"code": CODE, "date": _("the new expected date"), "link": LINK}),
)

# What the admin's preview fills in.
SAMPLE = {
    "code": "2026-ABCD-1234",
    "link": "https://12345.example.gov.cn/track/ABCD1234/",
    "date": "2026-11-16 10:00",
    "reason": "不属于本平台受理范围",
    "department": "市住房和城乡建设局",
    "reply": "路灯已于今日修复。",
    "days": "7",
    "question": "请问具体是哪一栋楼？",
}


def register_kinds() -> None:
    register(KINDS, SAMPLE)
