"""The reranking seam: a second opinion on the top candidates, off by default.

A :class:`Reranker` scores (question, text) pairs. Backends:
- :class:`HttpReranker`: llama.cpp's ``llama-server --reranking`` (``POST /v1/rerank``),
  which runs a cross-encoder GGUF such as bge-reranker-v2-m3: the phone's option;
- :class:`EmbedderReranker`: the full question's embedding against each candidate's
  stored vector. This is NOT a cross-encoder: it is the same bi-encoder (MiniLM) the
  first stage uses, given the whole question instead of its content words. It costs one
  extra query embedding;
- :class:`~.late_interaction.LateInteractionReranker`: ColBERT-style MaxSim over the
  embedder's own token vectors (sentence-transformers backend only);
- :class:`~.judge.LlamaJudge`: a small chat GGUF in process, asked "does this memory
  answer the question?", scored by log P(yes) - log P(no);
- :class:`FakeReranker`: word overlap, for tests.

An in-process GGUF cross-encoder waits for one in the models catalog (there is none yet).
:func:`rerank` blends the reranker's scores with the first stage's over the top
``depth`` results; ``weight`` 1 trusts the reranker alone.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Protocol

import httpx
import numpy as np

from ..memory.model import SearchResult

_WORD = re.compile(r"\w+")


class RerankError(RuntimeError):
    """The reranker could not score; retrieval goes on with the first stage's order."""


class Reranker(Protocol):
    name: str

    def scores(self, question: str, texts: Sequence[str], ids: Sequence[int]) -> list[float]:
        """One relevance score per text, higher is better (any scale)."""
        ...


class FakeReranker:
    """Scores by the share of the question's words a text holds; records each call."""

    name = "fake"

    def __init__(self) -> None:
        self.calls: list[tuple[str, list[str]]] = []

    def scores(self, question: str, texts: Sequence[str], ids: Sequence[int]) -> list[float]:
        self.calls.append((question, list(texts)))
        wanted = set(_WORD.findall(question.lower()))
        return [
            len(wanted & set(_WORD.findall(text.lower()))) / (len(wanted) or 1) for text in texts
        ]


class HttpReranker:
    """llama.cpp's reranking endpoint.

    ``POST /v1/rerank {"query", "documents", "top_n"}`` answers
    ``{"results": [{"index", "relevance_score"}, ...]}``.
    """

    name = "http"

    def __init__(
        self,
        base_url: str,
        *,
        model: str | None = None,
        timeout_s: float = 10.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.model = model
        self._client = httpx.Client(base_url=self.base_url, timeout=timeout_s, transport=transport)

    def scores(self, question: str, texts: Sequence[str], ids: Sequence[int]) -> list[float]:
        body: dict[str, object] = {"query": question, "documents": list(texts), "top_n": len(texts)}
        if self.model:
            body["model"] = self.model
        try:
            response = self._client.post("/v1/rerank", json=body)
        except httpx.HTTPError as exc:
            raise RerankError(f"reranker unreachable at {self.base_url}: {exc}") from exc
        if response.status_code >= 400:
            raise RerankError(
                f"reranker at {self.base_url} answered {response.status_code}: "
                f"{response.text[:200]}"
            )
        try:
            results = response.json()["results"]
            out = [float("-inf")] * len(texts)
            for item in results:
                out[int(item["index"])] = float(item["relevance_score"])
        except (ValueError, KeyError, TypeError, IndexError) as exc:
            raise RerankError(f"reranker at {self.base_url} sent an unreadable answer") from exc
        if float("-inf") in out:
            raise RerankError(f"reranker at {self.base_url} left documents unscored")
        return out

    def close(self) -> None:
        self._client.close()


class EmbedderReranker:
    """The whole question's embedding against each candidate's stored vector (bi-encoder)."""

    name = "embedder"

    def __init__(
        self,
        embed: Callable[[Sequence[str]], np.ndarray],
        vectors_of: Callable[[Sequence[int]], tuple[np.ndarray, np.ndarray]],
    ) -> None:
        self._embed = embed
        self._vectors_of = vectors_of

    def scores(self, question: str, texts: Sequence[str], ids: Sequence[int]) -> list[float]:
        query = self._embed([question])[0]
        known, vectors = self._vectors_of(ids)
        cosine = dict(zip(known.tolist(), (vectors @ query).tolist(), strict=True))
        return [cosine.get(memory_id, -1.0) for memory_id in ids]


def _spread(values: Sequence[float]) -> list[float]:
    low, high = min(values), max(values)
    return [(v - low) / (high - low) if high > low else 1.0 for v in values]


def rerank(
    question: str,
    results: list[SearchResult],
    reranker: Reranker,
    *,
    depth: int,
    weight: float,
) -> list[SearchResult]:
    """``results`` with the top ``depth`` reordered by a blend of both stages' scores.

    Both stages' scores over the top ``depth`` are scaled to 0..1 and mixed by
    ``weight``; the reordered head keeps scores above the untouched tail's, so the
    order stays sorted by score.
    """
    head, tail = results[:depth], results[depth:]
    if len(head) < 2 or weight <= 0:
        return results
    second = reranker.scores(question, [r.memory.text for r in head], [r.memory.id for r in head])
    first = _spread([r.score for r in head])
    mixed = [(1 - weight) * a + weight * b for a, b in zip(first, _spread(second), strict=True)]
    floor = max((r.score for r in tail), default=0.0)
    reordered = [replace(r, score=floor + 1.0 + m) for r, m in zip(head, mixed, strict=True)]
    reordered.sort(key=lambda r: r.score, reverse=True)
    return reordered + tail


# Loaded judges by model file: a Retriever is made per search, the model once a process.
_JUDGES: dict[Path | None, Reranker] = {}


def make_reranker(store: object) -> Reranker | None:
    """The reranker a store's retrieval settings name, or None when it is off."""
    settings = store.settings.retrieval  # type: ignore[attr-defined]
    if settings.rerank == "off":
        return None
    if settings.rerank == "http":
        if not settings.rerank_url:
            raise RerankError("retrieval.rerank is 'http' but retrieval.rerank_url is not set")
        return HttpReranker(settings.rerank_url)
    if settings.rerank == "late-interaction":
        from .late_interaction import LateInteractionReranker

        return LateInteractionReranker(store.embedder)  # type: ignore[attr-defined]
    if settings.rerank == "judge":
        return shared_judge(settings.rerank_model)
    index = store.index  # type: ignore[attr-defined]
    return EmbedderReranker(store.embedder.embed, index.vectors_of)  # type: ignore[attr-defined]


def shared_judge(model: Path | None) -> Reranker:
    """The in-process yes/no judge for ``model`` (None: the packaged SmolLM2), made once."""
    from .. import host
    from ..models.local import packaged_model
    from .judge import LlamaJudge

    path = model.expanduser() if model is not None else packaged_model()
    if path not in _JUDGES:
        _JUDGES[path] = LlamaJudge(path, threads=host.default_threads())
    return _JUDGES[path]
