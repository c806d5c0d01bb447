"""Which memories a "forget …" query means.

Retrieval ranks relative to the best hit, so its scores say nothing about whether the
best hit is relevant at all: the top-k of a query that matches nothing are unrelated
memories. Forgetting by query therefore also requires each memory's cosine similarity
to the query to reach ``memory.forget_min_similarity`` (measured: bench/forget.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ..memory.model import SearchResult
from .retriever import Retriever

if TYPE_CHECKING:
    from ..memory.store import MemoryStore


@dataclass(frozen=True)
class ForgetMatch:
    result: SearchResult
    similarity: float

    @property
    def id(self) -> int:
        return self.result.memory.id

    def to_json(self) -> dict[str, Any]:
        return {**self.result.to_json(), "similarity": round(self.similarity, 4)}


def forget_matches(
    store: MemoryStore, query: str, k: int, min_similarity: float | None = None
) -> list[ForgetMatch]:
    """The memories among the best ``k`` for ``query`` that are similar enough to it."""
    threshold = (
        store.settings.memory.forget_min_similarity if min_similarity is None else min_similarity
    )
    results = Retriever(store).search(query, k=k)
    if not results:
        return []
    q = store.embedder.embed([query])[0].astype(np.float32)
    ids, vectors = store.index.vectors_of(r.memory.id for r in results)
    norms = np.linalg.norm(vectors, axis=1) * max(float(np.linalg.norm(q)), 1e-12)
    similarity = {
        int(i): float(s) for i, s in zip(ids, (vectors @ q) / np.maximum(norms, 1e-12), strict=True)
    }
    return [
        ForgetMatch(r, similarity[r.memory.id])
        for r in results
        if similarity.get(r.memory.id, -1.0) >= threshold
    ]
