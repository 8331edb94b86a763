"""What a batch's cases are compared with, held in memory for the batch: the active topics they may join
(``Batch``) and the latest cases of those topics (``Paraphrases``)."""

from __future__ import annotations

import bisect
import itertools
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from django.db.models import F, Window
from django.db.models.functions import RowNumber, Substr

from fankui.analysis.models import CaseAnalysis
from fankui.cases.models import Case
from fankui.nlp import paraphrase, places

from .duplicates import PRIMARY_FIELDS, primary_of
from .models import Topic

# A topic that saw no new case for this long is not joined any more (the sweep retires it).
TOPIC_DAYS = 60


def known_places() -> set[str]:
    """Places of active topics: a later case naming one without a suffix ("绿地海外滩二期") still finds it."""
    return set(Topic.objects.filter(active=True).exclude(place="").values_list("place", flat=True))


def places_match(a: str, b: str) -> bool:
    return bool(a and b) and (a == b or a.endswith(b) or b.endswith(a))


@lru_cache(maxsize=65536)
def place_variants(place: str) -> tuple[str, ...]:
    """Exact matches by index; suffix forms ("万科魅力之城" / "魅力之城") are the common variants (remembered: asked
    for every case's place)."""
    variants = {place}
    for cut in range(1, max(len(place) - 2, 1)):
        variants.add(place[cut:])
    return tuple(sorted(variants))


# What a batch reads of a topic it joins and recounts, besides what choosing it reads.
JOINED_FIELDS = ("size", "support", "label", "label_edited")

# Keywords a case without a place must share with a place-less topic to join it (and 40% of the topic's).
PLACELESS_SHARED = 3


class Batch:
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
        """The active recent topics of these places (hottest first, as ``Topic``'s ordering gives them)."""
        missing = variants - self.loaded
        if not missing:
            return
        self.loaded |= missing
        for topic in self._recent().filter(place__in=sorted(missing)):
            self.by_place.setdefault(topic.place, []).append(topic)

    def candidates(self, place: str, words: set[str] | None = None) -> list[Topic]:
        """The topics a case may join, hottest first: of its place, or (no place) the 500 hottest place-less ones,
        only those sharing ``PLACELESS_SHARED`` of ``words`` when they are given (the others cannot be chosen)."""
        if place:
            variants = place_variants(place)
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
            # Only what choosing, joining and recounting read: building up to 500 full rows per batch was a tenth
            # of the placement's time at 3,000 cases, and reading the rest of each joined one later (one query per
            # topic) as much again when texts repeat.
            self.placeless = sorted(
                self._recent()
                .filter(place="")
                .only("id", "place", "heat", "keywords", *JOINED_FIELDS)
                .order_by("-heat")[:500],
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
            cached = self.keyvectors[id(topic)] = (topic.keywords, paraphrase.word_vector(topic.keywords[:8]))
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


# How many of the latest cases of a topic a new case is compared with.
PARAPHRASE_CANDIDATES = 20
# What a paraphrase candidate's row holds beside ``PRIMARY_FIELDS``.
_CANDIDATE_FIELDS = (
    *PRIMARY_FIELDS,
    "analysis__place",
    "analysis__words",
    "analysis__topic",
    "analysis__masked_title",
    "submission__title",
)


@dataclass
class Earlier:
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


class Paraphrases:
    """The earlier cases a batch's cases are compared with to find the same problem at the same place in other words
    (``paraphrase``): the latest ``PARAPHRASE_CANDIDATES`` cases of each topic a case may join (one query for the
    topics of the batch's places, one per other topic), and the batch's own cases as they are placed. Their words
    come from their analyses (``CaseAnalysis.words``): no earlier text is cut into words again."""

    def __init__(self) -> None:
        self.by_topic: dict[int, list[Earlier]] = {}
        self.by_id: dict[int, Earlier] = {}
        # The batch's own cases by the topic they were placed in (``id()`` of the topic: a new one has no key yet).
        self.placed_in: dict[int, list[Earlier]] = {}

    def _rows(self, cases: Any) -> Any:
        return cases.annotate(body=Substr("analysis__masked_body", 1, places.BODY_CHARS)).values(
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

    def _earlier(self, row: dict[str, Any]) -> Earlier:
        known = self.by_id.get(row["id"])
        if known is not None:
            return known
        title = row["analysis__masked_title"] or row["submission__title"] or ""
        body = row["body"] or ""
        words: Sequence[str] = (row["analysis__words"] or "").split()
        place = row["analysis__place"] or ""
        if not words:
            # Analysed before words were kept: read them from its text once.
            feats = places.features(body, title)
            words, place = feats.words, place or feats.place
        earlier = Earlier(row["id"], title, body, place, words, row["analysis__topic"], row)
        self.by_id[row["id"]] = earlier
        return earlier

    def add(self, case_id: int, title: str, body: str, feats: places.Features, topic: Topic) -> Earlier:
        """A case of the batch, once placed: later cases of the batch may repeat it."""
        earlier = Earlier(case_id, title, body, feats.place, feats.words, topic.pk, topic=topic)
        self.by_id[case_id] = earlier
        self.placed_in.setdefault(id(topic), []).append(earlier)
        return earlier

    def cases_of(self, candidates: Sequence[Topic]) -> list[Earlier]:
        """The earlier cases of these topics (their latest, and the batch's own)."""
        self.load_topics({t.pk for t in candidates if t.pk is not None})
        found: list[Earlier] = []
        for topic in candidates:
            found += self.placed_in.get(id(topic), [])
            if topic.pk is not None:
                found += self.by_topic[topic.pk]
        return found

    def best(
        self, case: Case, report: paraphrase.Report, candidates: list[Earlier]
    ) -> tuple[Earlier, int, paraphrase.Verdict] | None:
        """The most similar earlier case that repeats this one, with the case a duplicate names (its primary)."""
        best: tuple[Earlier, int, paraphrase.Verdict] | None = None
        seen: set[int] = set()
        for earlier in candidates:
            if earlier.case_id >= case.id or earlier.case_id in seen:
                continue
            seen.add(earlier.case_id)
            primary = earlier.case_id if earlier.row is None else primary_of(case, earlier.row)
            if primary is None:
                continue
            verdict = paraphrase.compare(report, earlier.report)
            if verdict is None:
                continue
            if best is None or (verdict.similarity, -primary) > (best[2].similarity, -best[1]):
                best = (earlier, primary, verdict)
        return best
