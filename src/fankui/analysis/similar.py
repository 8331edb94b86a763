"""The per-case steps of the pipeline that look at other cases: its likely duplicate and its hot topic.

``find_duplicate`` answers from an in-memory MinHash index of every case (``dedupe.MinHashIndex``) that each worker
process loads once from the database and then tops up with the cases added since (ids above the highest it holds).
The index only proposes candidates; the answer is checked against the candidates' real texts in the database, so
an out-of-date index can miss a duplicate but never invent one. Why in memory and not a table: docs/topics.md.
"""

from __future__ import annotations

import bisect
import itertools
import threading
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

import numpy as np
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.db.models import Count, F, Max, Min, Q, Window
from django.db.models.functions import RowNumber, Substr
from django.utils import timezone

from fankui.cases.models import Case
from fankui.cases.workflow import State
from fankui.intake.models import Submission

from . import dedupe, paraphrase, topics
from .models import CaseAnalysis, DomainWord, Topic
from .text import fold_width

# Exact Jaccard similarity of character 3-grams from which a case is shown as a likely duplicate.
DUPLICATE_THRESHOLD = 0.5
# The index's estimate is noisy (64 numbers); candidates are taken a little below the threshold and checked.
CANDIDATE_THRESHOLD = 0.35
# Texts per vectorised signature step: small enough that the temporaries (60 hashes of every bigram) stay in the
# processor's cache. On 1,000 government messages: 0.16 ms a text in steps of 16 to 64, 0.21 ms in steps of 200.
SIGNATURE_CHUNK = 32
# A closed case older than this is history, not something to merge into.
RECENT_DAYS = 30
# A topic that saw no new case for this long is not joined any more (the sweep retires it).
TOPIC_DAYS = 60
# How many recent texts of a topic its keywords are recomputed from when a case joins.
KEYWORD_SAMPLE = 50


def case_text(analysis: CaseAnalysis) -> tuple[str, str]:
    """(title, body) to compare: the masked text once masking has run, else the submission as it arrived."""
    if analysis.masked_title or analysis.masked_body:
        return analysis.masked_title, analysis.masked_body
    submission = analysis.case.submission
    return submission.title, submission.body


def _joined(title: str, body: str) -> str:
    """The text whose signature and bigrams are compared. Full-width forms are folded here because it makes
    ``dedupe``'s NFKC nearly free (CPython returns a string its quick check finds normalised at once, and nearly
    every Chinese text is once its full-width punctuation is folded) and changes nothing: those forms decompose to
    exactly the ASCII they are folded to, so NFKC gives the same text either way."""
    return fold_width(f"{title} {body}".strip())


