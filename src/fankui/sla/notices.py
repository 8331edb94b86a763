"""The SLA's notices to staff, whose wording the organisation may edit per language in the admin (``notify.wording``):
registered when the app starts, written by ``tasks.send_notices`` (deadlines) and ``services.extensions`` and
``services.supervision`` (through ``cases.notices.tell``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from fankui.cases.notices import NUMBER
from fankui.notify.wording import Audience, Kind, register

DEADLINE = {
    "number": NUMBER,
    "stage": _("the stage whose deadline it is (Reply, Accept...)"),
    "deadline": _("the deadline (2026-11-20 18:00)"),
}
KINDS = (
    Kind("staff:sla:warn", _("Deadline approaching"), DEADLINE, Audience.STAFF),
    Kind("staff:sla:urge", _("Deadline reached"), DEADLINE, Audience.STAFF),
    Kind("staff:sla:escalate", _("Overdue, escalated"), DEADLINE, Audience.STAFF),
    Kind(
        "staff:sla:extension",
        _("Extension requested"),
        {
            "number": NUMBER,
            "department": _("the department asking"),
            "days": _("the working days asked for"),
            "reason": _("its reason"),
        },
        Audience.STAFF,
    ),
    Kind(
        "staff:sla:supervised",
        _("Case put under supervision (督办)"),
        {"number": NUMBER, "instruction": _("the supervisor's instruction")},
        Audience.STAFF,
    ),
)
SAMPLE = {
    "stage": "答复",
    "deadline": "2026-11-20 18:00",
    "days": "5",
    "instruction": "请于本周内办结并书面报告",
}


def register_kinds() -> None:
    register(KINDS, SAMPLE)
