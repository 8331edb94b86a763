"""The knowledge of earlier official replies, searched while the caller is on the line (咨询 answered at first
contact).

What is searched: the replies of closed cases (not 举报, whose replies may describe an investigation), ranked by how
close the earlier case's question (its title and the start of its text) is to what the operator typed: character
n-gram TF-IDF and cosine similarity (``nlp.ngrams.CharNgrams``, the vectoriser of every model here). A question
finds its answer through the question it resembles; the replies themselves open with the same courtesies and would
rank by those.

The vectors are kept in each process and follow the replies (docs/decisions/0009-desk-knowledge-index.md): a
fingerprint of the closed cases' replies (how many, the newest reply, the latest closing) is one aggregate per
search (about 20 ms on the demo); when it changed, the cases closed since are added in the kept vocabulary (a few
milliseconds), and the whole index is fitted again only once a quarter of its rows came after its vocabulary (0.2 to
0.4 s of CPU for the demo's closed cases). Only the ranking comes from the kept vectors:
the replies shown are read again by their ids, still closed and not 举报, with their current (possibly since masked)
text, masked once more for the screen, so nothing an erasure removed is ever shown.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
from django.db.models import Count, Max, Q, QuerySet
from django.db.models.functions import Length, Substr
from django.utils.text import Truncator
from scipy.sparse import csr_matrix, vstack

from fankui.cases.models import Reply
from fankui.cases.queries import TITLE_CHARS, masked_text
from fankui.cases.workflow import State
from fankui.core.vocab import Kind
from fankui.nlp.masking import mask
from fankui.nlp.ngrams import CharNgrams

# What of an earlier case is compared: its title and the start of its text, where a question is asked.
QUESTION_CHARS = 120
# The words every call and letter to a hotline uses to ask ("请问…怎么办理，需要什么…"): they would rank an earlier
# question by how it asks, not by what it asks about. On the demo's replies, "请问外地人居住证怎么办理" found
# "请问工作经历公证怎么办理" first with them and the two 居住证 questions first without.
ASKING = re.compile(
    r"请问|咨询|怎么|怎样|如何|需要|什么|哪些|相关|关于|问题|反映|投诉|你好|您好|谢谢|一下|是否|可以|能否"
)
# Below this similarity an earlier reply is about something else.
MIN_SCORE = 0.12
RESULTS = 5
# Hash buckets of the n-grams: 2**20 (a million) keep collisions rare among a few hundred thousand n-grams.
BITS = 20
# Searches shorter than this (after trimming) say too little to rank anything.
MIN_QUERY_CHARS = 2


@dataclass(frozen=True)
class Answer:
    reply_id: int
    case_id: int
    number: str
    title: str
    body: str
    closed_at: datetime | None
    score: float


@dataclass
class _Index:
    stamp: tuple[Any, ...]
    reply_ids: np.ndarray
    case_ids: np.ndarray
    matrix: csr_matrix
    vectorizer: CharNgrams | None
    # How many rows the vocabulary and the IDF were fitted on.
    fitted_rows: int


_lock = threading.Lock()
_index: _Index | None = None
# Rows added with the kept vocabulary before a full rebuild fits a new one: new words of new replies count then.
REFIT_GROWTH = 0.25


def eligible() -> QuerySet[Reply]:
    """The replies that count as knowledge: of closed cases that are not 举报 (as sent or as classified)."""
    return Reply.objects.filter(case__state=State.CLOSED).exclude(
        Q(case__kind=Kind.REPORT) | Q(case__submission__kind=Kind.REPORT)
    )


def _stamp() -> tuple[Any, ...]:
    found = eligible().aggregate(n=Count("id"), last=Max("id"), closed=Max("case__closed_at"))
    return (found["n"], found["last"], found["closed"])


def _rows(replies: QuerySet[Reply], known: set[int] | frozenset[int] = frozenset()) -> list[tuple[int, int, str]]:
    """(reply id, case id, question text) of ``replies``, one per case not ``known``: its longest reply (after a
    bad rating a case's last reply is often a short note; the first full answer is the knowledge)."""
    found = replies.order_by("id").values_list(
        "id", "case_id", "case__submission__title", Substr("case__submission__body", 1, QUESTION_CHARS), Length("body")
    )
    best: dict[int, tuple[int, int, str, int]] = {}
    for reply_id, case_id, title, body, length in found:
        if case_id in known:
            continue
        if case_id not in best or length > best[case_id][3]:
            # The title first and apart (``lead_weight``): it says in a few words what the question is.
            best[case_id] = (reply_id, case_id, _plain(f"{(title or '').replace(' ', '')} {body or ''}"), length)
    return [(reply_id, case_id, text) for reply_id, case_id, text, _ in best.values()]


def _plain(text: str) -> str:
    return ASKING.sub("", text)


def _build(stamp: tuple[Any, ...]) -> _Index:
    rows = _rows(eligible())
    if not rows:
        return _Index(stamp, np.zeros(0, np.int64), np.zeros(0, np.int64), csr_matrix((0, 0)), None, 0)
    texts = [text for _, _, text in rows]
    vectorizer = _open_vocabulary(CharNgrams(ngram_range=(1, 3), bits=BITS, min_df=1, lead_weight=3.0).fit(texts))
    matrix = vectorizer.transform(texts)
    return _Index(
        stamp,
        np.fromiter((r[0] for r in rows), np.int64, len(rows)),
        np.fromiter((r[1] for r in rows), np.int64, len(rows)),
        matrix.tocsr(),
        vectorizer,
        len(rows),
    )


def _open_vocabulary(vectorizer: CharNgrams) -> CharNgrams:
    """Keep every hash bucket, not only those the fitted texts had: a case closed later about something new (a new
    policy's name) is then found by its own words before the next fit, which would weigh them as it does here, as
    the rarest there are."""
    size = 1 << vectorizer.bits
    assert vectorizer.index_ is not None and vectorizer.idf_ is not None
    seen = vectorizer.index_ >= 0
    idf = np.full(size, float(vectorizer.idf_.max(initial=1.0)), dtype=np.float32)
    idf[seen] = vectorizer.idf_[vectorizer.index_[seen]]
    vectorizer.index_ = np.arange(size, dtype=np.int32)
    vectorizer.idf_ = idf
    return vectorizer


def _extend(kept: _Index, stamp: tuple[Any, ...]) -> _Index:
    """``kept`` with the cases closed since it was made, in its vocabulary: a query and a few rows to vectorise,
    where a rebuild reads and fits every reply. Cases reopened since stay in the vectors; ``search`` drops them."""
    _n, last_reply, last_closed = kept.stamp
    newer = Q(id__gt=last_reply or 0) | (Q(case__closed_at__gt=last_closed) if last_closed else Q())
    rows = _rows(eligible().filter(newer), set(kept.case_ids.tolist()))
    if not rows or kept.vectorizer is None:
        return _Index(stamp, kept.reply_ids, kept.case_ids, kept.matrix, kept.vectorizer, kept.fitted_rows)
    added = kept.vectorizer.transform([text for _, _, text in rows])
    return _Index(
        stamp,
        np.concatenate([kept.reply_ids, np.fromiter((r[0] for r in rows), np.int64, len(rows))]),
        np.concatenate([kept.case_ids, np.fromiter((r[1] for r in rows), np.int64, len(rows))]),
        vstack([kept.matrix, added]).tocsr(),
        kept.vectorizer,
        kept.fitted_rows,
    )


def index() -> _Index:
    """The current index: the kept one while the replies are unchanged, extended by what closed since, and fitted
    anew once a quarter of its rows came after its vocabulary (or when the process has none yet)."""
    global _index
    stamp = _stamp()
    kept = _index
    if kept is not None and kept.stamp == stamp:
        return kept
    with _lock:  # one build per process at a time; the others wait for it rather than build their own
        current = _index
        if current is None or current.vectorizer is None:
            current = _build(stamp)
        elif current.stamp != stamp:
            current = _extend(current, stamp)
            if len(current.case_ids) > current.fitted_rows * (1 + REFIT_GROWTH):
                current = _build(stamp)
        _index = current
        return current


def search(text: str, limit: int = RESULTS) -> list[Answer]:
    """The earlier replies whose questions are closest to ``text``, best first (one per earlier case)."""
    text = (text or "").strip()
    if len(text) < MIN_QUERY_CHARS:
        return []
    current = index()
    if current.vectorizer is None:
        return []
    query = current.vectorizer.transform([_plain(text)])
    # Against a dense copy of the query (4 MB): a sparse product would first transpose it into a million-row matrix.
    scores = current.matrix @ query.toarray().ravel()
    wanted = min(len(scores), limit * 3)
    top = np.argpartition(-scores, wanted - 1)[:wanted]
    ranked = [int(i) for i in top[np.argsort(-scores[top])] if scores[i] >= MIN_SCORE]
    best: dict[int, tuple[int, float]] = {}
    for i in ranked:  # the best reply of each earlier case (a reopened case has several)
        best.setdefault(int(current.case_ids[i]), (int(current.reply_ids[i]), float(scores[i])))
    chosen = list(best.values())[:limit]
    return _answers(chosen)


def _answers(chosen: list[tuple[int, float]]) -> list[Answer]:
    # Read again: still knowledge (a case reopened or reclassified as 举报 since drops out) and the text as it is now.
    replies = eligible().select_related("case__submission", "case__analysis").in_bulk([pk for pk, _ in chosen])
    answers = []
    for pk, score in chosen:
        reply = replies.get(pk)
        if reply is None:
            continue
        case = reply.case
        names = [case.submission.contact_name] if case.submission.contact_name else []
        title, question = masked_text(case)
        answers.append(
            Answer(
                reply_id=pk,
                case_id=case.pk,
                number=case.number,
                title=title or Truncator(question).chars(TITLE_CHARS),
                body=mask(reply.body, names).text,
                closed_at=case.closed_at,
                score=round(score, 3),
            )
        )
    return answers


def forget() -> None:
    """Drop the kept index (tests; a process that wants its memory back)."""
    global _index
    with _lock:
        _index = None