class _CaseIndex:
    """One process's index of every case, refreshed before each lookup with the cases added since."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.index = dedupe.MinHashIndex()
        self.max_id = 0
        self.max_code = ""

    def refresh(self, upto: int | None = None, known: dict[int, Any] | None = None) -> dedupe.MinHashIndex:
        """Add the cases since the last refresh (only up to ``upto`` when given: a lookup never needs later ones).
        ``known``: signatures the caller computed already from the same texts (a batch's own cases)."""
        known = known or {}
        with self.lock:
            if self.max_id and not Case.objects.filter(id=self.max_id, tracking_code=self.max_code).exists():
                # The case the index ends with is gone or another one (a restored backup, a test's rollback):
                # start again rather than trust ids.
                self.index, self.max_id, self.max_code = dedupe.MinHashIndex(), 0, ""
            newer = Case.objects.filter(id__gt=self.max_id)
            if upto is not None:
                if upto <= self.max_id:
                    return self.index
                newer = newer.filter(id__lte=upto)
            columns = ("submission__title", "submission__body", "analysis__masked_title", "analysis__masked_body")
            keys: list[int] = []
            texts: list[str] = []
            given: list[tuple[int, Any]] = []
            if known and upto is not None and upto - self.max_id <= 2 * len(known):
                # A batch's top-up: (nearly) every case in the range is the batch's own, whose signatures the
                # caller has; only the others' texts are read.
                ids = list(newer.order_by("id").values_list("id", "tracking_code"))
                others = [case_id for case_id, _ in ids if case_id not in known]
                text_of = {
                    case_id: _joined(masked_title or "", masked_body or "") or _joined(title, body)
                    for case_id, title, body, masked_title, masked_body in Case.objects.filter(
                        id__in=others
                    ).values_list("id", *columns)
                }
                for case_id, code in ids:
                    if case_id in known:
                        given.append((case_id, known[case_id]))
                    elif case_id in text_of:
                        keys.append(case_id)
                        texts.append(text_of[case_id])
                    self.max_id, self.max_code = case_id, code
            else:
                rows = newer.order_by("id").values_list("id", "tracking_code", *columns)
                for case_id, code, title, body, masked_title, masked_body in rows.iterator(chunk_size=2000):
                    if case_id in known:
                        given.append((case_id, known[case_id]))
                    else:
                        keys.append(case_id)
                        texts.append(_joined(masked_title or "", masked_body or "") or _joined(title, body))
                    self.max_id, self.max_code = case_id, code
            if given:
                keys += [key for key, _ in given]
                sigs = [sig for _, sig in given]
                if texts:
                    computed, ok = dedupe.signatures(texts, batch=SIGNATURE_CHUNK)
                    sigs = [*(computed[i] if ok[i] else None for i in range(len(texts))), *sigs]
                order = sorted(range(len(keys)), key=keys.__getitem__)
                keys = [keys[i] for i in order]
                sigs = [sigs[i] for i in order]
                present = np.array([sig is not None for sig in sigs], dtype=bool)
                stacked = np.vstack([sig if sig is not None else np.zeros(dedupe.NUM_PERM, np.uint32) for sig in sigs])
                self.index.add_many(keys, stacked, present)
            elif len(keys) > 100:
                sigs_, ok_ = dedupe.signatures(texts, batch=SIGNATURE_CHUNK)
                self.index.add_many(keys, sigs_, ok_)
            else:
                for key, text in zip(keys, texts, strict=True):
                    self.index.add(key, dedupe.signature(text))
            return self.index

    def reset(self) -> None:
        with self.lock:
            self.index, self.max_id, self.max_code = dedupe.MinHashIndex(), 0, ""


_cases = _CaseIndex()


def reset_index() -> None:
    """Forget the process's index (tests; after a bulk import the next lookup reloads it anyway)."""
    _cases.reset()


def warm_index(before: int) -> None:
    """Bring the process's index up to the case before ``before``, outside any transaction. The first refresh of a
    process reads and hashes every case (seconds for 100,000); inside the pipeline's transaction it would hold
    SQLite's write lock, and so every intake, all that time. Reading needs no lock."""
    _cases.refresh(upto=before - 1)


def find_duplicate(analysis: CaseAnalysis) -> tuple[int, float] | None:
    """The earlier case this one most likely repeats, with the similarity (0..1), saved on the analysis.

    Candidates are earlier cases that are open or were received in the last ``RECENT_DAYS``; a case merged into
    another stands for its primary. Never the case itself or a case that was merged into it.
    """
    return find_duplicates([analysis])[0]


def find_duplicates(analyses: Sequence[CaseAnalysis]) -> list[tuple[int, float] | None]:
    """``find_duplicate`` for a whole batch: one index refresh, one query for every candidate of the batch (their
    state, primary and text), each candidate's text hashed once, and one UPDATE run for all rows."""
    texts = [_joined(*case_text(a)) for a in analyses]
    sigs, ok = dedupe.signatures(texts, batch=SIGNATURE_CHUNK)
    wanted: list[list[int]] = [[] for _ in analyses]
    if ok.any():
        own = {a.case_id: (sigs[i] if ok[i] else None) for i, a in enumerate(analyses)}
        index = _cases.refresh(upto=max(own), known=own)
        rows_ok = np.nonzero(ok)[0].tolist()
        # The case itself and later cases are never its duplicate.
        below = [analyses[i].case_id for i in rows_ok]
        found = index.query_many(sigs[rows_ok], threshold=CANDIDATE_THRESHOLD, below=below, limit=20)
        for i, matches in zip(rows_ok, found, strict=True):
            wanted[i] = [m.key for m in matches]
    ids = {key for keys in wanted for key in keys}
    rows: dict[int, dict[str, Any]] = {}
    if ids:
        for row in Case.objects.filter(id__in=ids).values(
            "id",
            "state",
            "created_at",
            "merged_into_id",
            "merged_into__state",
            "merged_into__created_at",
            "merged_into__merged_into_id",
            "submission__title",
            "submission__body",
            "analysis__masked_title",
            "analysis__masked_body",
        ):
            rows[row["id"]] = dict(row)
    hashes: dict[int, Any] = {}
    results: list[tuple[int, float] | None] = []
    for i, analysis in enumerate(analyses):
        result = None
        if wanted[i]:
            result = _best_of(analysis.case, dedupe.shingle_hashes(texts[i]), wanted[i], rows, hashes)
        analysis.duplicate_of_id = result[0] if result else None
        analysis.duplicate_similarity = result[1] if result else None
        results.append(result)
    update_rows(analyses, ["duplicate_of", "duplicate_similarity"])
    return results


def _best_of(
    case: Case, own: Any, ids: list[int], rows: dict[int, dict[str, Any]], hashes: dict[int, Any]
) -> tuple[int, float] | None:
    """The best of the index's candidates, by the same rules as the query ``find_duplicate`` used to run per case:
    open, recent or merged; not merged into this case; a merged case stands for its primary."""
    best: tuple[float, int] | None = None
    for key in ids:
        other = rows.get(key)
        primary_id = _primary(case, other) if other is not None else None
        if other is None or primary_id is None:
            continue
        if key not in hashes:
            masked = _joined(other["analysis__masked_title"] or "", other["analysis__masked_body"] or "")
            text = masked or _joined(other["submission__title"], other["submission__body"])
            hashes[key] = dedupe.shingle_hashes(text)
        similarity = round(dedupe.jaccard_of_hashes(own, hashes[key]), 3)
        if similarity < DUPLICATE_THRESHOLD:
            continue
        if best is None or (similarity, -primary_id) > (best[0], -best[1]):
            best = (similarity, primary_id)
    return (best[1], best[0]) if best else None


# What ``_primary`` reads of another case (a row of ``Case.objects.values``).
_PRIMARY_FIELDS = (
    "id",
    "state",
    "created_at",
    "merged_into_id",
    "merged_into__state",
    "merged_into__created_at",
    "merged_into__merged_into_id",
)


def _primary(case: Case, other: dict[str, Any]) -> int | None:
    """The case a duplicate of ``other`` names: ``other`` itself, or its primary when it was merged; None when it
    may not be named (a closed case older than ``RECENT_DAYS``, the case itself, a case merged into it)."""
    since = case.created_at - timedelta(days=RECENT_DAYS)
    terminal = State.terminal()
    if other["merged_into_id"] == case.id:
        return None
    if other["state"] in terminal and other["created_at"] < since and other["state"] != State.MERGED:
        return None
    if other["state"] == State.MERGED and other["merged_into_id"]:
        primary_id, primary_state = other["merged_into_id"], other["merged_into__state"]
        primary_created = other["merged_into__created_at"]
        primary_merged_into = other["merged_into__merged_into_id"]
    else:
        primary_id, primary_state = other["id"], other["state"]
        primary_created, primary_merged_into = other["created_at"], other["merged_into_id"]
    if primary_id == case.id or primary_merged_into == case.id:
        return None
    if primary_state in terminal and primary_created < since:
        return None
    return int(primary_id)


# Field types whose database value is the Python value itself when it has exactly this type (or is None):
# Django's ``get_db_prep_save`` returns it unchanged after a few calls per value, which over the twenty-odd
# columns of a batch of rows cost more than the statement. Other types and values go through Django.
_PLAIN_TYPES: dict[str, tuple[type, ...]] = {
    "CharField": (str,),
    "TextField": (str,),
    "FloatField": (float,),
    "BooleanField": (bool,),
    "IntegerField": (int,),
    "SmallIntegerField": (int,),
    "BigIntegerField": (int,),
    "PositiveIntegerField": (int,),
    "PositiveSmallIntegerField": (int,),
    "PositiveBigIntegerField": (int,),
    "AutoField": (int,),
    "BigAutoField": (int,),
    "ForeignKey": (int,),
    "OneToOneField": (int,),
}


def _preparer(model_field: Any) -> Any:
    """A function giving the database value of this field's Python value, as ``get_db_prep_save`` would."""
    plain = _PLAIN_TYPES.get(model_field.get_internal_type())
    if model_field.is_relation:
        target = model_field.target_field.get_internal_type()
        plain = plain if target in ("AutoField", "BigAutoField", "IntegerField", "BigIntegerField") else None
    prep = model_field.get_db_prep_save
    # The connection itself, not the proxy ``django.db.connection`` (a thread-local lookup on every attribute).
    conn = connections[DEFAULT_DB_ALIAS]
    if not plain:
        return lambda value: prep(value, conn)
    return lambda value: value if value is None or type(value) in plain else prep(value, conn)


def update_rows(objects: Sequence[Any], names: list[str]) -> None:
    """One UPDATE statement run for every row (executemany): ``bulk_update``'s CASE expressions cost more than the
    work itself. Used for the pipeline's analyses and for topics."""
    if not objects:
        return
    meta = objects[0]._meta
    columns: list[Any] = [meta.get_field(name) for name in names]
    sets = ", ".join(f"{connection.ops.quote_name(f.column)} = %s" for f in columns)
    key = connection.ops.quote_name(meta.pk.column)
    sql = f"UPDATE {connection.ops.quote_name(meta.db_table)} SET {sets} WHERE {key} = %s"
    preps = [(f.attname, _preparer(f)) for f in columns]
    rows = [[prep(getattr(o, attname)) for attname, prep in preps] + [o.pk] for o in objects]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _insert_topics(new: list[Topic]) -> None:
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
    preps = [(f.attname, _preparer(f)) for f in fields]
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


def _known_places() -> set[str]:
    """Places of active topics: a later case naming one without a suffix ("绿地海外滩二期") still finds it."""
    return set(Topic.objects.filter(active=True).exclude(place="").values_list("place", flat=True))


def _places_match(a: str, b: str) -> bool:
    return bool(a and b) and (a == b or a.endswith(b) or b.endswith(a))


@lru_cache(maxsize=65536)
def _place_variants(place: str) -> tuple[str, ...]:
    """Exact matches by index; suffix forms ("万科魅力之城" / "魅力之城") are the common variants (remembered: asked
    for every case's place)."""
    variants = {place}
    for cut in range(1, max(len(place) - 2, 1)):
        variants.add(place[cut:])
    return tuple(sorted(variants))


def _keywords(texts: list[tuple[str, str]], place: str) -> list[str]:
    """Words the most member texts use (document frequency), the title's words counting first."""
    counts: Counter[str] = Counter()
    for title, body in texts:
        counts.update(_distinct(topics.features(body, title).words))
    return [word for word, _ in counts.most_common(8) if not (place and (word in place or place in word))]


def load_staff_words() -> None:
    """Teach the topic tokenizer the domain words staff added in the admin (cheap: a handful of rows)."""
    topics.add_words(DomainWord.objects.values_list("word", flat=True))


def place_in_topic(analysis: CaseAnalysis) -> None:
    """Put the case in its hot topic (joining an active one or starting one) and update that topic's figures."""
    place_in_topics([analysis])


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


class _Batch:
    """The active topics a batch may join, held in memory for the batch: loaded by place in one query (plus the
    hottest place-less ones), topped up by the topics the batch starts."""

    def __init__(self, cutoff: datetime) -> None:
        self.cutoff = cutoff
        self.by_place: dict[str, list[Topic]] = {}
        self.loaded: set[str] = set()
        # Hottest first, ties in the order they came (as a stable sort by heat would leave them), and kept so.
        self.placeless: list[Topic] | None = None
        self.arrival: dict[int, int] = {}
        # Each topic's keyword set, as long as its keywords stay the same list.
        self.keysets: dict[int, tuple[list[str], set[str]]] = {}
        self.keyvectors: dict[int, tuple[list[str], dict[str, float]]] = {}
        # Place-less topics by keyword, so that a case without a place finds the few topics it shares three words
        # with instead of intersecting its words with each of hundreds; ``changed`` keeps it current.
        self.by_word: dict[str, set[int]] | None = None
        self.indexed: dict[int, tuple[Topic, set[str]]] = {}

    def _recent(self) -> Any:
        return Topic.objects.filter(active=True, last_seen_at__gte=self.cutoff)

    def load(self, variants: set[str]) -> None:
        """The active recent topics of these places (hottest first, as ``Topic``'s ordering gives them), in plain
        SQL: Django prepared each of the batch's thousand-odd place names one by one, more than the query cost."""
        missing = variants - self.loaded
        if not missing:
            return
        self.loaded |= missing
        names = sorted(missing)
        params = [True, connection.ops.adapt_datetimefield_value(self.cutoff), *names]
        for topic in Topic.objects.raw(_by_place_sql(len(names)), params):
            self.by_place.setdefault(topic.place, []).append(topic)

    def candidates(self, place: str, words: set[str] | None = None) -> list[Topic]:
        """The topics a case may join, hottest first: of its place, or (no place) the 500 hottest place-less ones,
        only those sharing ``PLACELESS_SHARED`` of ``words`` when they are given (the others cannot be chosen)."""
        if place:
            variants = _place_variants(place)
            self.load(set(variants))
            found = [t for v in variants for t in self.by_place.get(v, [])]
            return sorted(found, key=_colder)[:500]
        listed = self._placeless()
        if words is None:
            return listed[:500]
        indexed = self.indexed
        hits = sorted(
            [indexed[key][0] for key, count in self.shared(words).items() if count >= PLACELESS_SHARED], key=self._rank
        )
        return [t for t in hits if bisect.bisect_left(listed, self._rank(t), key=self._rank) < 500]

    def _rank(self, topic: Topic) -> tuple[float, int]:
        return (-topic.heat, self.arrival[id(topic)])

    def _placeless(self) -> list[Topic]:
        if self.placeless is None:
            # Only what choosing reads: the few a batch joins load their other fields when they are recounted.
            # Building up to 500 full rows per batch was a tenth of the placement's time at 3,000 cases.
            self.placeless = sorted(
                self._recent().filter(place="").only("id", "place", "heat", "keywords").order_by("-heat")[:500],
                key=_colder,
            )
            self.arrival = {id(topic): i for i, topic in enumerate(self.placeless)}
        return self.placeless

    def add(self, topic: Topic) -> None:
        if topic.place:
            self.by_place.setdefault(topic.place, []).append(topic)
        else:
            # Loaded first: the topics the batch starts are in the database only when the batch ends. After the
            # topics at least as hot, as a stable sort of the whole list would put it (heats do not change
            # within a batch: they are recounted at its end).
            listed = self._placeless()
            self.arrival[id(topic)] = len(self.arrival)
            bisect.insort_right(listed, topic, key=self._rank)
            self.changed(topic)

    def keyword_vector(self, topic: Topic) -> dict[str, float]:
        cached = self.keyvectors.get(id(topic))
        if cached is None or cached[0] is not topic.keywords:
            cached = self.keyvectors[id(topic)] = (topic.keywords, _keyword_vector(topic))
        return cached[1]

    def keywords(self, topic: Topic) -> set[str]:
        cached = self.keysets.get(id(topic))
        if cached is None or cached[0] is not topic.keywords:
            cached = self.keysets[id(topic)] = (topic.keywords, set(topic.keywords[:8]))
        return cached[1]

    def changed(self, topic: Topic) -> None:
        """The topic's keywords were set: index them again (place-less topics only)."""
        if self.by_word is None or topic.place:
            return
        key = id(topic)
        if key in self.indexed:
            for word in self.indexed[key][1]:
                self.by_word[word].discard(key)
        words = self.keywords(topic)
        self.indexed[key] = (topic, words)
        for word in words:
            self.by_word.setdefault(word, set()).add(key)

    def shared(self, words: set[str]) -> dict[int, int]:
        """How many of ``words`` each place-less topic has among its keywords (topics with none left out)."""
        if self.by_word is None:
            self.by_word = {}
            for topic in self._placeless():
                self.changed(topic)
        # Counted in C: common words (噪音, 部门) are keywords of hundreds of topics.
        by_word = self.by_word
        return Counter(itertools.chain.from_iterable(by_word.get(word, ()) for word in words))


def _colder(topic: Topic) -> float:
    return -topic.heat


def _by_place_sql(count: int) -> str:
    """``Topic.objects.filter(active=True, last_seen_at__gte=%s, place__in=[count names])`` with its ordering."""
    meta = Topic._meta
    quote = connection.ops.quote_name

    def column(name: str) -> str:
        field: Any = meta.get_field(name)
        return quote(field.column)

    return (
        f"SELECT * FROM {quote(meta.db_table)} WHERE {column('active')} = %s AND {column('last_seen_at')} >= %s "
        f"AND {column('place')} IN ({', '.join(['%s'] * count)}) "
        f"ORDER BY {column('heat')} DESC, {quote(meta.pk.column)} DESC"
    )


# How many of the latest cases of a topic a new case is compared with.
PARAPHRASE_CANDIDATES = 20
# What a paraphrase candidate's row holds beside ``_PRIMARY_FIELDS``.
_CANDIDATE_FIELDS = (
    *_PRIMARY_FIELDS,
    "analysis__place",
    "analysis__words",
    "analysis__topic",
    "analysis__masked_title",
    "submission__title",
)


@dataclass
class _Earlier:
    """A case a later one may repeat: what it is compared on, its topic, and what a duplicate of it must read."""

    case_id: int
    title: str
    body: str
    place: str
    words: Sequence[str]
    topic_id: int | None
    row: dict[str, Any] | None = None  # None: a case of this batch (open, new: it is its own primary)
    topic: Topic | None = None  # a case of this batch: its topic (perhaps started by the batch, without an id)
    _report: paraphrase.Report | None = None

    @property
    def report(self) -> paraphrase.Report:
        """Made when first compared: most cases of a batch are never compared with anything."""
        if self._report is None:
            self._report = paraphrase.report(self.title, self.body, self.place, self.words)
        return self._report


class _Paraphrases:
    """The earlier cases a batch's cases are compared with to find the same problem at the same place in other words
    (``paraphrase``): the latest ``PARAPHRASE_CANDIDATES`` cases of each topic a case may join (one query for the
    topics of the batch's places, one per other topic), and the batch's own cases as they are placed. Their words
    come from their analyses (``CaseAnalysis.words``): no earlier text is cut into words again."""

    def __init__(self) -> None:
        self.by_topic: dict[int, list[_Earlier]] = {}
        self.by_id: dict[int, _Earlier] = {}
        # The batch's own cases by the topic they were placed in (``id()`` of the topic: a new one has no key yet).
        self.placed_in: dict[int, list[_Earlier]] = {}

    def _rows(self, cases: Any) -> Any:
        return cases.annotate(body=Substr("analysis__masked_body", 1, topics.BODY_CHARS)).values(
            *_CANDIDATE_FIELDS, "body"
        )

    def load_topics(self, keys: set[int]) -> None:
        keys = keys - set(self.by_topic)
        if not keys:
            return
        for key in keys:
            self.by_topic[key] = []
        cases = Case.objects.filter(analysis__topic__in=keys, analysis__status=CaseAnalysis.Status.DONE)
        if len(keys) > 1:
            rank = Window(RowNumber(), partition_by=[F("analysis__topic")], order_by=F("id").desc())
            rows = self._rows(cases.annotate(rank=rank).filter(rank__lte=PARAPHRASE_CANDIDATES))
        else:
            rows = self._rows(cases.order_by("-id"))[:PARAPHRASE_CANDIDATES]
        for row in rows:
            self.by_topic[row["analysis__topic"]].append(self._earlier(row))

    def load_ids(self, ids: set[int]) -> None:
        """Cases named as near-duplicates, so that their place can be checked (a few per batch)."""
        missing = ids - set(self.by_id)
        if missing:
            for row in self._rows(Case.objects.filter(id__in=missing)):
                self._earlier(row)

    def _earlier(self, row: dict[str, Any]) -> _Earlier:
        known = self.by_id.get(row["id"])
        if known is not None:
            return known
        title = row["analysis__masked_title"] or row["submission__title"] or ""
        body = row["body"] or ""
        words: Sequence[str] = (row["analysis__words"] or "").split()
        place = row["analysis__place"] or ""
        if not words:
            # Analysed before words were kept: read them from its text once.
            feats = topics.features(body, title)
            words, place = feats.words, place or feats.place
        earlier = _Earlier(row["id"], title, body, place, words, row["analysis__topic"], row)
        self.by_id[row["id"]] = earlier
        return earlier

    def add(self, case_id: int, title: str, body: str, feats: topics.Features, topic: Topic) -> _Earlier:
        """A case of the batch, once placed: later cases of the batch may repeat it."""
        earlier = _Earlier(case_id, title, body, feats.place, feats.words, topic.pk, topic=topic)
        self.by_id[case_id] = earlier
        self.placed_in.setdefault(id(topic), []).append(earlier)
        return earlier

    def cases_of(self, candidates: Sequence[Topic]) -> list[_Earlier]:
        """The earlier cases of these topics (their latest, and the batch's own)."""
        self.load_topics({t.pk for t in candidates if t.pk is not None})
        found: list[_Earlier] = []
        for topic in candidates:
            found += self.placed_in.get(id(topic), [])
            if topic.pk is not None:
                found += self.by_topic[topic.pk]
        return found

    def best(
        self, case: Case, report: paraphrase.Report, candidates: list[_Earlier]
    ) -> tuple[_Earlier, int, paraphrase.Verdict] | None:
        """The most similar earlier case that repeats this one, with the case a duplicate names (its primary)."""
        best: tuple[_Earlier, int, paraphrase.Verdict] | None = None
        seen: set[int] = set()
        for earlier in candidates:
            if earlier.case_id >= case.id or earlier.case_id in seen:
                continue
            seen.add(earlier.case_id)
            primary = earlier.case_id if earlier.row is None else _primary(case, earlier.row)
            if primary is None:
                continue
            verdict = paraphrase.compare(report, earlier.report)
            if verdict is None:
                continue
            if best is None or (verdict.similarity, -primary) > (best[2].similarity, -best[1]):
                best = (earlier, primary, verdict)
        return best


def _topic_of(earlier: _Earlier | None, candidates: list[Topic]) -> Topic | None:
    """The topic of the case this one repeats, when this case may join it (one of its candidate topics)."""
    if earlier is None:
        return None
    if earlier.topic is not None:
        return earlier.topic if any(t is earlier.topic for t in candidates) else None
    return next((t for t in candidates if t.pk is not None and t.pk == earlier.topic_id), None)


# Keywords a case without a place must share with a place-less topic to join it (and 40% of the topic's).
PLACELESS_SHARED = 3


# How much of a case's word weight must be among a topic's keywords for it to join a topic of its place: a shared
# common word ("开发商", "二期") is not the same problem (``fankui bench quality``: topic precision 0.90 -> 0.93,
# recall 0.84 -> 0.82; at 0.15, 0.96 and 0.79).
TOPIC_SAME_PLACE = 0.1


def _keyword_vector(topic: Topic) -> dict[str, float]:
    return paraphrase.word_vector(topic.keywords[:8])


def _choose(
    feats: topics.Features,
    candidates: list[Topic],
    batch: _Batch | None = None,
    vector: dict[str, float] | None = None,
) -> Topic | None:
    """The active topic a case belongs to: same place and a shared issue word, or (no place) most words.
    ``vector``: the case's word vector (``paraphrase.word_vector``) when the caller has it."""
    words = set(feats.words)
    place = feats.place
    best: tuple[float, Topic] | None = None
    for topic in candidates:
        if place and not _places_match(place, topic.place):
            continue
        keywords = batch.keywords(topic) if batch else set(topic.keywords[:8])
        overlap = len(words & keywords)
        if place:
            if overlap < 1:
                continue
            if vector is None:
                # Only now: most cases with a place have no topic of their place to share a word with.
                vector = paraphrase.word_vector(feats.words)
            keyword_vector = batch.keyword_vector(topic) if batch else _keyword_vector(topic)
            if paraphrase.cosine(vector, keyword_vector) < TOPIC_SAME_PLACE:
                continue
            score = 1.0 + overlap
        else:
            if overlap < PLACELESS_SHARED or overlap < 0.4 * len(keywords):
                continue
            score = overlap / max(len(keywords), 1)
        if best is None or score > best[0]:
            best = (score, topic)
    return best[1] if best else None


def _sample_words(topic: Topic) -> tuple[list[tuple[str, ...]], list[str]]:
    """The word sets of a topic's latest ``KEYWORD_SAMPLE`` texts, newest first (what its keywords come from), and
    their titles (what its label is chosen from).

    What ``CaseAnalysis.objects.filter(topic=topic).select_related("case__submission").order_by(
    "-case__created_at")[:KEYWORD_SAMPLE]`` reads, in plain SQL: building that query cost about a millisecond
    each time, more than reading the rows, once per topic a batch joins."""
    with connection.cursor() as cursor:
        cursor.execute(_sample_sql(), [topic.pk, KEYWORD_SAMPLE])
        rows = cursor.fetchall()
    texts = [(mt, mb) if mt or mb else (title, body) for mt, mb, title, body in rows]
    return (
        [_distinct(topics.features(body, title).words) for title, body in texts],
        [topics.title_of(title, body) for title, body in texts],
    )


@lru_cache(maxsize=1)
def _sample_sql() -> str:
    quote = connection.ops.quote_name
    analysis, case, submission = CaseAnalysis._meta, Case._meta, Submission._meta

    def column(meta: Any, name: str) -> str:
        return quote(meta.get_field(name).column)

    return (
        f"SELECT a.{column(analysis, 'masked_title')}, a.{column(analysis, 'masked_body')}, "
        f"s.{column(submission, 'title')}, s.{column(submission, 'body')} "
        f"FROM {quote(analysis.db_table)} a "
        f"JOIN {quote(case.db_table)} c ON c.{quote(case.pk.column)} = a.{column(analysis, 'case')} "
        f"JOIN {quote(submission.db_table)} s ON s.{quote(submission.pk.column)} = c.{column(case, 'submission')} "
        f"WHERE a.{column(analysis, 'topic')} = %s ORDER BY c.{column(case, 'created_at')} DESC LIMIT %s"
    )


def _distinct(words: Sequence[str]) -> tuple[str, ...]:
    """Each word once, in the order of the text (title first): keywords and labels must not depend on the order
    of a set, which changes from one process to the next (string hashing is randomised)."""
    return tuple(dict.fromkeys(words))


def _top_words(sample: list[tuple[str, ...]], place: str) -> list[str]:
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


def _check_near_duplicate(analysis: CaseAnalysis, this: _Earlier, earlier_cases: _Paraphrases) -> _Earlier | None:
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
    analysis: CaseAnalysis, this: _Earlier, candidates: list[_Earlier], earlier_cases: _Paraphrases
) -> _Earlier | None:
    """Name the earlier case this one tells again in other words as its likely duplicate, if there is one."""
    if not candidates:
        return None
    found = earlier_cases.best(analysis.case, this.report, candidates)
    if found is None:
        return None
    earlier, primary, verdict = found
    analysis.duplicate_of_id, analysis.duplicate_similarity = primary, verdict.similarity
    return earlier


