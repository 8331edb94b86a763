"""Every write on topics outside the batch placement (``placement``): renaming, recounting and relabelling, inserting
new topics.

A topic's label is made from its cases' titles (``nlp.labels.headline``) and becomes the title of improvement actions
and a line of messages to citizens, so the people who triage and analyse may write a better one. A label they wrote
is kept: recounts and the hourly sweep never overwrite it (``save_labels``), until they hand the label back to the
analysis.

A label is built from citizens' words, so it reaches a public page (the board) only once a supervisor or an
administrator approved that very label (``approve_for_public``); any new label withdraws the approval
(``withdraw_stale_approvals``), and every decision is a ``TopicEvent``. Even approved, it is shown masked
(``nlp.public.public_text``: no phone number, no person's name).
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Count, F, Max, Min, Q
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fankui.accounts import permissions
from fankui.accounts.models import User
from fankui.analysis.models import CaseAnalysis
from fankui.cases.models import Case
from fankui.core.errors import Conflict, PermissionDenied, ValidationFailed
from fankui.core.rows import update_rows
from fankui.nlp import labels, places
from fankui.nlp.cluster import growth_ratio, heat_score

from .models import Topic, TopicEvent

log = logging.getLogger("fankui.topics")

MAX_LABEL = Topic._meta.get_field("label").max_length or 200


def can_rename(user: User) -> bool:
    """Labels are shared by every department, so only those who see across them (organisation-wide roles) write
    them."""
    return permissions.is_organisation_wide(user)


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
    with transaction.atomic():
        Topic.objects.filter(pk=topic.pk).update(
            label=label, label_edited=True, label_edited_by=user, label_edited_at=now
        )
        withdraw_stale_approvals([topic.pk], actor=user)
    topic.refresh_from_db()
    log.info("topic %s renamed by %s: %s", topic.pk, user.username, label)
    return topic


def use_automatic_label(topic: Topic, user: User) -> Topic:
    """Hand the label back to the analysis: it is made again from the topic's cases, now and on each recount."""
    if not can_rename(user):
        raise PermissionDenied(_("Only dispatchers, supervisors, analysts and administrators may rename a topic."))
    with transaction.atomic():
        Topic.objects.filter(pk=topic.pk).update(label_edited=False, label_edited_by=None, label_edited_at=None)
        topic.label_edited, topic.label_edited_by, topic.label_edited_at = False, None, None
        refresh_topic(topic, relabel=True)
    log.info("topic %s label handed back to the analysis by %s", topic.pk, user.username)
    return topic


# How many recent texts of a topic its keywords and label are made from.
KEYWORD_SAMPLE = 50
# Up to this size a topic's keywords and label are made again at every case it gains; beyond, at every tenth.
RELABEL_UP_TO = 20
# What a recount writes (never the label or who wrote it: ``rename``, ``save_labels``).
RECOUNTED = [
    "size",
    "active",
    "heat",
    "first_seen_at",
    "last_seen_at",
    "growth",
    "keywords",
    "model_version",
    "refreshed_at",
]


def distinct(words: Sequence[str]) -> tuple[str, ...]:
    """Each word once, in the order of the text (title first): keywords and labels must not depend on the order
    of a set, which changes from one process to the next (string hashing is randomised)."""
    return tuple(dict.fromkeys(words))


def top_words(sample: Sequence[tuple[str, ...]], place: str) -> list[str]:
    """A topic's keywords: the words most of its texts use (each text's words counted once), not its place."""
    counts: Counter[str] = Counter()
    for words in sample:
        counts.update(words)
    return [word for word, _ in counts.most_common(8) if not (place and (word in place or place in word))]


# The start of a body that is read: all ``places.features`` reads of it (``places.text_parts``) and all a title is
# taken from (``labels.title_of``), so a body is never read whole here.
READ_CHARS = places.BODY_CHARS + 60


def latest_sample(topic: Topic) -> tuple[list[tuple[str, ...]], list[str]]:
    """The word sets of a topic's latest ``KEYWORD_SAMPLE`` texts, newest first (what its keywords come from), and
    their titles (what its label is chosen from). Latest by case number: cases are numbered as they arrive (an
    imported history arrives in its file's order)."""
    return latest_samples([topic.pk])[topic.pk]


