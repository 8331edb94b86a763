from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TopicsConfig(AppConfig):
    """Hot topics and likely duplicates of the cases, found after each batch of analyses."""

    name = "fankui.topics"
    label = "topics"
    verbose_name = _("Hot topics")

    def ready(self) -> None:
        from fankui.analysis import suggestions
        from fankui.analysis.signals import analyses_committed, analyses_saved

        from .duplicates import likely_duplicate
        from .placement import look_at_batch, warm_for_batch

        analyses_committed.connect(warm_for_batch, dispatch_uid="topics.warm_for_batch")
        analyses_saved.connect(look_at_batch, dispatch_uid="topics.look_at_batch")
        # The operator's suggestions while they type name a likely duplicate from this app's index.
        suggestions.register_duplicate_lookup(likely_duplicate)