def place_in_topics(analyses: Sequence[CaseAnalysis]) -> None:
    """``place_in_topic`` for a whole batch, with the same decisions as one case after another: the topics that may
    be joined are loaded once for the batch and kept in memory, a topic's keywords are recomputed in memory when a
    case joins (from its latest texts' words, read from the database once per batch), the topics the batch starts
    are inserted at the end with one statement, the cases' topics are saved with one UPDATE run and each topic that
    existed before is recounted once, at the end. What differs: within a batch, topics are ranked by the heat they
    had when the batch began (heat only orders equally good candidates)."""
    if not analyses:
        return
    load_staff_words()
    known = _known_places()
    topics.learn_places(known)
    now = timezone.now()
    batch = _Batch(now - timedelta(days=TOPIC_DAYS))
    texts = [case_text(a) for a in analyses]
    found = [topics.pattern_places(body, title) for title, body in texts]
    # The topics of every place the patterns name, in one query; a place only known words reveal loads on its own.
    variants = {v for pair in found for name in (*pair[0], *pair[1]) for v in _place_variants(topics.place_key(name))}
    batch.load(variants)
    earlier_cases = _Paraphrases()
    earlier_cases.load_topics({t.pk for listed in batch.by_place.values() for t in listed})
    earlier_cases.load_ids({a.duplicate_of_id for a in analyses if a.duplicate_of_id})
    touched: dict[int, _Touched] = {}
    placed: list[tuple[CaseAnalysis, Topic]] = []
    placeless: list[tuple[CaseAnalysis, _Earlier, Topic]] = []
    for analysis, (title, body), pattern in zip(analyses, texts, found, strict=True):
        feats, plain = topics.features_both(body, title, known, pattern)
        analysis.place, analysis.words = feats.place, " ".join(feats.words)
        if not feats.words and not feats.place:
            continue
        case = analysis.case
        this = _Earlier(case.id, title, body, feats.place, feats.words, None)
        repeated = _check_near_duplicate(analysis, this, earlier_cases)
        candidates = batch.candidates(feats.place, set(feats.words))
        topic = None
        if feats.place and candidates:
            if analysis.duplicate_of_id is None:
                repeated = _paraphrase(analysis, this, earlier_cases.cases_of(candidates), earlier_cases)
            # The same problem at the same place is one topic: a case joins the topic of the case it repeats.
            topic = _topic_of(repeated, candidates)
        topic = topic or _choose(feats, candidates, batch, this._report.vector if this._report else None)
        if not feats.place and analysis.duplicate_of_id is None and topic is not None:
            # Compared after the loop, when the cases of every such topic are read in one query.
            placeless.append((analysis, this, topic))
        if topic is None:
            keywords = _top_words([_distinct(plain.words)], feats.place)
            topic = Topic(
                label=topics.headline([topics.title_of(title, body)], feats.place, keywords)[:200] or body[:40],
                place=feats.place,
                keywords=keywords,
                first_seen_at=case.created_at,
                last_seen_at=case.created_at,
                model_version=topics.MODEL_VERSION,
            )
            batch.add(topic)
            if feats.place and feats.place not in known:
                known = {*known, feats.place}
                topics.learn_places([feats.place])
            touched[id(topic)] = _Touched(topic, 0, [], new=True)
        entry = touched.setdefault(id(topic), _Touched(topic, topic.size))
        entry.size += 1
        entry.joined.append(case.created_at)
        head = topics.title_of(title, body)
        if entry.new and entry.size == 1:
            # Its keywords and label were just made from these same words.
            entry.sample, entry.heads = [_distinct(plain.words)], [head]
        elif entry.size <= 20 or entry.size % 10 == 0:
            if entry.sample is None:
                entry.sample, entry.heads = _sample_words(topic)
            entry.sample = [_distinct(plain.words), *entry.sample][:KEYWORD_SAMPLE]
            entry.heads = [head, *entry.heads][:KEYWORD_SAMPLE]
            topic.keywords = _top_words(entry.sample, topic.place)
            if not topic.label_edited:
                topic.label = (topics.headline(entry.heads, topic.place, topic.keywords) or topic.label)[:200]
                entry.relabelled = True
            batch.changed(topic)
        elif entry.sample is not None:
            entry.sample = [_distinct(plain.words), *entry.sample][:KEYWORD_SAMPLE]
            entry.heads = [head, *entry.heads][:KEYWORD_SAMPLE]
        placed.append((analysis, topic))
        earlier_cases.add(case.id, title, body, feats, topic)._report = this._report
    earlier_cases.load_topics({topic.pk for _, _, topic in placeless if topic.pk is not None})
    for analysis, this, topic in placeless:
        _paraphrase(analysis, this, earlier_cases.cases_of([topic]), earlier_cases)
    with transaction.atomic():
        started = [entry for entry in touched.values() if entry.new]
        for entry in started:
            week = timedelta(days=7)
            figures = {
                "size": len(entry.joined),
                "first": min(entry.joined),
                "last": max(entry.joined),
                "recent": sum(1 for at in entry.joined if at > now - week),
                "previous": sum(1 for at in entry.joined if now - 2 * week < at <= now - week),
            }
            _apply_figures(entry.topic, figures, now)
        _insert_topics([entry.topic for entry in started])
        for analysis, topic in placed:
            analysis.topic = topic  # again: the topic has its id only now
        # One statement for the batch; a case not placed keeps the topic it had.
        update_rows(analyses, ["place", "words", "duplicate_of", "duplicate_similarity", "topic"])
        _recount([entry.topic for entry in touched.values() if not entry.new], now)
        save_labels([entry.topic for entry in touched.values() if entry.relabelled and not entry.new])


