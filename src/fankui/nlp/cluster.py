"""Grouping many texts into hot topics at once (``fankui hot``), and how hot a topic is.

Texts are first blocked by their main place (``places``; texts without one by their strongest issue words), then
joined inside a block by average-linkage agglomerative clustering on TF-IDF cosine of the issue words. Blocking keeps
the work near-linear (100,000 texts in seconds to tens of seconds) and is what "same place" means; the linkage
threshold is what "same issue" means.
"""

from __future__ import annotations

import math
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.sparse import csr_matrix
from sklearn.feature_extraction.text import TfidfVectorizer

from .labels import LABEL_TITLES, headline, title_of
from .places import PLACE_RANKS, Features, features, find_places, learn_places, main_place, place_key, text_parts


@dataclass
class Cluster:
    rows: list[int]
    place: str
    keywords: list[str]
    label: str
    size: int = 0
    support: int = 0
    recent: int = 0
    previous: int = 0
    growth: float = 1.0
    heat: float = 0.0
    last_seen: datetime | None = None
    extra: dict[str, object] = field(default_factory=dict)


def heat_score(size: int, support: int, growth: float, age_days: float) -> float:
    """Size dominates; public support, growth and recency add to it (logarithms: 10x the likes is not 10x heat).

    A topic of 30 cases outranks a single case with 2,000 likes; among topics of similar size, a growing, recent and
    supported one comes first.
    """
    recency = 0.5 ** (max(age_days, 0.0) / 30.0)
    return round(
        10 * math.log1p(size) + 3 * math.log1p(support) + 5 * max(math.log(max(growth, 1e-9)), 0.0) + 5 * recency,
        3,
    )


def growth_ratio(recent: int, previous: int) -> float:
    """Cases in the recent window over the window before, smoothed: > 1 growing, < 1 fading."""
    return round((recent + 1) / (previous + 1), 3)


# Cosine distance under which two texts of one place (or one leading word) talk about the same issue.
DISTANCE = 0.94
# Texts without a place need more in common: they share no place to tie them.
DISTANCE_NO_PLACE = 0.8
MAX_BLOCK = 2500


def cluster(
    texts: Sequence[str],
    titles: Sequence[str] | None = None,
    *,
    times: Sequence[datetime | None] | None = None,
    likes: Sequence[int] | None = None,
    window_days: int = 7,
    min_size: int = 2,
    progress: bool = False,
    workers: int = 1,
    timings: dict[str, float] | None = None,
) -> list[Cluster]:
    """Group texts into topics, hottest first. ``titles`` (optional) are read as the most telling part.

    ``workers`` > 1 cuts words in that many forked processes (jieba is most of the time); only for command-line
    tools and benchmarks, never inside a web or worker process that holds database connections."""
    from .csvio import progress as bar

    clock = time.perf_counter()
    stages = timings if timings is not None else {}

    def lap(name: str) -> None:
        nonlocal clock
        stages[name] = round(time.perf_counter() - clock, 2)
        clock = time.perf_counter()

    n = len(texts)
    found, known = _first_pass(texts, titles)
    lap("places_s")
    feats = _all_features(texts, titles, known, found, workers=workers, progress=progress)
    lap("words_s")
    canonical, mentions = _canonical_places(feats)
    for f in feats:
        f.main = main_place(f.places, f.in_title, usable=lambda key: mentions[key] >= 2, canonical=canonical)
    matrix, vocabulary, idf, df = _vectors(feats)

    blocks: dict[str, list[int]] = {}
    unplaced: list[int] = []
    for i, f in enumerate(feats):
        if f.main:
            blocks.setdefault(f.main, []).append(i)
        else:
            unplaced.append(i)

    lap("vectors_s")
    clusters: list[Cluster] = []

    def add(groups: Iterable[list[int]], place: str, vectors: csr_matrix) -> None:
        for group in groups:
            if len(group) >= min_size:
                top = _top_words(vectors, group, vocabulary, idf)
                heads = [title_of(titles[i] if titles else "", texts[i]) for i in group[:LABEL_TITLES]]
                clusters.append(Cluster(rows=group, place=place, keywords=top, label=headline(heads, place, top)))

    for place, rows in bar(list(blocks.items()), description="clustering by place", enabled=progress):
        if len(rows) >= min_size:
            add(_split_block(matrix, rows, DISTANCE), place, matrix)
    # Texts without a place are compared on the words that tie a few texts together (used by 3 texts or more, and
    # by at most 1% of them): "58车贷", "高压线", not "希望" or a word only one writer used.
    specific = _keep_columns(matrix, (df >= 3) & (df <= max(50, 0.01 * n)))
    for rows in bar(_linked(specific, unplaced), description="clustering the rest", enabled=progress):
        if len(rows) >= min_size:
            add(_split_block(specific, rows, DISTANCE_NO_PLACE), "", matrix)
    lap("grouping_s")
    _score(clusters, times=times, likes=likes, window_days=window_days)
    clusters.sort(key=lambda c: (-c.heat, -c.size, c.rows[0]))
    return clusters


