"""Vocabulary shared by several apps (DESIGN.md "Words")."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    INQUIRY = "inquiry", _("Inquiry")
    HELP = "help", _("Request for help")
    COMPLAINT = "complaint", _("Complaint")
    REPORT = "report", _("Report")
    SUGGESTION = "suggestion", _("Suggestion")
    PRAISE = "praise", _("Praise")


class Channel(models.TextChoices):
    WEB = "web", _("Web form")
    API = "api", _("API")
    OPEN311 = "open311", _("Open311")
    EMAIL = "email", _("E-mail")
    PHONE = "phone", _("Phone (operator)")
    # A person at a service window, typed by the staff member they talk to (面对面访谈).
    VISIT = "visit", _("Face-to-face visit")
    IMPORT = "import", _("Bulk import")
    # Another system posting to the signed partner webhook: a mini-program's backend, a social-media monitor.
    PARTNER = "partner", _("Partner system")


# The submitter's rating of a reply (surveys.Rating); the case pages and the figures name its levels too.
class Level(models.IntegerChoices):
    """The five levels of the 好差评 rating. 不满意 and 非常不满意 are bad ratings and reopen the case."""

    VERY_SATISFIED = 5, _("Very satisfied")
    SATISFIED = 4, _("Satisfied")
    FAIRLY_SATISFIED = 3, _("Fairly satisfied")
    UNSATISFIED = 2, _("Unsatisfied")
    VERY_UNSATISFIED = 1, _("Very unsatisfied")

    @classmethod
    def is_satisfied(cls, level: int) -> bool:
        return level >= cls.FAIRLY_SATISFIED
