from typing import TYPE_CHECKING

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from fankui.audit.models import Event


class SurveysConfig(AppConfig):
    name = "fankui.surveys"
    label = "surveys"
    verbose_name = _("Surveys")

    def ready(self) -> None:
        from fankui.audit import labels
        from fankui.cases.signals import case_moved
        from fankui.intake import files

        from . import queries
        from .models import Appeal
        from .services import rectifications

        # A case's rectifications follow it to the department it is sent to, in the move's transaction.
        case_moved.connect(rectifications.on_case_moved, dispatch_uid="surveys.rectifications.case_moved")

        # A rating's event refers to the rating; its comment is read from the row, which erasure masks.
        for action in ("rate_satisfied", "rate_unsatisfied", "rate_rectification"):
            labels.register_text(action, "rating_id", _comments)
        # What the person said on a 回访 call, read from the call's row (erasure masks it there too).
        labels.register_text("follow_up", "follow_up_id", _follow_up_notes)
        for action, staff, public in EVENTS:
            labels.register(action, staff, public, detail=_outcome if action == "follow_up" else None)
        # An appeal's evidence is seen by those who may see the appeal.
        files.register(Appeal, queries.evidence_look)
        # What staff are told of bad ratings and appeals, in wording the admin may edit.
        from fankui.cases.notices import NUMBER
        from fankui.notify.wording import Audience, Kind, register

        from . import notices

        # What the submitter is told (the reminder to rate, a rectification's report), editable the same way.
        register(notices.KINDS, notices.SAMPLE)
        rated = _("the window or the member of staff rated (李红 (1024) · A03 不动产登记)")

        register(
            (
                Kind(
                    "staff:surveys:rectification",
                    _("Bad rating: rectification due"),
                    {"number": NUMBER, "date": _("the rectification's deadline (2026-11-20)")},
                    Audience.STAFF,
                ),
                Kind(
                    "staff:surveys:appeal",
                    _("A department appeals a rating"),
                    {"number": NUMBER, "department": _("the department appealing")},
                    Audience.STAFF,
                ),
                # 一次一评: the bad rating of a service window or a member of staff (no case).
                Kind(
                    "staff:surveys:window_rectification",
                    _("Bad rating of a window or a member of staff: rectification due"),
                    {"rated": rated, "date": _("the rectification's deadline (2026-11-20)")},
                    Audience.STAFF,
                ),
                Kind(
                    "staff:surveys:window_appeal",
                    _("A department appeals a rating of a window or a member of staff"),
                    {"rated": rated, "department": _("the department appealing")},
                    Audience.STAFF,
                ),
            ),
            {
                "number": "2026-000123",
                "date": "2026-11-20",
                "department": "市住房和城乡建设局",
                "rated": "李红 (1024) · A03 不动产登记",
            },
        )


# The timeline's words for the events of 好差评 (staff; the citizen's where the event is public).
EVENTS = [
    ("rectification_open", _("Bad rating: rectification opened"), None),
    ("rectification_move", _("Rectification moved with the case to its new lead department"), None),
    ("rectification_submit", _("Rectification submitted for checking"), None),
    ("rectification_return", _("Rectification sent back to the department"), None),
    ("rectification_done", _("Rectification checked and reported"), _("We told you what was done about your rating")),
    ("rate_rectification", _("The submitter rated the rectification"), _("You rated what was done")),
    ("rating_reminder", _("Reminded to rate the reply"), None),
    ("follow_up", _("Follow-up call (回访)"), None),
    ("appeal_file", _("Rating appealed"), None),
    ("appeal_uphold", _("Appeal upheld: the rating left the rates"), None),
    ("appeal_reject", _("Appeal rejected"), None),
]


def _comments(ids: set[int]) -> dict[int, str]:
    from .models import Rating

    return dict(Rating.objects.filter(pk__in=ids).values_list("pk", "comment"))


def _follow_up_notes(ids: set[int]) -> dict[int, str]:
    from .models import FollowUp

    return dict(FollowUp.objects.filter(pk__in=ids).values_list("pk", "notes"))


def _outcome(event: "Event") -> str:
    """A 回访 call's outcome, shown beside the event on the timeline."""
    from .models import FollowUp

    outcome = (event.data or {}).get("outcome", "")
    return str(FollowUp.Outcome(outcome).label) if outcome in FollowUp.Outcome.values else ""
