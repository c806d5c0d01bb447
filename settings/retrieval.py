"""The [retrieval] table: how memories are found for a question."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field

from .base import _Section


class RetrievalSettings(_Section):
    """Hybrid retrieval. The defaults were chosen by bench/sweep.py on the tuning halves
    only: LoCoMo conversations 0-4 and the phone-life set's even questions."""

    k: int = Field(default=10, ge=1, le=1000, description="Results returned by default.")
    candidates: int = Field(
        default=40, ge=1, description="Candidates taken from each of the vector and BM25 lists."
    )
    fusion: Literal["zscore", "rrf"] = Field(
        default="zscore",
        description="zscore: standardized scores summed with weights; rrf: reciprocal rank.",
    )
    rrf_k: float = Field(default=60.0, gt=0, description="Reciprocal-rank-fusion constant.")
    vector_weight: float = Field(default=1.0, ge=0, description="Weight of the vector list.")
    bm25_weight: float = Field(default=2.0, ge=0, description="Weight of the BM25 list.")
    neighbor_weight: float = Field(
        default=0.5,
        ge=0,
        le=1,
        description="Share of a hit's score passed to the memories recorded just before and "
        "after it from the same source, multiplied again per hop (0: off).",
    )
    neighbor_hops: int = Field(default=2, ge=0, le=5, description="Neighbours each side.")
    empty_window_widen_days: float = Field(
        default=7.0,
        ge=0,
        description="When a time phrase's window ('on May 3') holds no memory at all, search "
        "again with the window widened by this many days either side (0: answer nothing).",
    )
    neighbor_window_minutes: float = Field(
        default=30.0,
        gt=0,
        description="Neighbours are memories of the same source within this many minutes of "
        "the hit (a thread), not the same app's messages days apart.",
    )
    recency_weight: float = Field(
        default=0.0, ge=0, description="Weight of recency, relative to the best fused score."
    )
    recency_half_life_days: float = Field(default=30.0, gt=0)
    importance_weight: float = Field(
        default=0.05, ge=0, description="Weight of importance, relative to the best fused score."
    )
    expand_relations: bool = Field(
        default=True,
        description="Add the names learned facts resolve a question's relation or role words "
        "to ('my sister' -> Maya), and, for questions about now, prefer stated changes and "
        "current states over superseded ones.",
    )
    now_weight: float = Field(
        default=0.1,
        ge=0,
        description="Weight of the 'now' shift (stated change, current vs former state), "
        "relative to the best fused score; only for questions about now.",
    )
    coverage_weight: float = Field(
        default=0.2,
        ge=0,
        description="Weight of the share of the question's words a memory holds, relative "
        "to the best fused score (BM25 alone favours short texts).",
    )
    informative_weight: float = Field(
        default=0.2,
        ge=0,
        description="Weight of informativeness (statements over chatter), relative to the "
        "best fused score.",
    )
    feedback_bm25_weight: float = Field(
        default=0.0,
        ge=0,
        description="A second hop (pseudo-relevance feedback): weight of a second BM25 list "
        "for the question's words plus the rarest words of the first hits (names, places), "
        "so a memory sharing an entity with a hit, not with the question, joins (0: off; "
        "off by default: chosen on LoCoMo 0-4 it gained there, not on 5-9).",
    )
    feedback_vector_weight: float = Field(
        default=0.0,
        ge=0,
        description="Second hop: weight of a second vector list for the question's vector "
        "plus the mean of the first hits' vectors (0: off).",
    )
    feedback_with_question: bool = Field(
        default=True,
        description="Second hop: the second BM25 query holds the question's words as well "
        "as the hits' (off: the hits' words alone).",
    )
    feedback_docs: int = Field(
        default=3, ge=1, le=20, description="First hits the second hop reads."
    )
    feedback_terms: int = Field(
        default=6, ge=1, le=30, description="Rarest words of the first hits the second BM25 adds."
    )
    rerank: Literal["off", "http", "embedder", "late-interaction", "judge"] = Field(
        default="off",
        description="Second stage: off; http (llama.cpp /v1/rerank at rerank_url); embedder "
        "(the whole question's embedding against the candidates': a bi-encoder, not a "
        "cross-encoder); late-interaction (MaxSim over the embedder's token vectors; "
        "sentence-transformers backend only); judge (a small chat GGUF asked yes/no per "
        "candidate, in process; rerank_model or the packaged SmolLM2).",
    )
    rerank_model: Path | None = Field(
        default=None, description="GGUF chat model for rerank = 'judge' (default: packaged)."
    )
    rerank_url: str | None = Field(default=None, description="llama-server --reranking URL.")
    rerank_depth: int = Field(default=20, ge=2, le=200, description="Results reranked.")
    rerank_weight: float = Field(
        default=0.5, ge=0, le=1, description="Share of the reranker in the blended score."
    )
    prefilter_candidates: int = Field(
        default=512,
        ge=10,
        description="Rows kept by the binary-quantized prefilter before the exact rerank.",
    )
    exact_scan_below: int = Field(
        default=20_000,
        ge=0,
        description="Below this many vectors the index scans exactly, without the prefilter.",
    )
