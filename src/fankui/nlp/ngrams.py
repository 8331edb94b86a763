"""Character n-gram TF-IDF features computed with numpy over a whole batch of texts at once.

scikit-learn's ``TfidfVectorizer(analyzer="char")`` builds every n-gram as a Python string and looks it up in a
dict: about a microsecond per n-gram, so a 300-character message costs a millisecond per model and the pipeline
could not reach a thousand cases a second. Here the texts of a batch are joined into one array of code points and
each n-gram is hashed with a few vectorised multiplications, so a batch of hundreds of texts costs about as much
as one Python loop iteration per n-gram length. Buckets seen in fewer than ``min_df`` training texts are dropped,
so the model holds only columns it learned something about; hash collisions among the kept ones are rare
(2**21 buckets for a few hundred thousand n-grams) and cost nothing measurable (docs/analysis.md).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy.sparse import csr_matrix

from .text import normalize

_MULTIPLIER = np.uint64(0x9E3779B97F4A7C15)
_STEP = np.uint64(1_000_003)


class CharNgrams:
    """A fit/transform vectorizer: sublinear TF, smoothed IDF, L2-normalised rows, like scikit-learn's.

    ``max_chars`` reads only the start of each text. ``lead_weight`` counts every n-gram that starts before the
    text's first space (within its first ``LEAD_CHARS`` characters) that many times: everywhere in this project a
    message is its title, a space and its body, and the title says what the message is about in a few words.
    """

    # Class attributes so that models pickled before these options existed load with them switched off.
    max_chars: int | None = None
    lead_weight: float = 1.0
    LEAD_CHARS = 60

    def __init__(
        self,
        ngram_range: tuple[int, int] = (1, 3),
        bits: int = 21,
        min_df: int = 2,
        *,
        max_chars: int | None = None,
        lead_weight: float = 1.0,
    ) -> None:
        self.ngram_range = ngram_range
        self.bits = bits
        self.min_df = min_df
        self.max_chars = max_chars
        self.lead_weight = lead_weight
        self.index_: np.ndarray | None = None
        self.idf_: np.ndarray | None = None

    def _hashed(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """(row, bucket, weight or None for all ones) of every n-gram occurrence in the texts."""
        cleaned = [normalize(text).replace("\x00", " ") for text in texts]
        if self.max_chars:
            cleaned = [text[: self.max_chars] for text in cleaned]
        joined = "\x00".join(cleaned) + "\x00"
        points = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
        lengths = np.fromiter((len(text) + 1 for text in cleaned), dtype=np.int64, count=len(cleaned))
        row_of = np.repeat(np.arange(len(cleaned), dtype=np.int64), lengths)
        lead: np.ndarray | None = None
        if self.lead_weight != 1.0:
            # Position of each code point in its text, compared with the length of its text's lead.
            starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
            position = np.arange(len(points), dtype=np.int64) - starts[row_of]
            leads = np.fromiter((_lead_length(text, self.LEAD_CHARS) for text in cleaned), np.int64, len(cleaned))
            lead = position < leads[row_of]
        rows: list[np.ndarray] = []
        buckets: list[np.ndarray] = []
        weights: list[np.ndarray] = []
        shift = np.uint64(64 - self.bits)
        low, high = self.ngram_range
        for n in range(low, high + 1):
            count = len(points) - n + 1
            if count <= 0:
                continue
            first = points[:count]
            hashed = first.copy()
            valid = first != 0
            for k in range(1, n):
                following = points[k : k + count]
                hashed = hashed * _STEP + following
                valid &= following != 0
            hashed = (hashed + np.uint64(n)) * _MULTIPLIER
            rows.append(row_of[:count][valid])
            buckets.append((hashed[valid] >> shift).astype(np.int64))
            if lead is not None:
                weights.append(np.where(lead[:count][valid], np.float32(self.lead_weight), np.float32(1.0)))
        if not rows:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), None
        return np.concatenate(rows), np.concatenate(buckets), np.concatenate(weights) if weights else None

    def _counts(self, texts: Sequence[str], columns: np.ndarray, width: int) -> csr_matrix:
        rows, buckets, weights = self._hashed(texts)
        cols = columns[buckets]
        keep = cols >= 0
        data = np.ones(int(keep.sum()), dtype=np.float32) if weights is None else weights[keep]
        matrix = csr_matrix((data, (rows[keep], cols[keep])), shape=(len(texts), width), dtype=np.float32)
        matrix.sum_duplicates()
        return matrix

    def fit(self, texts: Sequence[str]) -> CharNgrams:
        size = 1 << self.bits
        identity = np.arange(size, dtype=np.int64)
        counts = self._counts(texts, identity, size)
        df = np.bincount(counts.indices, minlength=size)
        kept = df >= self.min_df
        index = np.full(size, -1, dtype=np.int32)
        index[kept] = np.arange(int(kept.sum()), dtype=np.int32)
        self.index_ = index
        self.idf_ = (np.log((1 + len(texts)) / (1 + df[kept])) + 1).astype(np.float32)
        return self

    def transform(self, texts: Sequence[str]) -> csr_matrix:
        if self.index_ is None or self.idf_ is None:
            raise RuntimeError("CharNgrams used before fit")
        matrix = self._counts(texts, self.index_, len(self.idf_))
        matrix.data = (1 + np.log(matrix.data)) * self.idf_[matrix.indices]
        norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
        norms[norms == 0] = 1
        matrix.data /= np.repeat(norms, np.diff(matrix.indptr)).astype(np.float32)
        return matrix

    def fit_transform(self, texts: Sequence[str]) -> csr_matrix:
        return self.fit(texts).transform(texts)


def _lead_length(text: str, limit: int) -> int:
    """Characters before the first space, when there is one early enough to end a title; else no lead."""
    end = text.find(" ", 0, limit + 1)
    return end if end > 0 else 0
