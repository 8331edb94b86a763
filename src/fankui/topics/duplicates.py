"""The likely duplicate of each new case: an earlier case with nearly the same text.

``find_duplicates`` answers from an in-memory MinHash index of every case (``nlp.dedupe.MinHashIndex``) that each worker
process loads once from the database and then tops up with the cases added since (ids above the highest it holds).
The index only proposes candidates; the answer is checked against the candidates' real texts in the database, so
an out-of-date index can miss a duplicate but never invent one. Why in memory and not a table: docs/topics.md.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

import numpy as np
from django.utils import timezone

from fankui.analysis.models import CaseAnalysis
from fankui.cases.models import Case
from fankui.cases.workflow import State
from fankui.nlp import dedupe
from fankui.nlp.text import fold_width

# Exact Jaccard similarity of character bigrams (dedupe.jaccard) from which a case is shown as a likely duplicate.
DUPLICATE_THRESHOLD = 0.5
# The index's estimate is noisy (dedupe.NUM_PERM numbers): candidates are taken a little below the threshold.
CANDIDATE_THRESHOLD = 0.35
# Texts per vectorised signature step: small enough that the temporaries (60 hashes of every bigram) stay in the
# processor's cache. On 1,000 government messages: 0.16 ms a text in steps of 16 to 64, 0.21 ms in steps of 200.
SIGNATURE_CHUNK = 32
# A closed case older than this is history, not something to merge into.
RECENT_DAYS = 30


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
                    ).values_list("id", *_TEXT_FIELDS)
                }
                for case_id, code in ids:
                    if case_id in known:
                        given.append((case_id, known[case_id]))
                    elif case_id in text_of:
                        keys.append(case_id)
                        texts.append(text_of[case_id])
                    self.max_id, self.max_code = case_id, code
            else:
                rows = newer.order_by("id").values_list("id", "tracking_code", *_TEXT_FIELDS)
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


# What ``primary_of`` reads of another case (a row of ``Case.objects.values``).
PRIMARY_FIELDS = (
    "id",
    "state",
    "created_at",
    "merged_into_id",
    "merged_into__state",
    "merged_into__created_at",
    "merged_into__merged_into_id",
)


# What a duplicate's check reads of a candidate beside them: its texts.
_TEXT_FIELDS = ("submission__title", "submission__body", "analysis__masked_title", "analysis__masked_body")


def find_duplicates(analyses: Sequence[CaseAnalysis]) -> list[tuple[int, float] | None]:
    """The earlier case each of these cases most likely repeats, with the similarity (0..1), set on its analysis but
    not saved: the topic placement, which may still change the answer, saves it (``placement.place_in_topics``).

    Candidates are earlier cases that are open or were received in the last ``RECENT_DAYS``; a case merged into
    another stands for its primary; never the case itself or a case that was merged into it. One index refresh and
    one query for every candidate of the batch, each candidate's text hashed once."""
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
        for row in Case.objects.filter(id__in=ids).values(*PRIMARY_FIELDS, *_TEXT_FIELDS):
            rows[row["id"]] = dict(row)
    hashes: dict[int, Any] = {}
    results: list[tuple[int, float] | None] = []
    for i, analysis in enumerate(analyses):
        result = None
        if wanted[i]:
            case = analysis.case
            since = case.created_at - timedelta(days=RECENT_DAYS)
            result = _best_of(since, case.id, dedupe.shingle_hashes(texts[i]), wanted[i], rows, hashes)
        analysis.duplicate_of_id = result[0] if result else None
        analysis.duplicate_similarity = result[1] if result else None
        results.append(result)
    return results


def _best_of(
    since: datetime,
    own_id: int | None,
    own: Any,
    ids: list[int],
    rows: dict[int, dict[str, Any]],
    hashes: dict[int, Any],
) -> tuple[int, float] | None:
    """The most similar of the index's candidates that may be named (``primary_of``), at ``DUPLICATE_THRESHOLD`` or
    more."""
    best: tuple[float, int] | None = None
    for key in ids:
        other = rows.get(key)
        primary_id = _primary(other, since, own_id) if other is not None else None
        if other is None or primary_id is None:
            continue
        if key not in hashes:
            masked = _joined(other["analysis__masked_title"] or "", other["analysis__masked_body"] or "")
            text = masked or _joined(other["submission__title"], other["submission__body"])
            hashes[key] = _candidate_hashes(text)
        similarity = round(dedupe.jaccard_of_hashes(own, hashes[key]), 3)
        if similarity < DUPLICATE_THRESHOLD:
            continue
        if best is None or (similarity, -primary_id) > (best[0], -best[1]):
            best = (similarity, primary_id)
    return (best[1], best[0]) if best else None


@lru_cache(maxsize=8192)
def _candidate_hashes(text: str) -> Any:
    """A candidate's shingle hashes, remembered by the process by its text (so never out of date): the cases of a hot
    issue are candidates batch after batch, and hashing each again was a sixth of the worker's time in `fankui bench
    soak`. 8,192 texts of about 200 bigrams: some 13 MB. Read-only, since every caller shares them."""
    hashes = dedupe.shingle_hashes(text)
    hashes.flags.writeable = False
    return hashes


def primary_of(case: Case, other: dict[str, Any]) -> int | None:
    """The case a duplicate of ``other`` names: ``other`` itself, or its primary when it was merged; None when it
    may not be named (a closed case older than ``RECENT_DAYS``, the case itself, a case merged into it)."""
    return _primary(other, case.created_at - timedelta(days=RECENT_DAYS), case.id)


def _primary(other: dict[str, Any], since: datetime, own_id: int | None) -> int | None:
    """``primary_of`` for a case received at ``since + RECENT_DAYS`` whose id is ``own_id`` (None: a text that is no
    case yet, the operator's while they type)."""
    terminal = State.terminal()
    if own_id is not None and other["merged_into_id"] == own_id:
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
    if own_id is not None and (primary_id == own_id or primary_merged_into == own_id):
        return None
    if primary_state in terminal and primary_created < since:
        return None
    return int(primary_id)


def likely_duplicate(title: str, body: str, now: datetime | None = None) -> tuple[int, float] | None:
    """The case that a text not yet sent (an operator's while they type: ``analysis.services.suggest``) most likely
    repeats, with the similarity (0..1): the same rules as ``find_duplicates`` (open or received in the last
    ``RECENT_DAYS``, a merged case standing for its primary, checked against the real texts), among every case.
    ``title`` and ``body`` masked like the analysis masks a case's. Reads nothing but the cases added since the
    process's last look (by id) and the candidates' texts (by id); writes nothing."""
    text = _joined(title, body)
    sig = dedupe.signature(text)
    if sig is None:
        return None
    found = _cases.refresh().query(sig, threshold=CANDIDATE_THRESHOLD, limit=20)
    if not found:
        return None
    ids = [match.key for match in found]
    rows = {row["id"]: dict(row) for row in Case.objects.filter(id__in=ids).values(*PRIMARY_FIELDS, *_TEXT_FIELDS)}
    since = (now or timezone.now()) - timedelta(days=RECENT_DAYS)
    return _best_of(since, None, dedupe.shingle_hashes(text), ids, rows, {})
