"""Every write on topics outside the batch placement (``placement``): renaming, recounting and relabelling, inserting
new topics.

A topic's label is made from its cases' titles (``nlp.labels.headline``) and becomes the title of improvement actions
and a line of messages to citizens, so the people who triage and analyse may write a better one. A label they wrote
is kept: recounts and the hourly sweep never overwrite it (``save_labels``), until they hand the label back to the
analysis.
"""

from __future__ import annotations

import itertools
import logging
from collections import Counter
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, Max, Min, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fankui.accounts.models import Role, User
from fankui.analysis.models import CaseAnalysis
from fankui.analysis.rows import preparer, update_rows
from fankui.cases.models import Case
from fankui.core.errors import PermissionDenied, ValidationFailed
from fankui.nlp import labels, places
from fankui.nlp.cluster import growth_ratio, heat_score

from .duplicates import case_text
from .models import Topic

log = logging.getLogger("fankui.topics")

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
        refresh_topic(topic, relabel=True)
    log.info("topic %s label handed back to the analysis by %s", topic.pk, user.username)
    return topic


# How many recent texts of a topic its keywords are recomputed from when a case joins.
KEYWORD_SAMPLE = 50


def insert_topics(new: list[Topic]) -> None:
    """``Topic.objects.bulk_create(new)`` in plain INSERT … RETURNING statements (both engines have it; Django's
    ``bulk_create`` does the same and relies on the same order of the returned ids), without its per-value
    preparation: for a batch of new topics that preparation cost more than the rest of their placement."""
    if not new:
        return
    meta = Topic._meta
    fields: list[Any] = [f for f in meta.concrete_fields if not f.primary_key]
    if not connection.features.can_return_rows_from_bulk_insert or any(
        getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False) for f in fields
    ):
        # An SQLite before 3.35 (no RETURNING), or fields that set themselves on save: Django knows what to do.
        Topic.objects.bulk_create(new)
        return
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    placeholders = "(" + ", ".join(["%s"] * len(fields)) + ")"
    preps = [(f.attname, preparer(f)) for f in fields]
    per_statement = max(1, min(500, (connection.features.max_query_params or 10_000) // len(fields)))
    for start in range(0, len(new), per_statement):
        chunk = new[start : start + per_statement]
        params = [prep(getattr(topic, attname)) for topic in chunk for attname, prep in preps]
        sql = (
            f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES {', '.join([placeholders] * len(chunk))} "
            f"RETURNING {quote(meta.pk.column)}"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            ids = [row[0] for row in cursor.fetchall()]
        for topic, pk in zip(chunk, ids, strict=True):
            topic.pk = pk
            topic._state.adding = False
            topic._state.db = connection.alias


def distinct(words: Sequence[str]) -> tuple[str, ...]:
    """Each word once, in the order of the text (title first): keywords and labels must not depend on the order
    of a set, which changes from one process to the next (string hashing is randomised)."""
    return tuple(dict.fromkeys(words))


def top_words(sample: list[tuple[str, ...]], place: str) -> list[str]:
    if len(sample) == 1:
        # What the counting below gives for one text (every count 1, so the first eight in the text's order), without
        # building the counter: a new topic's keywords, once per topic a batch starts.
        top = list(itertools.islice(sample[0], 8))
    else:
        counts: Counter[str] = Counter()
        for words in sample:
            counts.update(words)
        top = [word for word, _ in counts.most_common(8)]
    return [word for word in top if not (place and (word in place or place in word))]


def keywords_of(texts: list[tuple[str, str]], place: str) -> list[str]:
    """Words the most member texts use (document frequency), the title's words counting first."""
    counts: Counter[str] = Counter()
    for title, body in texts:
        counts.update(distinct(places.features(body, title).words))
    return [word for word, _ in counts.most_common(8) if not (place and (word in place or place in word))]


def recount(changed: list[Topic], now: datetime) -> None:
    """Size, growth, heat and dates of these topics from their cases: one grouped query, one UPDATE run."""
    if not changed:
        return
    week = timedelta(days=7)
    figures = {
        row["analysis__topic"]: row
        for row in Case.objects.filter(analysis__topic__in=[t.pk for t in changed])
        .values("analysis__topic")
        .annotate(
            size=Count("id"),
            first=Min("created_at"),
            last=Max("created_at"),
            recent=Count("id", filter=Q(created_at__gt=now - week)),
            previous=Count("id", filter=Q(created_at__gt=now - 2 * week, created_at__lte=now - week)),
        )
    }
    empty = {"size": 0, "first": None, "last": None, "recent": 0, "previous": 0}
    for topic in changed:
        apply_figures(topic, figures.get(topic.pk, empty), now)
        topic.model_version = places.MODEL_VERSION
    update_rows(
        changed, ["size", "active", "heat", "first_seen_at", "last_seen_at", "growth", "keywords", "model_version"]
    )


# What a recount never writes: the key, and the label with who wrote it (``rename``).
_STAFF_LABEL_FIELDS = {"id", "label", "label_edited", "label_edited_by", "label_edited_at"}


def save_labels(relabelled: Sequence[Topic]) -> None:
    """Store the labels made for these topics, except where staff wrote one meanwhile (``label_edited``): a
    conditional UPDATE, so that an edit made while a batch or the sweep held the topic in memory is never undone."""
    if not relabelled:
        return
    meta = Topic._meta
    quote = connection.ops.quote_name
    table, key = quote(meta.db_table), quote(meta.pk.column)
    label, edited = quote(meta.get_field("label").column), quote(meta.get_field("label_edited").column)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {table} SET {label} = %s WHERE {key} = %s AND {edited} = %s",
            [(topic.label, topic.pk, False) for topic in relabelled],
        )


def apply_figures(topic: Topic, figures: dict[str, Any], now: datetime) -> bool:
    """Set a topic's figures from its cases' counts; False when it has none left (and is retired)."""
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
    """Recount a topic from its cases: size, growth (last 7 days over the 7 before), heat, and its words."""
    now = now or timezone.now()
    week = timedelta(days=7)
    # One aggregate query, however large the topic.
    figures = Case.objects.filter(analysis__topic=topic).aggregate(
        size=Count("id"),
        first=Min("created_at"),
        last=Max("created_at"),
        recent=Count("id", filter=Q(created_at__gt=now - week)),
        previous=Count("id", filter=Q(created_at__gt=now - 2 * week, created_at__lte=now - week)),
    )
    topic.size = figures["size"]
    if not topic.size:
        topic.active = False
        topic.heat = 0.0
        topic.save(update_fields=["size", "active", "heat"])
        return topic
    recent, previous = figures["recent"], figures["previous"]
    topic.first_seen_at = figures["first"]
    topic.last_seen_at = figures["last"]
    topic.growth = growth_ratio(recent, previous)
    age_days = (now - topic.last_seen_at).total_seconds() / 86400
    topic.heat = heat_score(topic.size, topic.support, topic.growth, age_days)
    if relabel is None:
        relabel = topic.size <= 20 or topic.size % 10 == 0
    label = ""
    if relabel:
        sample = (
            CaseAnalysis.objects.filter(topic=topic)
            .select_related("case__submission")
            .order_by("-case__created_at")[:KEYWORD_SAMPLE]
        )
        texts = [case_text(a) for a in sample]
        topic.keywords = keywords_of(texts, topic.place)
        heads = [labels.title_of(title, body) for title, body in texts]
        label = (labels.headline(heads, topic.place, topic.keywords) or topic.label)[:200]
    topic.model_version = places.MODEL_VERSION
    # Everything but the label and whether staff wrote it, which may have changed meanwhile.
    topic.save(update_fields=[f.name for f in Topic._meta.concrete_fields if f.name not in _STAFF_LABEL_FIELDS])
    if label and not topic.label_edited:
        topic.label = label
        save_labels([topic])
    return topic