def _first_pass(
    texts: Sequence[str], titles: Sequence[str] | None
) -> tuple[list[tuple[list[str], list[str]]], set[str]]:
    """First pass (patterns only, cheap): names that two texts or more give a place become words of their own.
    Returns each text's places (title, body) and the names learnt."""
    found: list[tuple[list[str], list[str]]] = []
    seen: Counter[str] = Counter()
    for i in range(len(texts)):
        clean_title, clean_body = text_parts(texts[i], titles[i] if titles else "")
        pair = (find_places(clean_title) if clean_title else [], find_places(clean_body))
        found.append(pair)
        seen.update({place_key(p) for p in (*pair[0], *pair[1])})
    learn_places(name for name, count in seen.items() if count >= 2)
    known = {name for name, count in seen.items() if count >= 2}
    return found, known


def _vectors(feats: Sequence[Features]) -> tuple[csr_matrix, np.ndarray, np.ndarray, np.ndarray]:
    """The TF-IDF of each text's issue words, the vocabulary, its idf and how many texts use each word."""
    docs = [" ".join(f.words) for f in feats]
    vectorizer = TfidfVectorizer(analyzer=str.split, min_df=1, sublinear_tf=True, dtype=np.float32)
    try:
        matrix = vectorizer.fit_transform(docs)
    except ValueError:  # nothing but stop words in every text
        matrix = csr_matrix((len(feats), 1), dtype=np.float32)
    vocabulary = np.array(vectorizer.get_feature_names_out()) if matrix.shape[1] > 1 else np.array([])
    idf = vectorizer.idf_ if len(vocabulary) else np.zeros(0)
    df = np.bincount(matrix.indices, minlength=matrix.shape[1])
    return matrix, vocabulary, idf, df


def _keep_columns(matrix: csr_matrix, keep: np.ndarray) -> csr_matrix:
    """The matrix with other columns zeroed and rows L2-normalised again (cosine on the kept words only)."""
    from sklearn.preprocessing import normalize

    kept = matrix @ csr_matrix((keep.astype(np.float32), (np.arange(len(keep)), np.arange(len(keep)))))
    return normalize(kept.tocsr(), copy=False)


# Cosine on specific words from which two unplaced texts may be about the same thing (checked again by linkage).
LINK = 0.3


def _linked(vectors: csr_matrix, rows: list[int], chunk: int = 2000) -> list[list[int]]:
    """Connected groups of texts with a cosine of at least ``LINK`` to another member: candidate topics."""
    from scipy.sparse.csgraph import connected_components

    if not rows:
        return []
    sub = vectors[rows]
    transposed = sub.T.tocsr()
    pairs_a: list[np.ndarray] = []
    pairs_b: list[np.ndarray] = []
    for start in range(0, len(rows), chunk):
        block = (sub[start : start + chunk] @ transposed).tocoo()
        keep = (block.data >= LINK) & (block.row + start != block.col)
        pairs_a.append(block.row[keep] + start)
        pairs_b.append(block.col[keep])
    a = np.concatenate(pairs_a)
    b = np.concatenate(pairs_b)
    graph = csr_matrix((np.ones(len(a), dtype=np.int8), (a, b)), shape=(len(rows), len(rows)))
    _, labels = connected_components(graph, directed=False)
    grouped: dict[int, list[int]] = {}
    for row, label in zip(rows, labels.tolist(), strict=True):
        grouped.setdefault(label, []).append(row)
    return [g for g in grouped.values() if len(g) > 1]


