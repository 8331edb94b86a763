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

        # A rating's event refers to the rating; its comment is read from the row, which erasure masks.
        for action in ("rate_satisfied", "rate_unsatisfied"):
            labels.register_text(action, "rating_id", _comments)
        # A follow-up call (回访): its notes say what the person said, read from the row (masked on erasure).
        labels.register("follow_up", staff=_("Follow-up call"), detail=_outcome)
        labels.register_text("follow_up", "follow_up_id", _notes)


def _comments(ids: set[int]) -> dict[int, str]:
    from .models import Rating

    return dict(Rating.objects.filter(pk__in=ids).values_list("pk", "comment"))


def _notes(ids: set[int]) -> dict[int, str]:
    from .models import FollowUp

    return dict(FollowUp.objects.filter(pk__in=ids).values_list("pk", "notes"))


def _outcome(event: "Event") -> str:
    from .models import FollowUp

    outcome = (event.data or {}).get("outcome", "")
    return str(FollowUp.Outcome(outcome).label) if outcome in FollowUp.Outcome.values else ""