def latest_samples(topic_ids: Sequence[int]) -> dict[int, tuple[list[tuple[str, ...]], list[str]]]:
    """``latest_sample`` of several topics in one query: every case of them is read, so it is meant for small topics
    (a batch's placement asks it for those it may join, each at most ``KEYWORD_SAMPLE`` cases), one topic at a time
    for the others. The words are the ones kept when each case was placed (``CaseAnalysis.topic_words``); only a case
    placed before they were kept is cut into words again.

    The analyses are read alone, by the topic index, and the submissions' own texts only for the rare case without
    its masked ones. Read in one join, PostgreSQL's plan depended on its statistics: while cases arrived faster than
    they were counted it scanned every case and submission for each call, and the placement of a 10-minute soak fell
    further behind each minute (decision 0027)."""
    ids = list(dict.fromkeys(topic_ids))
    rows = CaseAnalysis.objects.filter(topic__in=ids).order_by("topic_id", "-case_id")
    if len(ids) == 1:
        rows = rows[:KEYWORD_SAMPLE]
    kept: dict[int, list[tuple[int, str, str, str]]] = {pk: [] for pk in ids}
    for topic_id, case_id, words, title, head in rows.values_list(
        "topic_id", "case_id", "topic_words", "masked_title", Substr("masked_body", 1, READ_CHARS)
    ):
        if len(kept[topic_id]) < KEYWORD_SAMPLE:
            kept[topic_id].append((case_id, words, title, head))
    unmasked = [case_id for listed in kept.values() for case_id, _w, title, head in listed if not (title or head)]
    texts = {
        pk: (title, head)
        for pk, title, head in Case.objects.filter(pk__in=unmasked).values_list(
            "pk", "submission__title", Substr("submission__body", 1, READ_CHARS)
        )
    }
    found: dict[int, tuple[list[tuple[str, ...]], list[str]]] = {}
    for topic_id, listed in kept.items():
        sample, heads = found[topic_id] = ([], [])
        for case_id, words, title, head in listed:
            if not (title or head):
                title, head = texts.get(case_id, ("", ""))
            # Cut again only for a case placed before the words were kept.
            sample.append(tuple(words.split(" ")) if words else distinct(places.features(head, title).words))
            heads.append(labels.title_of(title, head))
    return found


def counts(topics: Sequence[Topic], now: datetime) -> dict[int, dict[str, Any]]:
    """Each topic's cases counted (size, first and last, the last 7 days and the 7 before): one grouped query."""
    week = timedelta(days=7)
    rows = (
        Case.objects.filter(analysis__topic__in=[t.pk for t in topics])
        .values("analysis__topic")
        .annotate(
            size=Count("id"),
            first=Min("created_at"),
            last=Max("created_at"),
            recent=Count("id", filter=Q(created_at__gt=now - week)),
            previous=Count("id", filter=Q(created_at__gt=now - 2 * week, created_at__lte=now - week)),
        )
    )
    return {row["analysis__topic"]: row for row in rows}


_NO_CASES = {"size": 0, "first": None, "last": None, "recent": 0, "previous": 0}


def recount(changed: Sequence[Topic], now: datetime) -> None:
    """Size, growth, heat and dates of these topics from their cases, saved with their keywords."""
    found = counts(changed, now)
    for topic in changed:
        apply_figures(topic, found.get(topic.pk, _NO_CASES), now)
        topic.model_version = places.MODEL_VERSION
    update_rows(changed, RECOUNTED)


def save_labels(relabelled: Sequence[Topic]) -> None:
    """Store the labels made for these topics, except where staff wrote one meanwhile (``label_edited``): a
    conditional UPDATE, so that an edit made while a batch or the sweep held the topic in memory is never undone."""
    update_rows(relabelled, ["label"], unless="label_edited")
    withdraw_stale_approvals([topic.pk for topic in relabelled])


def apply_figures(topic: Topic, figures: dict[str, Any], now: datetime) -> bool:
    """Set a topic's figures from its cases' counts as of ``now`` (its ``refreshed_at``: the hourly sweep leaves a
    topic alone for an hour after placement or the sweep counted it); False when it has none left (and is retired)."""
    topic.refreshed_at = now
    topic.size = figures["size"]
    if not topic.size:
        topic.active = False
        topic.heat = 0.0
        return False
    topic.first_seen_at = figures["first"]
    topic.last_seen_at = figures["last"]
    topic.growth = growth_ratio(figures["recent"], figures["previous"])
    age_days = (now - topic.last_seen_at).total_seconds() / 86400
    topic.heat = heat_score(topic.size, topic.support, topic.growth, age_days)
    return True