def _recount(changed: list[Topic], now: datetime) -> None:
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
        _apply_figures(topic, figures.get(topic.pk, empty), now)
        topic.model_version = topics.MODEL_VERSION
    update_rows(
        changed, ["size", "active", "heat", "first_seen_at", "last_seen_at", "growth", "keywords", "model_version"]
    )


# What a recount never writes: the key, and the label with who wrote it (``services_topics.rename``).
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


def _apply_figures(topic: Topic, figures: dict[str, Any], now: datetime) -> bool:
    """Set a topic's figures from its cases' counts; False when it has none left (and is retired)."""
    topic.size = figures["size"]
    if not topic.size:
        topic.active = False
        topic.heat = 0.0
        return False
    topic.first_seen_at = figures["first"]
    topic.last_seen_at = figures["last"]
    topic.growth = topics.growth_ratio(figures["recent"], figures["previous"])
    age_days = (now - topic.last_seen_at).total_seconds() / 86400
    topic.heat = topics.heat_score(topic.size, topic.support, topic.growth, age_days)
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
    topic.growth = topics.growth_ratio(recent, previous)
    age_days = (now - topic.last_seen_at).total_seconds() / 86400
    topic.heat = topics.heat_score(topic.size, topic.support, topic.growth, age_days)
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
        topic.keywords = _keywords(texts, topic.place)
        heads = [topics.title_of(title, body) for title, body in texts]
        label = (topics.headline(heads, topic.place, topic.keywords) or topic.label)[:200]
    topic.model_version = topics.MODEL_VERSION
    # Everything but the label and whether staff wrote it, which may have changed meanwhile.
    topic.save(update_fields=[f.name for f in Topic._meta.concrete_fields if f.name not in _STAFF_LABEL_FIELDS])
    if label and not topic.label_edited:
        topic.label = label
        save_labels([topic])
    return topic
