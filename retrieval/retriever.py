"""Hybrid retrieval: vector KNN and FTS5 BM25 candidates, fused, spread to neighbours.

1. A time phrase in the query ("yesterday", "in October") becomes a window filter.
2. Candidates come from the vector index (the query's content words embedded) and
   from FTS5 BM25 (the content words OR-ed, porter-stemmed).
3. Fusion: each list's scores are standardized (z-scores; a memory missing from a list
   gets that list's worst score) and summed with weights. Reciprocal-rank fusion is the
   alternative (``fusion = "rrf"``). On LoCoMo, z-score fusion found more evidence than
   RRF at every k (bench/memory.py).
   An optional second hop (``feedback_*``, off by default; retrieval/feedback.py)
   searches again with the first hits' rarest words and vectors and fuses those lists in.
4. Neighbours: a share of each strong hit's score flows to the memories recorded just
   before and after it from the same source, decaying per hop. A conversation turn is
   often only an answer in the light of the turn before it.
5. Recency and importance are small tie-breakers, relative to the best fused score.

Above the store (``pocketmind.retrieval``): learned facts expand a question naming a
relation ("my sister" -> Maya) and order a question about now (stated changes and
current states first); informativeness favours statements over chatter; an optional
reranker reorders the head.
"""

from __future__ import annotations

import logging
import math
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import numpy as np

from ..memory.instants import TimeWindow, time_window
from ..memory.model import SearchResult
from ..validation import InputError
from .coverage import coverage, stems
from .expansion import Expansion, expand
from .feedback import second_hop
from .informative import informativeness
from .relations import Relations
from .rerank import Reranker, RerankError, make_reranker, rerank
from .words import STOPWORDS, content_words, fts_query

if TYPE_CHECKING:
    from ..memory.store import MemoryStore

log = logging.getLogger(__name__)
# Taken off a fact that only restates the relation a question's words resolved through.
RESTATED_RELATION = 0.5
_SKIPPED: set[str] = set()  # reranker failures already logged
Ranking = list[tuple[int, float]]  # (memory id, score), best first
__all__ = ["STOPWORDS", "Retriever", "content_words", "fts_query"]


