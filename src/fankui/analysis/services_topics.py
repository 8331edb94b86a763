"""What staff change on a hot topic: its label.

A topic's label is made from its cases' titles (``topics.headline``) and becomes the title of improvement actions
and a line of messages to citizens, so the people who triage and analyse may write a better one. A label they wrote
is kept: recounts and the hourly sweep never overwrite it (``similar.save_labels``), until they hand the label back
to the analysis.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fankui.accounts.models import Role, User
from fankui.core.errors import PermissionDenied, ValidationFailed

from . import similar
from .models import Topic

log = logging.getLogger("fankui.analysis")

# Labels are shared by every department, so only those who see across them write them.
EDITORS = {Role.DISPATCHER, Role.SUPERVISOR, Role.ANALYST, Role.ADMIN}
MAX_LABEL = Topic._meta.get_field("label").max_length or 200


def can_rename(user: User) -> bool:
    return bool(user.is_active and (user.role in EDITORS or (user.is_superuser and not user.role)))


def rename(topic: Topic, user: User, label: str) -> Topic:
    """Give the topic the label staff wrote; it stays until ``use_automatic_label``."""
    if not can_rename(user):
        raise PermissionDenied(_("Only dispatchers, supervisors, analysts and administrators may rename a topic."))
    label = " ".join(label.split())
    if not label:
        raise ValidationFailed({"label": [str(_("Write the label: the place and the problem, in a few words."))]})
    if len(label) > MAX_LABEL:
        raise ValidationFailed({"label": [str(_("A label has at most %(count)d characters.") % {"count": MAX_LABEL})]})
    now = timezone.now()
    Topic.objects.filter(pk=topic.pk).update(label=label, label_edited=True, label_edited_by=user, label_edited_at=now)
    topic.label, topic.label_edited, topic.label_edited_by, topic.label_edited_at = label, True, user, now
    log.info("topic %s renamed by %s: %s", topic.pk, user.username, label)
    return topic


def use_automatic_label(topic: Topic, user: User) -> Topic:
    """Hand the label back to the analysis: it is made again from the topic's cases, now and on each recount."""
    if not can_rename(user):
        raise PermissionDenied(_("Only dispatchers, supervisors, analysts and administrators may rename a topic."))
    with transaction.atomic():
        Topic.objects.filter(pk=topic.pk).update(label_edited=False, label_edited_by=None, label_edited_at=None)
        topic.label_edited, topic.label_edited_by, topic.label_edited_at = False, None, None
        similar.refresh_topic(topic, relabel=True)
    log.info("topic %s label handed back to the analysis by %s", topic.pk, user.username)
    return topic
