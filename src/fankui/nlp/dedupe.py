"""Near-duplicate detection: MinHash signatures over character bigrams, banded LSH in sorted numpy arrays.

Two reports of the same thing by the same person (or copied by many) share most of their character bigrams, in any
order, whatever words jieba would cut them into (Chinese words are mostly two characters, so bigrams survive
rewording better than 3-grams: a retold complaint scores 0.65 with bigrams, 0.5 with 3-grams). MinHash estimates
that overlap (Jaccard similarity) from 60 numbers per text; banding them into 20 bands of 3 finds a pair at 0.5 with
probability 0.93 and at 0.65 with 0.998, without comparing each text with every other. Everything here is pure numpy
and deterministic across processes and machines (no Python ``hash()``), so signatures computed by one worker mean
the same in another.

The index keeps one sorted array of (band key) for all texts and answers a lookup with one ``searchsorted``: a
million cases take about 450 MB and a lookup well under a millisecond plus the candidates' check.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from .text import fold_width

NUM_PERM = 60
BANDS = 20
ROWS = NUM_PERM // BANDS
SHINGLE = 2
# Long letters repeat themselves; the first part says what they are about and keeps signatures cheap.
MAX_CHARS = 600
DEFAULT_THRESHOLD = 0.6

U64 = npt.NDArray[np.uint64]
U32 = npt.NDArray[np.uint32]

_MASK64 = (1 << 64) - 1
_rng = np.random.Generator(np.random.PCG64(20261116))
# Multiply-shift hashing: (a * x + b) >> 32 with odd a is a universal family; one (a, b) per permutation.
_A = (_rng.integers(1, 2**63, size=NUM_PERM, dtype=np.uint64) * np.uint64(2) + np.uint64(1)).astype(np.uint64)
_B = _rng.integers(0, 2**63, size=NUM_PERM, dtype=np.uint64).astype(np.uint64)
_BAND_SALT = _rng.integers(1, 2**63, size=BANDS, dtype=np.uint64).astype(np.uint64)

# Masked personal data ("[手机号]"), punctuation and spaces say nothing about what a text reports.
_DROP = re.compile(r"\[[^\]]{1,8}\]|[^0-9a-z\u3400-\u9fff]+")


def normalise(text: str) -> str:
    """Full-width to half-width, lower case, only letters, digits and CJK characters.

    ``fold_width`` first does what NFKC would do to full-width ASCII and the ideographic space (those characters'
    compatibility decompositions), much faster; NFKC is then left with a text it mostly finds normalised at once."""
    return _DROP.sub("", unicodedata.normalize("NFKC", fold_width(text)).lower())[:MAX_CHARS]


def _mix(x: U64) -> U64:
    """splitmix64 finaliser: spreads packed code points over all 64 bits (numpy wraps on overflow)."""
    x = x ^ (x >> np.uint64(30))
    x = x * np.uint64(0xBF58476D1CE4E5B9)
    x = x ^ (x >> np.uint64(27))
    x = x * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


def shingle_hashes(text: str) -> U64:
    """64-bit hashes of the distinct character bigrams of a normalised text (one gram for a single character)."""
    norm = normalise(text)
    if not norm:
        return np.zeros(0, dtype=np.uint64)
    codes = np.frombuffer(norm.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    if len(codes) < SHINGLE:
        codes = np.concatenate([codes, np.zeros(SHINGLE - len(codes), dtype=np.uint64)])
    # Code points are below 2**21, so two of them pack into 42 bits without collisions.
    packed = (codes[:-1] << np.uint64(21)) | codes[1:]
    return np.unique(_mix(packed))


def _minhash_rows(hashes: U64, offsets: npt.NDArray[np.int64]) -> U32:
    """Signatures of several texts whose shingle hashes are concatenated; ``offsets`` are where each starts."""
    with np.errstate(over="ignore"):
        values = hashes[:, None] * _A[None, :]
        values += _B[None, :]
    # The shift keeps the order, so shifting the minima instead of every value gives the same numbers.
    return (np.minimum.reduceat(values, offsets, axis=0) >> np.uint64(32)).astype(np.uint32)


def signature(text: str) -> U32 | None:
    """The MinHash signature of one text, or None when nothing in it can be compared (empty, only punctuation)."""
    hashes = shingle_hashes(text)
    if not len(hashes):
        return None
    return _minhash_rows(hashes, np.zeros(1, dtype=np.int64))[0]


def signatures(texts: Sequence[str], batch: int = 2000, *, progress: bool = False) -> tuple[U32, npt.NDArray[np.bool_]]:
    """Signatures of many texts (rows), and which rows had anything to compare; vectorised in batches.

    A batch's bigrams are cut from one array of all its texts and hashed at once. They are not made distinct per
    text as ``shingle_hashes`` does: a bigram twice gives the same minimum, and sorting each text's bigrams cost more
    than hashing the repeats."""
    from .csvio import progress as bar

    out = np.zeros((len(texts), NUM_PERM), dtype=np.uint32)
    ok = np.zeros(len(texts), dtype=bool)
    starts = range(0, len(texts), batch)
    for start in bar(starts, total=len(starts), description="signatures", enabled=progress):
        norms = [normalise(text) for text in texts[start : start + batch]]
        lengths = np.fromiter(map(len, norms), dtype=np.int64, count=len(norms))
        rows = np.nonzero(lengths)[0]
        if not len(rows):
            continue
        lengths = lengths[rows]
        # Each text is followed by a NUL, which ``normalise`` never leaves in a text: a one-character text's only
        # gram is then (character, 0) as in ``shingle_hashes``; a longer text's last character pairs with it too, and
        # that pair is left out.
        joined = "\0".join(norms[i] for i in rows.tolist()) + "\0"
        codes = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
        grams = np.maximum(lengths - 1, 1)
        first_gram = np.cumsum(grams) - grams
        text_start = np.cumsum(lengths + 1) - (lengths + 1)
        at = np.arange(int(grams.sum()), dtype=np.int64) + np.repeat(text_start - first_gram, grams)
        packed = (codes[at] << np.uint64(21)) | codes[at + 1]
        out[rows + start] = _minhash_rows(_mix(packed), first_gram)
        ok[rows + start] = True
    return out, ok


def band_keys(sigs: U32) -> U64:
    """One 64-bit key per (row, band): shape (n, BANDS). Equal keys mean the band's numbers are equal."""
    sigs = np.atleast_2d(sigs).astype(np.uint64)
    grouped = sigs.reshape(len(sigs), BANDS, ROWS)
    with np.errstate(over="ignore"):
        key = _BAND_SALT[None, :].copy()
        for r in range(ROWS):
            key = _mix(key ^ grouped[:, :, r])
    return key


