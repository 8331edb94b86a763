from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "fankui.surveys"
    label = "surveys"
    verbose_name = _("Surveys")

    def ready(self) -> None:
        from fankui.audit import labels

        # A rating's event refers to the rating; its comment is read from the row, which erasure masks.
        for action in ("rate_satisfied", "rate_unsatisfied"):
            labels.register_text(action, "rating_id", _comments)


def _comments(ids: set[int]) -> dict[int, str]:
    from .models import Rating

    return dict(Rating.objects.filter(pk__in=ids).values_list("pk", "comment"))
