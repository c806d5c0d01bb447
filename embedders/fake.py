"""``FakeEmbedder``: hashes words into buckets, so similar texts get similar vectors and
unit tests need no model and no torch."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

import numpy as np

from .base import Vectors, normalize_rows


class FakeEmbedder:
    """Deterministic bag-of-words hashing embedder for tests: no model, no torch."""

    _WORD = re.compile(r"\w+")

    def __init__(self, dim: int = 64) -> None:
        self.dim = dim
        self.model_id = f"fake-hash-{dim}"
        self.calls = 0

    def _bucket(self, word: str) -> tuple[int, float]:
        digest = hashlib.blake2b(word.encode(), digest_size=8).digest()
        value = int.from_bytes(digest, "little")
        return value % self.dim, 1.0 if (value >> 32) & 1 else -1.0

    def embed(self, texts: Sequence[str]) -> Vectors:
        self.calls += 1
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in self._WORD.findall(text.lower()):
                index, sign = self._bucket(word)
                out[row, index] += sign
            if not out[row].any():
                out[row, 0] = 1.0
        return normalize_rows(out)

    def token_vectors(self, texts: Sequence[str]) -> list[tuple[list[str], Vectors]]:
        """Each text's words, one hashed unit vector each (late interaction in tests)."""
        out = []
        for text in texts:
            words = self._WORD.findall(text.lower())
            rows = np.zeros((len(words), self.dim), dtype=np.float32)
            for row, word in enumerate(words):
                index, sign = self._bucket(word)
                rows[row, index] = sign
            out.append((words, normalize_rows(rows)))
        return out

    def close(self) -> None:
        pass
