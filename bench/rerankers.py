"""The in-process rerankers as the benchmarks run them: scores cached, cost recorded.

A grid of depths and weights (modes named ``pocketmind+late@20x0.5``: depth 20, weight
0.5) reuses one reranker's scores per (question, text): the scores of a pair do not
depend on the other candidates, so the grid costs one pass of the model. The cost per
query is taken from the calls that scored every text afresh (the first mode to reach
a question at the largest depth): wall and CPU milliseconds, p50 and p95.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from pocketmind.embedders import Embedder
from pocketmind.retrieval.judge import LlamaJudge
from pocketmind.retrieval.late_interaction import LateInteractionReranker
from pocketmind.retrieval.rerank import Reranker


class TokenCache:
    """An embedder's token vectors kept per text, for LoCoMo's long runs: a turn comes
    back as a candidate for many questions. The cost it reports is then not a cold one
    (bench/retrieval.py runs without it and gives the cold cost)."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.model_id = inner.model_id
        self.known: dict[str, tuple[list[str], Any]] = {}

    def token_vectors(self, texts: Sequence[str]) -> list[tuple[list[str], Any]]:
        fresh = list(dict.fromkeys(t for t in texts if t not in self.known))
        if fresh:
            self.known.update(zip(fresh, self.inner.token_vectors(fresh), strict=True))
        return [self.known[text] for text in texts]


# The in-process backends by their [retrieval] rerank name, as the bench adds them.
BACKENDS = {"late": "late-interaction", "judge": "judge"}


class ScoreCache:
    """A reranker whose scores are kept per (question, text); fresh calls are timed."""

    def __init__(self, inner: Reranker) -> None:
        self.inner = inner
        self.name = inner.name
        self.known: dict[tuple[str, str], float] = {}
        self.costs: list[tuple[int, float, float]] = []  # (texts, wall ms, cpu ms)

    def scores(self, question: str, texts: Sequence[str], ids: Sequence[int]) -> list[float]:
        fresh = [i for i, text in enumerate(texts) if (question, text) not in self.known]
        if fresh:
            wall, cpu = time.perf_counter(), time.process_time()
            got = self.inner.scores(question, [texts[i] for i in fresh], [ids[i] for i in fresh])
            if len(fresh) == len(texts):
                self.costs.append(
                    (
                        len(texts),
                        (time.perf_counter() - wall) * 1000,
                        (time.process_time() - cpu) * 1000,
                    )
                )
            self.known.update(((question, texts[i]), s) for i, s in zip(fresh, got, strict=True))
        return [self.known[(question, text)] for text in texts]

    def cost(self) -> str:
        """p50/p95 wall and CPU ms of the fresh calls at the largest depth seen."""
        if not self.costs:
            return "no fresh call"
        depth = max(n for n, _, _ in self.costs)
        walls = sorted(w for n, w, _ in self.costs if n == depth)
        cpus = sorted(c for n, _, c in self.costs if n == depth)

        def at(values: list[float], share: float) -> float:
            return values[min(len(values) - 1, int(share * len(values)))]

        return (
            f"{len(walls)} calls of {depth} texts: wall p50 {at(walls, 0.5):7.1f} ms "
            f"p95 {at(walls, 0.95):7.1f} ms; cpu p50 {at(cpus, 0.5):7.1f} ms "
            f"p95 {at(cpus, 0.95):7.1f} ms"
        )


def mode_settings(mode: str, modes: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """A mode's retrieval settings; ``base@DxW`` is ``base`` reranking depth D at weight W."""
    base, _, grid = mode.partition("@")
    out = dict(modes[base])
    if grid:
        depth, _, weight = grid.partition("x")
        out |= {"rerank_depth": int(depth), "rerank_weight": float(weight)}
    return out


def mode_backend(mode: str) -> str | None:
    """The in-process reranker a mode name asks for ("pocketmind+late@20x0.5" -> late)."""
    base = mode.partition("@")[0]
    suffix = base.rpartition("+")[2]
    return suffix if suffix in BACKENDS else None


class BenchRerankers:
    """One cached reranker per backend, shared by every mode and store of a run."""

    def __init__(
        self, embedder: Embedder, judge_threads: int = 1, cache_tokens: bool = False
    ) -> None:
        self.embedder = getattr(embedder, "inner", embedder)  # the model, not the cache
        self.judge_threads = judge_threads
        self.cache_tokens = cache_tokens
        self.made: dict[str, ScoreCache] = {}

    def for_mode(self, mode: str) -> ScoreCache | None:
        backend = mode_backend(mode)
        if backend is None:
            return None
        if backend not in self.made:
            inner: Reranker
            if backend == "late":
                tokens = TokenCache(self.embedder) if self.cache_tokens else self.embedder
                inner = LateInteractionReranker(tokens)
            else:
                from pocketmind.models.local import packaged_model

                inner = LlamaJudge(packaged_model(), threads=self.judge_threads)
            self.made[backend] = ScoreCache(inner)
        return self.made[backend]

    def report(self) -> None:
        for backend, cache in self.made.items():
            warm = (
                " (token vectors cached per text)"
                if backend == "late" and self.cache_tokens
                else ""
            )
            print(f"  rerank {backend:8s} {cache.cost()}{warm}")