def refresh_topic(topic: Topic, *, now: datetime | None = None, relabel: bool | None = None) -> Topic:
    """Recount a topic from its cases: size, growth (last 7 days over the 7 before), heat, and its words; and, while
    it is small or at every tenth case (or when asked), its keywords and label (unless staff wrote the label)."""
    now = now or timezone.now()
    if not apply_figures(topic, counts([topic], now).get(topic.pk, _NO_CASES), now):
        topic.save(update_fields=["size", "active", "heat", "refreshed_at"])
        return topic
    if relabel is None:
        relabel = topic.size <= RELABEL_UP_TO or topic.size % 10 == 0
    label = ""
    if relabel:
        sample, heads = latest_sample(topic)
        topic.keywords = top_words(sample, topic.place)
        label = (labels.headline(heads, topic.place, topic.keywords) or topic.label)[:200]
    topic.model_version = places.MODEL_VERSION
    topic.save(update_fields=RECOUNTED)
    if label and not topic.label_edited:
        topic.label = label
        save_labels([topic])
    return topic


# --- What reaches public pages ------------------------------------------------------------------------------------
def public_filter(prefix: str = "") -> Q:
    """Topics whose current label staff approved for public pages (as a filter; ``prefix`` for a relation)."""
    return Q(**{f"{prefix}public_label": F(f"{prefix}label")}) & ~Q(**{f"{prefix}public_label": ""})


def is_public(topic: Topic) -> bool:
    """Staff approved this very label for public pages (an approval of an earlier label does not count)."""
    return bool(topic.public_label) and topic.public_label == topic.label


def approve_for_public(topic: Topic, user: User) -> Topic:
    """Let the topic's current label appear on public pages (masked, ``nlp.public``); recorded as a ``TopicEvent``."""
    if not permissions.may_approve_for_public(user):
        raise PermissionDenied(_("Only supervisors and administrators may approve a label for public pages."))
    with transaction.atomic():
        current = Topic.objects.select_for_update().get(pk=topic.pk)
        if is_public(current):
            raise Conflict(_("This label is already approved for public pages."))
        now = timezone.now()
        Topic.objects.filter(pk=topic.pk).update(
            public_label=current.label, public_approved_by=user, public_approved_at=now
        )
        TopicEvent.objects.create(
            topic=current, actor=user, kind=TopicEvent.Kind.APPROVED, label=current.label, created_at=now
        )
    topic.refresh_from_db()
    log.info("topic %s label approved for public pages by %s", topic.pk, user.username)
    return topic


def withdraw_from_public(topic: Topic, user: User, reason: str = "") -> Topic:
    """Take the topic's label off public pages."""
    if not permissions.may_approve_for_public(user):
        raise PermissionDenied(_("Only supervisors and administrators may approve a label for public pages."))
    with transaction.atomic():
        current = Topic.objects.select_for_update().get(pk=topic.pk)
        if not current.public_label:
            raise Conflict(_("This label is not approved for public pages."))
        Topic.objects.filter(pk=topic.pk).update(public_label="", public_approved_by=None, public_approved_at=None)
        TopicEvent.objects.create(
            topic=current,
            actor=user,
            kind=TopicEvent.Kind.WITHDRAWN,
            label=current.public_label,
            message=" ".join(reason.split())[:500],
            created_at=timezone.now(),
        )
    topic.refresh_from_db()
    return topic


def withdraw_stale_approvals(topic_ids: Sequence[int] | None = None, *, actor: User | None = None) -> int:
    """Clear the approvals of topics whose label changed since (the new label was never approved), each recorded
    as a withdrawal without a reason; how many. Public pages never show a stale approval anyway (``is_public``)."""
    stale = Topic.objects.exclude(public_label="").exclude(public_label=F("label"))
    if topic_ids is not None:
        stale = stale.filter(pk__in=list(topic_ids))
    rows = list(stale.values_list("pk", "public_label"))
    if not rows:
        return 0
    now = timezone.now()
    with transaction.atomic():
        Topic.objects.filter(pk__in=[pk for pk, _ in rows]).exclude(public_label=F("label")).update(
            public_label="", public_approved_by=None, public_approved_at=None
        )
        TopicEvent.objects.bulk_create(
            TopicEvent(topic_id=pk, actor=actor, kind=TopicEvent.Kind.WITHDRAWN, label=label, created_at=now)
            for pk, label in rows
        )
    return len(rows)
