"""The in-RAM vector index: float32 rows for exact scoring, 1-bit codes for a fast scan.

The vec0 table in SQLite is the durable copy; this index is rebuilt from it on open and
updated after each commit. Above ``exact_below`` rows a query first ranks every row by
Hamming distance between sign-bit codes, then rescores the best ``prefilter`` rows
exactly. The codes are stored word-major (one contiguous array per 64 dimensions), so
the distance is six XOR + popcount passes over contiguous memory; the cut-off comes
from a histogram of distances rather than a sort. The scan reads 48 bytes a row
instead of 1,536: it stays in cache where the exact scan is bound by memory bandwidth,
which on a phone is a fraction of a server's (figures: bench/memory.py).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
from numpy.typing import NDArray

IdArray = NDArray[np.int64]


def sign_codes(vectors: NDArray[np.floating]) -> NDArray[np.uint64]:
    """Pack the sign bit of each dimension into 64-bit words (zero-padded)."""
    bits = np.asarray(vectors) > 0
    pad = (-bits.shape[1]) % 64
    if pad:
        bits = np.pad(bits, ((0, 0), (0, pad)))
    packed = np.packbits(bits, axis=1)
    return np.ascontiguousarray(packed).view(np.uint64)


class VectorIndex:
    """Ids and unit vectors; cosine similarity search with optional row filtering."""

    def __init__(self, dim: int) -> None:
        self.dim = dim
        self._words = (dim + 63) // 64
        self._n = 0
        self._ids: IdArray = np.empty(0, dtype=np.int64)
        self._vecs = np.empty((0, dim), dtype=np.float32)
        self._codes = np.empty((self._words, 0), dtype=np.uint64)  # word-major
        self._row: dict[int, int] = {}

    def __len__(self) -> int:
        return self._n

    def __contains__(self, memory_id: object) -> bool:
        return memory_id in self._row

    def _reserve(self, extra: int) -> None:
        need = self._n + extra
        if need <= len(self._ids):
            return
        capacity = max(need, 2 * len(self._ids), 1024)
        ids = np.empty(capacity, dtype=np.int64)
        vecs = np.empty((capacity, self.dim), dtype=np.float32)
        codes = np.empty((self._words, capacity), dtype=np.uint64)
        ids[: self._n] = self._ids[: self._n]
        vecs[: self._n] = self._vecs[: self._n]
        codes[:, : self._n] = self._codes[:, : self._n]
        self._ids, self._vecs, self._codes = ids, vecs, codes

    def add(self, ids: Iterable[int], vectors: NDArray[np.floating]) -> None:
        """Add or replace rows; ``vectors`` must be unit length."""
        id_list = [int(i) for i in ids]
        vectors = np.asarray(vectors, dtype=np.float32).reshape(len(id_list), self.dim)
        self.remove(i for i in id_list if i in self._row)
        self._reserve(len(id_list))
        start, end = self._n, self._n + len(id_list)
        self._ids[start:end] = id_list
        self._vecs[start:end] = vectors
        self._codes[:, start:end] = sign_codes(vectors).T
        for offset, memory_id in enumerate(id_list):
            self._row[memory_id] = start + offset
        self._n = end

    def remove(self, ids: Iterable[int]) -> None:
        """Drop rows by id (unknown ids are ignored); the last row fills each hole."""
        for memory_id in list(ids):
            row = self._row.pop(int(memory_id), None)
            if row is None:
                continue
            last = self._n - 1
            if row != last:
                moved = int(self._ids[last])
                self._ids[row] = moved
                self._vecs[row] = self._vecs[last]
                self._codes[:, row] = self._codes[:, last]
                self._row[moved] = row
            self._n = last

    def vectors_of(self, ids: Iterable[int]) -> tuple[IdArray, NDArray[np.float32]]:
        """The known ids among ``ids`` and their vectors (float32)."""
        present = [int(i) for i in ids if int(i) in self._row]
        rows = [self._row[i] for i in present]
        return np.asarray(present, dtype=np.int64), self._vecs[rows]

    @property
    def nbytes(self) -> int:
        return int(self._ids.nbytes + self._vecs.nbytes + self._codes.nbytes)

    def search(
        self,
        query: NDArray[np.floating],
        k: int,
        *,
        allowed: Iterable[int] | None = None,
        prefilter: int = 512,
        exact_below: int = 20_000,
    ) -> list[tuple[int, float]]:
        """The ``k`` nearest ids by cosine similarity, best first.

        ``allowed`` restricts the search to those ids (a filter by kind, source or time).
        """
        if self._n == 0 or k <= 0:
            return []
        q = np.asarray(query, dtype=np.float32).reshape(self.dim)
        if allowed is not None:
            rows = np.fromiter((self._row[i] for i in allowed if i in self._row), dtype=np.int64)
        else:
            rows = np.arange(self._n, dtype=np.int64)
        if len(rows) > exact_below and len(rows) > prefilter:
            rows = self._prefilter(q, rows, prefilter, full=allowed is None)
        return self._rescore(q, rows, k)

    def exact(self, query: NDArray[np.floating], k: int) -> list[tuple[int, float]]:
        """Exact float scan over every row: the reference the prefilter is measured by."""
        q = np.asarray(query, dtype=np.float32).reshape(self.dim)
        return self._rescore(q, np.arange(self._n, dtype=np.int64), k)

    def _prefilter(
        self, q: NDArray[np.float32], rows: IdArray, keep: int, *, full: bool
    ) -> IdArray:
        """The ``keep`` rows nearest by Hamming distance (a few more on ties)."""
        code = sign_codes(q[None, :])[0]
        scratch = np.empty(len(rows), dtype=np.uint64)
        distance = np.zeros(len(rows), dtype=np.uint16)
        for word in range(self._words):
            column = self._codes[word, : self._n] if full else self._codes[word, rows]
            np.bitwise_xor(column, code[word], out=scratch)
            distance += np.bitwise_count(scratch)
        counts = np.cumsum(np.bincount(distance, minlength=self._words * 64 + 1))
        cutoff = int(np.searchsorted(counts, keep))
        best = np.flatnonzero(distance <= cutoff)
        if len(best) > 2 * keep:  # a wide tie at the cut-off: keep the closer part whole
            below = np.flatnonzero(distance < cutoff)
            tied = np.flatnonzero(distance == cutoff)[: max(keep - len(below), 0)]
            best = np.concatenate([below, tied])
        return rows[best]

    def _rescore(self, q: NDArray[np.float32], rows: IdArray, k: int) -> list[tuple[int, float]]:
        full = len(rows) == self._n
        scores = (self._vecs[: self._n] if full else self._vecs[rows]) @ q
        k = min(k, len(rows))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [(int(self._ids[rows[i]]), float(scores[i])) for i in top]