_CHUNK = 2000
_Shared = tuple[Sequence[str], Sequence[str] | None, set[str], list[tuple[list[str], list[str]]]]
_shared: _Shared | None = None


def _features_of(bounds: tuple[int, int]) -> list[Features]:
    assert _shared is not None
    texts, titles, known, found = _shared
    return [features(texts[i], titles[i] if titles else "", known, found[i]) for i in range(*bounds)]


def _all_features(
    texts: Sequence[str],
    titles: Sequence[str] | None,
    known: set[str],
    found: list[tuple[list[str], list[str]]],
    *,
    workers: int,
    progress: bool,
) -> list[Features]:
    from .csvio import progress as bar

    global _shared
    n = len(texts)
    chunks = [(start, min(start + _CHUNK, n)) for start in range(0, n, _CHUNK)]
    _shared = (texts, titles, known, found)
    try:
        if workers <= 1 or n < 4 * _CHUNK:
            parts = [
                _features_of(c) for c in bar(chunks, total=len(chunks), description="reading texts", enabled=progress)
            ]
        else:
            import multiprocessing

            # Forked children share the texts and the tokenizer (with the places just learnt) without pickling them.
            with multiprocessing.get_context("fork").Pool(workers) as pool:
                parts = list(
                    bar(
                        pool.imap(_features_of, chunks),
                        total=len(chunks),
                        description="reading texts",
                        enabled=progress,
                    )
                )
    finally:
        _shared = None
    return [f for part in parts for f in part]


def _rank(name: str) -> int:
    return next((i for i, rank in enumerate(PLACE_RANKS) if rank.search(name)), len(PLACE_RANKS))


def _canonical_places(feats: Sequence[Features]) -> tuple[dict[str, str], Counter[str]]:
    """Map each place to the name most texts use for it, and count the texts that mention each resulting name.

    A longer form maps to a shorter one that others use ("万科魅力之城" -> "魅力之城"); a name that nearly always
    appears together with a more common, at least as estate-like one is taken as a part or alias of it ("滨河苑" ->
    "伊景园"; a road that is only ever named with the estate on it).
    """
    per_text = [{place_key(p) for p in f.places} for f in feats]
    counts: Counter[str] = Counter()
    for keys in per_text:
        counts.update(keys)
    common = {name for name, count in counts.items() if count >= 2 and len(name) >= 3}
    mapping: dict[str, str] = {}
    for name in sorted(counts, key=len):
        for length in range(3, len(name)):
            shorter = name[-length:]
            if shorter in common:
                mapping[name] = mapping.get(shorter, shorter)
                break
    mentions: Counter[str] = Counter()
    together: Counter[tuple[str, str]] = Counter()
    for keys in per_text:
        mapped = {mapping.get(k, k) for k in keys}
        mentions.update(mapped)
        together.update((a, b) for a in mapped for b in mapped if a != b)
    # Most often together first, ties by name: the order of a set (string hashing is randomised in every process)
    # must not decide which name stands for which, or ``fankui hot`` would answer differently each time.
    for (a, b), both in sorted(together.items(), key=lambda pair: (-pair[1], pair[0])):
        if both < 2 or a in mapping or b in mapping:
            continue
        if both >= 0.8 * mentions[a] and mentions[b] > mentions[a] and _rank(b) <= _rank(a):
            mapping[a] = b
    final = {name: _follow(mapping, name) for name in mapping}
    merged: Counter[str] = Counter()
    for keys in per_text:
        merged.update({final.get(k, k) for k in keys})
    return final, merged