class Retriever:
    def __init__(self, store: MemoryStore, reranker: Reranker | None = None) -> None:
        self.store = store
        self.settings = store.settings.retrieval
        self.reranker = reranker if reranker is not None else make_reranker(store)

    def search(
        self,
        query: str,
        *,
        k: int | None = None,
        kind: str | None = None,
        source: str | None = None,
        window: TimeWindow | None = None,
        now: datetime | None = None,
        time_phrases: bool = True,
    ) -> list[SearchResult]:
        """The ``k`` memories that best answer ``query``, best first.

        A time phrase in the query narrows the search to that window relative to
        ``now``, unless an explicit ``window`` is given or ``time_phrases`` is off.
        """
        if not isinstance(query, str) or not query.strip():
            raise InputError("query: text is empty")
        k = k or self.settings.k
        if k < 1:
            raise InputError("k: must be at least 1")
        now = now or datetime.now(UTC)
        phrased = window is None and time_phrases
        if phrased:
            window = time_window(query, now, self.store.settings.tz())
        words = content_words(query)
        expansion = self._expansion(query, words)
        vector = self.store.embedder.embed(
            [expansion.query_text(words, keep_roles=False) or query]
        )[0]
        with self.store.lock:
            allowed = self._allowed(kind, source, window)
            widen = self.settings.empty_window_widen_days
            if phrased and window is not None and allowed is not None and not allowed and widen:
                pad = timedelta(days=widen)
                window = TimeWindow(window.start - pad, window.end + pad, window.phrase)
                allowed = self._allowed(kind, source, window)
            if allowed is not None and not allowed:
                return []
            text = expansion.query_text(words) or query
            lists = [
                (self._vector_ranking(vector, allowed), self.settings.vector_weight),
                (self._bm25_ranking(text, kind, source, window), self.settings.bm25_weight),
            ]
            fused = self._fuse(lists)
            if fused and (
                self.settings.feedback_bm25_weight > 0 or self.settings.feedback_vector_weight > 0
            ):
                lists += self._second_hop(text, fused, vector, allowed, kind, source, window)
                fused = self._fuse(lists)
            if self.settings.neighbor_weight > 0 and self.settings.neighbor_hops > 0:
                fused = self._spread_to_neighbors(fused, allowed, k)
            depth = self.settings.rerank_depth if self.reranker else k
            asked = stems(expansion.query_text(words))
            results = self._finish(fused, max(k, depth), now, expansion, asked)
        if self.reranker is not None:
            results = self._rerank(query, results)
        return results[:k]

    def _expansion(self, query: str, words: list[str]) -> Expansion:
        if not self.settings.expand_relations:
            return Expansion()
        return expand(query, words, Relations.load(self.store.lookup))

    def _rerank(self, query: str, results: list[SearchResult]) -> list[SearchResult]:
        assert self.reranker is not None
        try:
            return rerank(
                query,
                results,
                self.reranker,
                depth=self.settings.rerank_depth,
                weight=self.settings.rerank_weight,
            )
        except RerankError as exc:
            if str(exc) not in _SKIPPED:  # once a process: a search is made per question
                _SKIPPED.add(str(exc))
                log.warning("reranking skipped: %s", exc)
            return results

    def _allowed(
        self, kind: str | None, source: str | None, window: TimeWindow | None
    ) -> set[int] | None:
        return self.store.candidates.allowed(kind, source, window)

    def _vector_ranking(self, vector: Any, allowed: set[int] | None) -> Ranking:
        return self.store.index.search(
            vector,
            self.settings.candidates,
            allowed=allowed,
            prefilter=self.settings.prefilter_candidates,
            exact_below=self.settings.exact_scan_below,
        )

    def _bm25_ranking(
        self, query: str, kind: str | None, source: str | None, window: TimeWindow | None
    ) -> Ranking:
        match = fts_query(query)
        if match is None:
            return []
        return self.store.candidates.full_text(
            match, kind, source, window, self.settings.candidates
        )

    def _second_hop(
        self,
        text: str,
        fused: dict[int, float],
        vector: Any,
        allowed: set[int] | None,
        kind: str | None,
        source: str | None,
        window: TimeWindow | None,
    ) -> list[tuple[Ranking, float]]:
        """The second-hop lists (retrieval/feedback.py), each with its weight."""
        hop = second_hop(self.store, text, fused, vector)
        out = []
        if hop.words:
            searched = f"{text} {hop.words}" if self.settings.feedback_with_question else hop.words
            ranking = self._bm25_ranking(searched, kind, source, window)
            out.append((ranking, self.settings.feedback_bm25_weight))
        if hop.vector is not None:
            out.append(
                (self._vector_ranking(hop.vector, allowed), self.settings.feedback_vector_weight)
            )
        return out

    def _fuse(self, rankings: list[tuple[Ranking, float]]) -> dict[int, float]:
        """Fused scores, all positive, higher is better."""
        scores: dict[int, float] = defaultdict(float)
        if self.settings.fusion == "rrf":
            for ranking, weight in rankings:
                for rank, (memory_id, _) in enumerate(ranking, start=1):
                    scores[memory_id] += weight / (self.settings.rrf_k + rank)
            return scores
        everyone = {memory_id for ranking, _ in rankings for memory_id, _ in ranking}
        for ranking, weight in rankings:
            if not ranking:
                continue
            values = np.array([score for _, score in ranking])
            mean, spread = float(values.mean()), float(values.std()) or 1.0
            z = {memory_id: (score - mean) / spread for memory_id, score in ranking}
            worst = (float(values.min()) - mean) / spread
            for memory_id in everyone:
                scores[memory_id] += weight * z.get(memory_id, worst)
        floor = min(scores.values(), default=0.0)
        return {memory_id: score - floor + 1e-6 for memory_id, score in scores.items()}

    def _spread_to_neighbors(
        self, fused: dict[int, float], allowed: set[int] | None, k: int
    ) -> dict[int, float]:
        share, hops = self.settings.neighbor_weight, self.settings.neighbor_hops
        # Only the same thread: a message from the same app a day later is not its answer.
        gap = timedelta(minutes=self.settings.neighbor_window_minutes)
        out = dict(fused)
        strongest = sorted(fused, key=fused.__getitem__, reverse=True)[: max(4 * k, 40)]
        threads = self.store.candidates.threads(strongest, hops, gap)
        for memory_id in strongest:
            for neighbors in threads[memory_id]:
                for distance, neighbor in enumerate(neighbors, start=1):
                    if allowed is None or neighbor in allowed:
                        gain = share**distance * fused[memory_id]
                        out[neighbor] = out.get(neighbor, 0.0) + gain
        return out

    def _finish(
        self,
        fused: dict[int, float],
        k: int,
        now: datetime,
        expansion: Expansion,
        asked: set[str],
    ) -> list[SearchResult]:
        if not fused:
            return []
        pool = sorted(fused, key=fused.__getitem__, reverse=True)[: max(k * 3, 30)]
        memories = self.store.get_many(pool)
        top = max(fused.values()) or 1.0  # a zero-weighted list alone scores 0
        half_life = self.settings.recency_half_life_days
        results = []
        for memory_id in pool:
            memory = memories.get(memory_id)
            if memory is None:
                continue
            age_days = max((now - memory.occurred_at).total_seconds(), 0.0) / 86400
            recency = math.exp(-math.log(2) * age_days / half_life)
            score = fused[memory_id] / top
            score += self.settings.recency_weight * recency
            score += self.settings.importance_weight * memory.importance
            score += self.settings.now_weight * expansion.now_shift(memory.text)
            if expansion.restates_relation(memory.text, memory.kind):
                score -= RESTATED_RELATION
            if self.settings.coverage_weight:
                score += self.settings.coverage_weight * coverage(asked, memory.text)
            if self.settings.informative_weight:
                score += self.settings.informative_weight * (informativeness(memory.text) - 0.5)
            results.append(SearchResult(memory, score))
        results.sort(key=lambda r: r.score, reverse=True)
        return results[:k]