def jaccard(a: str, b: str) -> float:
    """Exact Jaccard similarity of two texts' character bigram sets (what the signatures estimate)."""
    return jaccard_of_hashes(shingle_hashes(a), shingle_hashes(b))


def jaccard_of_hashes(ha: U64, hb: U64) -> float:
    """``jaccard`` of two texts whose ``shingle_hashes`` the caller has already (a batch reuses them)."""
    if not len(ha) or not len(hb):
        return 0.0
    common = len(np.intersect1d(ha, hb, assume_unique=True))
    return common / (len(ha) + len(hb) - common)


@dataclass(frozen=True)
class Match:
    key: int
    similarity: float


class MinHashIndex:
    """Signatures of many texts by integer key, looked up by LSH bands.

    Additions go to a small unsorted tail that is searched linearly and merged into the sorted arrays when it grows,
    so adding one case is cheap and a lookup stays a binary search however many cases there are.
    """

    TAIL = 4096
    BUCKET = 500

    def __init__(self) -> None:
        self.keys = np.zeros(0, dtype=np.int64)
        self.sigs = np.zeros((0, NUM_PERM), dtype=np.uint32)
        self._band_sorted = np.zeros(0, dtype=np.uint64)
        self._band_rows = np.zeros(0, dtype=np.int64)
        self._tail_keys: list[int] = []
        self._tail_sigs: list[U32] = []
        self._tail_bands: list[U64] = []
        self._row_of: dict[int, int] = {}

    def __len__(self) -> int:
        return len(self.keys) + len(self._tail_keys)

    def add(self, key: int, sig: U32 | None) -> None:
        if sig is None or key in self._row_of:
            return
        self._row_of[key] = len(self)
        self._tail_keys.append(key)
        self._tail_sigs.append(sig)
        self._tail_bands.append(band_keys(sig)[0])
        if len(self._tail_keys) >= self.TAIL:
            self.compact()

    def add_many(self, keys: Sequence[int], sigs: U32, ok: npt.NDArray[np.bool_] | None = None) -> None:
        """Bulk load (keys must be new); far faster than ``add`` one by one."""
        self.compact()
        mask = np.ones(len(keys), dtype=bool) if ok is None else ok
        new_keys = np.asarray(keys, dtype=np.int64)[mask]
        new_sigs = sigs[mask]
        start = len(self.keys)
        self.keys = np.concatenate([self.keys, new_keys])
        self.sigs = np.concatenate([self.sigs, new_sigs])
        self._row_of.update(zip(new_keys.tolist(), range(start, start + len(new_keys)), strict=True))
        self._merge_bands(start)

    def compact(self) -> None:
        if not self._tail_keys:
            return
        start = len(self.keys)
        self.keys = np.concatenate([self.keys, np.asarray(self._tail_keys, dtype=np.int64)])
        self.sigs = np.concatenate([self.sigs, np.vstack(self._tail_sigs)])
        self._tail_keys, self._tail_sigs, self._tail_bands = [], [], []
        self._merge_bands(start)

    def _merge_bands(self, start: int) -> None:
        """Add the band keys of rows ``start`` onwards to the sorted arrays.

        Only the new rows' keys are computed and sorted, then inserted after the equal keys already there: the same
        arrays as a stable sort of every row's keys, without recomputing and sorting a million stored cases for
        each batch the worker adds."""
        # In slices: the 64-bit intermediate of a million signatures at once would take a gigabyte.
        count = len(self.sigs) - start
        keys = np.empty(count * BANDS, dtype=np.uint64)
        for offset in range(0, count, 50_000):
            part = band_keys(self.sigs[start + offset : start + offset + 50_000]).ravel()
            keys[offset * BANDS : offset * BANDS + len(part)] = part
        order = np.argsort(keys, kind="stable")
        new_sorted = keys[order]
        new_rows = (order // BANDS).astype(np.int64) + start
        if not len(self._band_sorted):
            self._band_sorted, self._band_rows = new_sorted, new_rows
            return
        at = np.searchsorted(self._band_sorted, new_sorted, side="right")
        self._band_sorted = np.insert(self._band_sorted, at, new_sorted)
        self._band_rows = np.insert(self._band_rows, at, new_rows)

    def candidates(self, sig: U32) -> npt.NDArray[np.int64]:
        """Rows that share at least one band with ``sig`` (sorted array and tail)."""
        query = band_keys(sig)[0]
        lo = np.searchsorted(self._band_sorted, query, side="left")
        hi = np.searchsorted(self._band_sorted, query, side="right")
        # A band shared by thousands of stored texts (the same two-word review sent again and again) adds its
        # earliest BUCKET only: they are equally good answers, and the lookup stays bounded.
        found = [
            self._band_rows[a : min(b, a + self.BUCKET)] for a, b in zip(lo.tolist(), hi.tolist(), strict=True) if b > a
        ]
        if self._tail_sigs:
            tail = np.vstack(self._tail_bands)
            hits = np.nonzero((tail == query[None, :]).any(axis=1))[0] + len(self.keys)
            found.append(hits.astype(np.int64))
        if not found:
            return np.zeros(0, dtype=np.int64)
        return np.unique(np.concatenate(found))

    def _sig_at(self, row: int) -> U32:
        return self.sigs[row] if row < len(self.keys) else self._tail_sigs[row - len(self.keys)]

    def _key_at(self, row: int) -> int:
        return int(self.keys[row]) if row < len(self.keys) else self._tail_keys[row - len(self.keys)]

    def query(
        self,
        sig: U32,
        *,
        threshold: float = DEFAULT_THRESHOLD,
        exclude: Callable[[int], bool] | None = None,
        limit: int = 10,
    ) -> list[Match]:
        """Stored keys whose estimated similarity to ``sig`` is at least ``threshold``, most similar first."""
        rows = self.candidates(sig)
        if not len(rows):
            return []
        main = rows[rows < len(self.keys)]
        estimates: list[tuple[float, int]] = []
        if len(main):
            sims = (self.sigs[main] == sig[None, :]).mean(axis=1)
            estimates.extend(zip(sims.tolist(), self.keys[main].tolist(), strict=True))
        for row in rows[rows >= len(self.keys)].tolist():
            estimates.append((float((self._sig_at(row) == sig).mean()), self._key_at(row)))
        estimates.sort(key=lambda pair: (-pair[0], pair[1]))
        matches = []
        for similarity, key in estimates:
            if similarity < threshold:
                break
            if exclude is not None and exclude(key):
                continue
            matches.append(Match(key, similarity))
            if len(matches) >= limit:
                break
        return matches

    def query_many(
        self,
        sigs: U32,
        *,
        threshold: float = DEFAULT_THRESHOLD,
        below: Sequence[int] | None = None,
        limit: int = 10,
    ) -> list[list[Match]]:
        """``query`` for each row of ``sigs`` at once (a batch of cases): one band computation, one binary search for
        all their bands, one comparison of all their candidates. ``below``: for each row, the key from which stored
        keys are left out (a case's own key: itself and later cases are never its duplicate)."""
        count = len(sigs)
        if not len(self):
            return [[] for _ in range(count)]
        queries = band_keys(sigs)
        flat = queries.ravel()
        lo = np.searchsorted(self._band_sorted, flat, side="left")
        # As in ``candidates``: a band shared by many stored texts adds its earliest BUCKET rows only.
        sizes = np.minimum(np.searchsorted(self._band_sorted, flat, side="right") - lo, self.BUCKET)
        which = [np.repeat(np.arange(len(flat), dtype=np.int64) // BANDS, sizes)]
        starts = np.repeat(lo - (np.cumsum(sizes) - sizes), sizes)
        rows = [self._band_rows[starts + np.arange(int(sizes.sum()), dtype=np.int64)]]
        if self._tail_keys:
            # The tail matches band by band, as ``candidates`` compares it.
            tail = np.vstack(self._tail_bands)
            for band in range(BANDS):
                order = np.argsort(tail[:, band], kind="stable")
                column = tail[order, band]
                tlo = np.searchsorted(column, queries[:, band], side="left")
                tsizes = np.searchsorted(column, queries[:, band], side="right") - tlo
                tstarts = np.repeat(tlo - (np.cumsum(tsizes) - tsizes), tsizes)
                which.append(np.repeat(np.arange(count, dtype=np.int64), tsizes))
                rows.append(order[tstarts + np.arange(int(tsizes.sum()), dtype=np.int64)] + len(self.keys))
        total = len(self)
        pairs = np.unique(np.concatenate(which) * total + np.concatenate(rows))
        query_of, row_of = pairs // total, pairs % total
        similarity = np.zeros(len(pairs), dtype=np.float64)
        key_of = np.zeros(len(pairs), dtype=np.int64)
        main = row_of < len(self.keys)
        similarity[main] = (self.sigs[row_of[main]] == sigs[query_of[main]]).mean(axis=1)
        key_of[main] = self.keys[row_of[main]]
        if not main.all():
            tail_rows = row_of[~main] - len(self.keys)
            similarity[~main] = (np.vstack(self._tail_sigs)[tail_rows] == sigs[query_of[~main]]).mean(axis=1)
            key_of[~main] = np.asarray(self._tail_keys, dtype=np.int64)[tail_rows]
        keep = similarity >= threshold
        if below is not None:
            keep &= key_of < np.asarray(below, dtype=np.int64)[query_of]
        query_of, similarity, key_of = query_of[keep], similarity[keep], key_of[keep]
        # Most similar first, then the smaller key, as ``query`` orders them.
        order = np.lexsort((key_of, -similarity, query_of))
        result: list[list[Match]] = [[] for _ in range(count)]
        for query, similar, key in zip(
            query_of[order].tolist(), similarity[order].tolist(), key_of[order].tolist(), strict=True
        ):
            if len(result[query]) < limit:
                result[query].append(Match(key, similar))
        return result


def groups(
    texts: Sequence[str], *, threshold: float = DEFAULT_THRESHOLD, progress: bool = False
) -> list[list[tuple[int, float]]]:
    """Groups of near-duplicate texts (row numbers), each with its members' similarity to the group's first row.

    Pairs sharing an LSH band are checked by exact Jaccard similarity; the groups are the connected components, so
    a chain of close rewrites stays together. Only groups of two or more are returned, largest first.
    """
    from .csvio import progress as bar

    sigs, ok = signatures(texts, progress=progress)
    keys = band_keys(sigs)
    rows = np.nonzero(ok)[0]
    parent = list(range(len(texts)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    shingles: dict[int, U64] = {}

    def exact(i: int, j: int) -> float:
        a = shingles.setdefault(i, shingle_hashes(texts[i]))
        b = shingles.setdefault(j, shingle_hashes(texts[j]))
        common = len(np.intersect1d(a, b, assume_unique=True))
        return common / (len(a) + len(b) - common)

    checked: set[tuple[int, int]] = set()
    for band in bar(range(BANDS), total=BANDS, description="comparing", enabled=progress):
        column = keys[rows, band]
        order = np.argsort(column, kind="stable")
        sorted_keys = column[order]
        boundaries = np.nonzero(np.diff(sorted_keys))[0] + 1
        for bucket in np.split(rows[order], boundaries):
            if len(bucket) < 2:
                continue
            members = bucket.tolist()
            # Small buckets: every pair. A huge bucket (a template many people filled in) is checked against its
            # first member only, which keeps the work linear; other bands catch what that misses.
            pairs = (
                [(a, b) for n, a in enumerate(members) for b in members[n + 1 :]]
                if len(members) <= 30
                else [(members[0], b) for b in members[1:]]
            )
            for a, b in pairs:
                if (a, b) in checked or find(a) == find(b):
                    continue
                checked.add((a, b))
                if exact(a, b) >= threshold:
                    parent[find(b)] = find(a)
    components: dict[int, list[int]] = {}
    for i in rows.tolist():
        components.setdefault(find(i), []).append(i)
    result = []
    for members in components.values():
        if len(members) < 2:
            continue
        members.sort()
        first = members[0]
        result.append([(first, 1.0), *((m, round(exact(first, m), 3)) for m in members[1:])])
    result.sort(key=lambda group: (-len(group), group[0][0]))
    return result
