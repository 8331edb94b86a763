"""Each new case's hot topic: the active topic of the same problem at the same place, or a new one.

Runs after the analysis of a batch committed (``analysis.signals.analyses_saved``, received by ``look_at_batch``),
right after the duplicate lookup (``duplicates``), for the whole batch at once, in the transaction that marks it done
(a worker killed before it commits leaves the batch to the analysis's follow-up sweep).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from fankui.analysis.models import CaseAnalysis, DomainWord
from fankui.core.rows import update_rows
from fankui.nlp import labels, paraphrase, places

from . import duplicates
from .candidates import (
    PLACELESS_SHARED,
    TOPIC_DAYS,
    Batch,
    Earlier,
    Paraphrases,
    known_places,
    place_variants,
    places_match,
)
from .duplicates import case_text
from .models import Topic
from .services import (
    KEYWORD_SAMPLE,
    RELABEL_UP_TO,
    apply_figures,
    distinct,
    latest_sample,
    latest_samples,
    recount,
    save_labels,
    top_words,
)

log = logging.getLogger("fankui.topics")

# What placing a case sets on its analysis (the duplicate may change: ``duplicates.find_duplicates`` left it unsaved).
PLACED_FIELDS = ["place", "words", "topic_words", "duplicate_of", "duplicate_similarity", "topic"]
# How much of a case's word weight must be among a topic's keywords for it to join a topic of its place: a shared
# common word ("开发商", "二期") is not the same problem (``fankui bench quality``: topic precision 0.90 -> 0.93,
# recall 0.84 -> 0.82; at 0.15, 0.96 and 0.79).
TOPIC_SAME_PLACE = 0.1


def warm_for_batch(sender: type, analyses: Sequence[CaseAnalysis], **kwargs: Any) -> None:
    """Bring the process's duplicate index up to a batch whose analysis was just committed, outside any transaction
    (``analysis.signals.analyses_committed``): a worker's first look reads every case. Never raises: the look itself
    refreshes the index again if this failed."""
    if not analyses:
        return
    try:
        duplicates.warm_index(min(analysis.case_id for analysis in analyses))
    except Exception:
        log.exception("the duplicate index could not be brought up to a batch")


def look_at_batch(sender: type, analyses: Sequence[CaseAnalysis], **kwargs: Any) -> None:
    """The duplicate and the hot topic of each case of a batch whose analysis was just committed
    (``analysis.signals.analyses_saved``, inside the transaction that marks this done: what is written here commits
    with that mark or not at all). The whole batch is looked at in one savepoint; should that fail, case by case, so
    that one bad case costs only its own duplicate and topic (the error is kept on its analysis). Never raises: the
    analysis itself is saved."""
    if not analyses:
        return
    try:
        with transaction.atomic():
            duplicates.find_duplicates(analyses)
            place_in_topics(analyses)
        return
    except Exception:
        log.exception("duplicate/topic lookup failed for a batch; retrying case by case")
    for analysis in analyses:
        try:
            with transaction.atomic():
                duplicates.find_duplicates([analysis])
                place_in_topics([analysis])
        except Exception as exc:
            log.exception("duplicate/topic lookup failed for case %s", analysis.case_id)
            CaseAnalysis.objects.filter(pk=analysis.pk).update(error=f"{type(exc).__name__}: {exc}"[:2000])


def load_staff_words() -> None:
    """Teach the topic tokenizer the domain words staff added in the admin (cheap: a handful of rows)."""
    places.add_words(DomainWord.objects.values_list("word", flat=True))


def place_in_topics(analyses: Sequence[CaseAnalysis]) -> None:
    """Put each case in its hot topic (joining an active one or starting one) and update the topics' figures, with
    the same decisions as one case after another: the topics that may
    be joined are loaded once for the batch and kept in memory, a topic's keywords are recomputed in memory when a
    case joins (from its latest texts' words, read from the database once per batch), the topics the batch starts
    are inserted together at the end and each topic that existed before is recounted once, at the end. What differs:
    within a batch, topics are ranked by the heat they had when the batch began (heat only orders equally good
    candidates)."""
    if not analyses:
        return
    placing = _Placing(analyses)
    for analysis, (title, body), pattern in zip(analyses, placing.texts, placing.patterns, strict=True):
        placing.place(analysis, title, body, pattern)
    placing.compare_placeless()
    placing.save(analyses)


@dataclass
class _Touched:
    """A topic a batch joined: how many cases it has now and, once it was relabelled, its latest texts' words. A
    topic the batch started is saved at the end with its figures, from its cases (all of them in the batch)."""

    topic: Topic
    size: int
    sample: list[tuple[str, ...]] | None = None
    new: bool = False
    joined: list[datetime] = field(default_factory=list)
    # The titles of the same texts as ``sample`` (what its label is chosen from), and whether it got a new one.
    heads: list[str] = field(default_factory=list)
    relabelled: bool = False


class _Placing:
    """One batch's placement: the topics and earlier cases it is compared with, what it changed so far."""

    def __init__(self, analyses: Sequence[CaseAnalysis]) -> None:
        load_staff_words()
        self.known = known_places()
        places.learn_places(self.known)
        self.now = timezone.now()
        self.batch = Batch(self.now - timedelta(days=TOPIC_DAYS))
        self.texts = [case_text(a) for a in analyses]
        self.patterns = [places.pattern_places(body, title) for title, body in self.texts]
        # The topics of every place the patterns name, in one query; a place only known words reveal loads later.
        names = {name for pair in self.patterns for name in (*pair[0], *pair[1])}
        self.batch.load({v for name in names for v in place_variants(places.place_key(name))})
        self.earlier = Paraphrases()
        self.earlier.load_topics({t.pk for listed in self.batch.by_place.values() for t in listed})
        self.earlier.load_ids({a.duplicate_of_id for a in analyses if a.duplicate_of_id})
        self.touched: dict[int, _Touched] = {}
        # Latest texts read for topics not joined yet (``_sample``), by topic id.
        self.samples: dict[int, tuple[list[tuple[str, ...]], list[str]]] = {}
        self.placed: list[tuple[CaseAnalysis, Topic]] = []
        self.placeless: list[tuple[CaseAnalysis, Earlier, Topic]] = []

    def place(self, analysis: CaseAnalysis, title: str, body: str, pattern: tuple[list[str], list[str]]) -> None:
        feats, plain = places.features_both(body, title, self.known, pattern)
        words = distinct(plain.words)
        analysis.place, analysis.words, analysis.topic_words = feats.place, " ".join(feats.words), " ".join(words)
        if not feats.words and not feats.place:
            return
        this = Earlier(analysis.case_id, title, body, feats.place, feats.words, None)
        topic = self._topic(analysis, this, feats)
        if topic is None:
            topic = self._start(analysis, title, body, feats, words)
        self._join(topic, analysis, labels.title_of(title, body), words)
        self.placed.append((analysis, topic))
        self.earlier.add(analysis.case_id, title, body, feats, topic)._report = this._report

    def _topic(self, analysis: CaseAnalysis, this: Earlier, feats: places.Features) -> Topic | None:
        """The active topic the case joins, if any; its duplicate is checked or found on the way."""
        repeated = _check_near_duplicate(analysis, this, self.earlier)
        candidates = self.batch.candidates(feats.place, set(feats.words))
        topic = None
        if feats.place and candidates:
            if analysis.duplicate_of_id is None:
                repeated = _paraphrase(analysis, this, self.earlier.cases_of(candidates), self.earlier)
            # The same problem at the same place is one topic: a case joins the topic of the case it repeats.
            topic = _topic_of(repeated, candidates)
        topic = topic or _choose(feats, candidates, self.batch, this._report.vector if this._report else None)
        if not feats.place and analysis.duplicate_of_id is None and topic is not None:
            # Compared after the loop, when the cases of every such topic are read in one query.
            self.placeless.append((analysis, this, topic))
        return topic

    def _start(
        self, analysis: CaseAnalysis, title: str, body: str, feats: places.Features, words: tuple[str, ...]
    ) -> Topic:
        keywords = top_words([words], feats.place)
        topic = Topic(
            label=labels.headline([labels.title_of(title, body)], feats.place, keywords)[:200] or body[:40],
            place=feats.place,
            keywords=keywords,
            first_seen_at=analysis.case.created_at,
            last_seen_at=analysis.case.created_at,
            model_version=places.MODEL_VERSION,
        )
        self.batch.add(topic)
        if feats.place and feats.place not in self.known:
            self.known = {*self.known, feats.place}
            places.learn_places([feats.place])
        self.touched[id(topic)] = _Touched(topic, 0, [], new=True)
        return topic

    def _join(self, topic: Topic, analysis: CaseAnalysis, head: str, words: tuple[str, ...]) -> None:
        """Count the case in its topic, and make the topic's keywords and label again while it is small or at
        every tenth case (from its latest texts: the database's once per batch, then the batch's own)."""
        entry = self.touched.setdefault(id(topic), _Touched(topic, topic.size))
        entry.size += 1
        entry.joined.append(analysis.case.created_at)
        if entry.new and entry.size == 1:
            # Its keywords and label were just made from these same words.
            entry.sample, entry.heads = [words], [head]
        elif entry.size <= RELABEL_UP_TO or entry.size % 10 == 0:
            if entry.sample is None:
                entry.sample, entry.heads = self._sample(topic)
            entry.sample = [words, *entry.sample][:KEYWORD_SAMPLE]
            entry.heads = [head, *entry.heads][:KEYWORD_SAMPLE]
            topic.keywords = top_words(entry.sample, topic.place)
            if not topic.label_edited:
                topic.label = (labels.headline(entry.heads, topic.place, topic.keywords) or topic.label)[:200]
                entry.relabelled = True
            self.batch.changed(topic)
        elif entry.sample is not None:
            entry.sample = [words, *entry.sample][:KEYWORD_SAMPLE]
            entry.heads = [head, *entry.heads][:KEYWORD_SAMPLE]

    def _sample(self, topic: Topic) -> tuple[list[tuple[str, ...]], list[str]]:
        """A topic's latest texts' words and titles, as the database has them. A topic whose every join remakes its
        keywords (``KEYWORD_SAMPLE`` cases at most) is read together with the other such topics of the batch's
        places not read yet: in one query, instead of one per topic joined (with repeated texts most cases join a
        small topic, and those queries were a third of the placement's time)."""
        if topic.pk not in self.samples:
            small = [topic.pk]
            if topic.size < RELABEL_UP_TO:
                small += [
                    other.pk
                    for listed in self.batch.by_place.values()
                    for other in listed
                    if other.pk is not None and other.size < RELABEL_UP_TO and other.pk not in self.samples
                ]
                self.samples.update(latest_samples(small))
            else:
                self.samples[topic.pk] = latest_sample(topic)
        sample, heads = self.samples.pop(topic.pk)
        return sample, heads

    def compare_placeless(self) -> None:
        """Cases without a place are compared with the cases of the topic they joined once all are placed."""
        self.earlier.load_topics({topic.pk for _, _, topic in self.placeless if topic.pk is not None})
        for analysis, this, topic in self.placeless:
            _paraphrase(analysis, this, self.earlier.cases_of([topic]), self.earlier)

    def save(self, analyses: Sequence[CaseAnalysis]) -> None:
        """The topics the batch started (with their figures), every case's place, words, duplicate and topic, the
        other topics recounted and relabelled."""
        week = timedelta(days=7)
        now = self.now
        started = [entry for entry in self.touched.values() if entry.new]
        for entry in started:
            figures = {
                "size": len(entry.joined),
                "first": min(entry.joined),
                "last": max(entry.joined),
                "recent": sum(1 for at in entry.joined if at > now - week),
                "previous": sum(1 for at in entry.joined if now - 2 * week < at <= now - week),
            }
            apply_figures(entry.topic, figures, now)
        with transaction.atomic():
            Topic.objects.bulk_create([entry.topic for entry in started])
            for analysis, topic in self.placed:
                analysis.topic = topic  # again: the topic has its key only now
            # Every case of the batch, in one UPDATE statement run (a case not placed keeps the topic it had).
            update_rows(analyses, PLACED_FIELDS)
            recount([entry.topic for entry in self.touched.values() if not entry.new], now)
            save_labels([entry.topic for entry in self.touched.values() if entry.relabelled and not entry.new])


def _topic_of(earlier: Earlier | None, candidates: list[Topic]) -> Topic | None:
    """The topic of the case this one repeats, when this case may join it (one of its candidate topics)."""
    if earlier is None:
        return None
    if earlier.topic is not None:
        return earlier.topic if any(t is earlier.topic for t in candidates) else None
    return next((t for t in candidates if t.pk is not None and t.pk == earlier.topic_id), None)


def _choose(
    feats: places.Features, candidates: list[Topic], batch: Batch, vector: dict[str, float] | None = None
) -> Topic | None:
    """The active topic a case belongs to: same place and a shared issue word, or (no place) most words.
    ``vector``: the case's word vector (``paraphrase.word_vector``) when the caller has it."""
    words = set(feats.words)
    place = feats.place
    best: tuple[float, Topic] | None = None
    for topic in candidates:
        if place and not places_match(place, topic.place):
            continue
        keywords = batch.keywords(topic)
        overlap = len(words & keywords)
        if place:
            if overlap < 1:
                continue
            if vector is None:
                # Only now: most cases with a place have no topic of their place to share a word with.
                vector = paraphrase.word_vector(feats.words)
            if paraphrase.cosine(vector, batch.keyword_vector(topic)) < TOPIC_SAME_PLACE:
                continue
            score = 1.0 + overlap
        else:
            if overlap < PLACELESS_SHARED or overlap < 0.4 * len(keywords):
                continue
            score = overlap / max(len(keywords), 1)
        if best is None or score > best[0]:
            best = (score, topic)
    return best[1] if best else None


def _check_near_duplicate(analysis: CaseAnalysis, this: Earlier, earlier_cases: Paraphrases) -> Earlier | None:
    """The near-duplicate ``find_duplicates`` named, unless it is about another place or numbered differently
    ("XX小区油烟扰民" sent about two estates): then the case has none (yet)."""
    if not analysis.duplicate_of_id:
        return None
    earlier = earlier_cases.by_id.get(analysis.duplicate_of_id)
    if earlier is not None and paraphrase.conflicting(this.report, earlier.report):
        analysis.duplicate_of_id = analysis.duplicate_similarity = None
        return None
    return earlier


def _paraphrase(
    analysis: CaseAnalysis, this: Earlier, candidates: list[Earlier], earlier_cases: Paraphrases
) -> Earlier | None:
    """Name the earlier case this one tells again in other words as its likely duplicate, if there is one."""
    if not candidates:
        return None
    found = earlier_cases.best(analysis.case, this.report, candidates)
    if found is None:
        return None
    earlier, primary, verdict = found
    analysis.duplicate_of_id, analysis.duplicate_similarity = primary, verdict.similarity
    return earlier