def _follow(mapping: dict[str, str], name: str) -> str:
    seen = {name}
    while name in mapping and mapping[name] not in seen:
        name = mapping[name]
        seen.add(name)
    return name


def _split_block(matrix: csr_matrix, rows: list[int], threshold: float) -> list[list[int]]:
    if len(rows) == 1:
        return [rows]
    if len(rows) > MAX_BLOCK:
        # Too many for a distance matrix: first split by each text's heaviest word, so that texts about one thing
        # stay together; a part still too large (one word shared by thousands) is cut into chunks, and a topic larger
        # than a chunk then comes out as several clusters with the same label.
        heaviest = np.asarray(matrix[rows].argmax(axis=1)).ravel()
        parts: dict[int, list[int]] = {}
        for row, word in zip(rows, heaviest.tolist(), strict=True):
            parts.setdefault(word, []).append(row)
        if len(parts) == 1:
            return [
                g
                for start in range(0, len(rows), MAX_BLOCK)
                for g in _split_block(matrix, rows[start : start + MAX_BLOCK], threshold)
            ]
        small: list[int] = []
        groups: list[list[int]] = []
        for part in parts.values():
            if len(part) >= 50:
                groups.extend(_split_block(matrix, part, threshold))
            else:
                small.extend(part)
        # Texts whose heaviest word few others share are clustered together, as before.
        for start in range(0, len(small), MAX_BLOCK):
            groups.extend(_split_block(matrix, small[start : start + MAX_BLOCK], threshold))
        return groups
    sub = matrix[rows]
    similarity = (sub @ sub.T).toarray()
    np.clip(similarity, 0.0, 1.0, out=similarity)
    distance = 1.0 - similarity
    condensed = distance[np.triu_indices(len(rows), k=1)]
    labels = fcluster(linkage(condensed, method="average"), t=threshold, criterion="distance")
    grouped: dict[int, list[int]] = {}
    for row, label in zip(rows, labels.tolist(), strict=True):
        grouped.setdefault(label, []).append(row)
    return list(grouped.values())


def _top_words(matrix: csr_matrix, rows: list[int], vocabulary: np.ndarray, idf: np.ndarray, k: int = 8) -> list[str]:
    """The heaviest words of the cluster's TF-IDF centroid that at least a fifth of its texts use.

    Computed on the cluster's own non-zero entries only (a dense row of the whole vocabulary per cluster would
    cost more than the clustering)."""
    if not len(vocabulary):
        return []
    sub = matrix[rows]
    if not sub.nnz:
        return []
    columns, inverse = np.unique(sub.indices, return_inverse=True)
    weight = np.bincount(inverse, weights=sub.data)
    df = np.bincount(inverse)
    weight[df < max(1, math.ceil(len(rows) * 0.2))] = 0.0
    best = np.argsort(-weight, kind="stable")[:k]
    return [str(vocabulary[columns[j]]) for j in best if weight[j] > 0]


def _score(
    clusters: list[Cluster],
    *,
    times: Sequence[datetime | None] | None,
    likes: Sequence[int] | None,
    window_days: int,
) -> None:
    latest = max((t for t in times or () if t is not None), default=None)
    for c in clusters:
        c.size = len(c.rows)
        c.support = sum(max(likes[i], 0) for i in c.rows) if likes else 0
        seen = [times[i] for i in c.rows if times[i] is not None] if times else []
        age_days = 0.0
        if seen and latest is not None:
            c.last_seen = max(t for t in seen if t is not None)
            # The file's own latest time is "now": an old export is judged against its own end, not today.
            recent_from = latest - timedelta(days=window_days)
            previous_from = recent_from - timedelta(days=window_days)
            c.recent = sum(1 for t in seen if t is not None and t > recent_from)
            c.previous = sum(1 for t in seen if t is not None and previous_from < t <= recent_from)
            c.growth = growth_ratio(c.recent, c.previous)
            age_days = (latest - c.last_seen).total_seconds() / 86400
        c.heat = heat_score(c.size, c.support, c.growth, age_days)
