"""Sweep the retrieval settings on the tuning halves only, one axis at a time.

The stores are built once (LoCoMo conversations 0-4, the phone-life set); each point
only changes ``store.settings.retrieval`` and asks the questions again, with every
embedding from the shared cache (bench/embed_cache.py), so a point costs seconds.

Objective: LoCoMo 0-4 recall@10 + phone-life tuning-half top-3 / 4 (the phone half has
25 questions, LoCoMo 0-4 has 760: a phone question is worth 0.01, a LoCoMo one 0.0013).
Coordinate ascent: each axis in turn is set to its best value with the others held,
for ``--rounds`` rounds, from the current defaults. Held-out questions (LoCoMo 5-9, the
phone set's odd half) are never asked here.

    python bench/sweep.py [--rounds 2] [--axes bm25_weight,candidates] [--convs 0-4]
"""

from __future__ import annotations

import argparse
import functools
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import locomo
from embed_cache import CachedEmbedder

import retrieval
from pocketmind.embedders import SentenceTransformerEmbedder
from pocketmind.memory import MemoryStore
from pocketmind.retrieval import Retriever
from pocketmind.settings import load_settings
from pocketmind.settings.retrieval import RetrievalSettings

TUNING = range(0, 5)
AXES: dict[str, list[Any]] = {
    # fusion = "rrf" lost 0.095 of LoCoMo 0-4 R@10 at the old defaults: not swept further.
    "bm25_weight": [1.0, 1.5, 2.0, 2.5, 3.0],
    "vector_weight": [0.75, 1.0, 1.25],
    "candidates": [40, 80, 150],
    "neighbor_weight": [0.2, 0.35, 0.5, 0.7],
    "neighbor_hops": [1, 2, 3, 4],
    "neighbor_window_minutes": [10.0, 30.0, 120.0, 1440.0],
    "recency_weight": [0.0, 0.02, 0.05],
    "importance_weight": [0.0, 0.05],
    "expand_relations": [True, False],
    "now_weight": [0.0, 0.1, 0.3],
    "coverage_weight": [0.0, 0.1, 0.2, 0.4],
    "informative_weight": [0.0, 0.1, 0.2],
    "feedback_bm25_weight": [0.0, 0.1, 0.25, 0.4, 0.5, 1.0],
    "feedback_vector_weight": [0.0, 0.25, 0.5, 1.0, 1.5, 2.0],
    "feedback_with_question": [True, False],
    "feedback_docs": [1, 2, 3, 5],
    "feedback_terms": [3, 6, 10],
    "rerank": ["off", "embedder"],
    "rerank_weight": [0.2, 0.35, 0.5],
}
PHONE_SHARE = 0.25


def memoize(store: MemoryStore) -> None:
    """Remember the store's answers: it does not change during a sweep, and its SQL
    (a hit's thread neighbours above all) is most of a search's time."""
    threads: dict[tuple[int, int, Any], tuple[list[int], list[int]]] = {}
    read_threads = store.candidates.threads

    def remembered_threads(ids: Any, hops: int, within: Any) -> Any:
        missing = [i for i in ids if (i, hops, within) not in threads]
        if missing:
            for i, pair in read_threads(missing, hops, within).items():
                threads[i, hops, within] = pair
        return {i: threads[i, hops, within] for i in ids}

    store.candidates.threads = remembered_threads  # type: ignore[method-assign]
    store.candidates.full_text = functools.lru_cache(maxsize=None)(  # type: ignore[method-assign]
        store.candidates.full_text
    )
    facts = store.lookup.learned_facts()
    store.lookup.learned_facts = lambda: facts  # type: ignore[method-assign]
    memories: dict[int, Any] = {}
    get_many = store.get_many

    def remembered(ids: Any) -> Any:
        missing = [i for i in ids if i not in memories]
        if missing:
            memories.update(get_many(missing))
        return {i: memories[i] for i in ids if i in memories}

    store.get_many = remembered  # type: ignore[method-assign]


class Bench:
    """The tuning stores, built once; ``score`` asks every tuning question at a point."""

    def __init__(self, home: Path, embedder: CachedEmbedder, convs: list[int]) -> None:
        self.phone_data = retrieval.load_phone_life()
        self.phone, self.keys = retrieval.phone_store(home / "phone", embedder, self.phone_data, {})
        samples = locomo.load_samples()
        self.locomo: list[tuple[MemoryStore, dict[str, Any], datetime]] = []
        for n in convs:
            sample = samples[n]
            settings = load_settings(home / sample["sample_id"], timezone="UTC")
            store = MemoryStore.open(settings, embedder)
            items = locomo.turns(sample)
            store.remember_many(items)
            now = max(item.at for item in items) + timedelta(days=1)  # type: ignore[type-var]
            self.locomo.append((store, sample, now))
        embedder.save()
        for store in self.stores():
            memoize(store)
        self.seen: dict[tuple[tuple[str, Any], ...], tuple[float, float]] = {}

    def stores(self) -> list[MemoryStore]:
        return [self.phone, *(store for store, _, _ in self.locomo)]

    def score(self, point: dict[str, Any]) -> tuple[float, float]:
        """(LoCoMo R@10 over the tuning conversations, phone tuning-half top-3)."""
        key = tuple(sorted(point.items()))
        if key not in self.seen:
            for store in self.stores():
                for name, value in point.items():
                    setattr(store.settings.retrieval, name, value)
            phone, _ = retrieval.phone_scores(self.phone, self.keys, self.phone_data, "tune")
            self.seen[key] = (self.locomo_recall(), phone["top3"])
        return self.seen[key]

    def locomo_recall(self) -> float:
        scores = []
        for store, sample, now in self.locomo:
            retriever = Retriever(store)
            for qa in sample["qa"]:
                evidence = set(qa.get("evidence") or [])
                if qa.get("category") not in (1, 2, 3, 4) or not evidence:
                    continue
                hits = retriever.search(qa["question"], k=10, now=now)
                ids = {h.memory.meta.get("dia_id") for h in hits}
                scores.append(len(evidence & ids) / len(evidence))
        return statistics.mean(scores) if scores else 0.0

    def close(self) -> None:
        for store in self.stores():
            store.close()


def objective(figures: tuple[float, float]) -> float:
    return figures[0] + PHONE_SHARE * figures[1]


def sweep(
    bench: Bench, axes: dict[str, list[Any]], rounds: int, start: dict[str, Any]
) -> dict[str, Any]:
    """The best point found from the defaults (with ``start`` applied), axis by axis."""
    defaults = RetrievalSettings(**start)  # validated: "60" -> 60, "false" -> False
    point = {axis: getattr(defaults, axis) for axis in [*axes, *start]}
    best = bench.score(point)
    print(f"start {fmt(best)}  {point}", flush=True)
    for round_ in range(1, rounds + 1):
        changed = False
        for axis, values in axes.items():
            tried = []
            for value in values:
                figures = bench.score({**point, axis: value})
                tried.append((objective(figures), value, figures))
            top = max(tried, key=lambda t: (t[0], t[1] == point[axis]))
            row = "  ".join(f"{v}:{f[0]:.4f}/{f[1]:.2f}" for _, v, f in tried)
            print(f"  r{round_} {axis:24s} {row}", flush=True)
            if top[1] != point[axis] and top[0] > objective(best) + 1e-9:
                point[axis], best, changed = top[1], top[2], True
                print(f"    -> {axis} = {top[1]}  {fmt(best)}", flush=True)
        if not changed:
            break
    print(f"best {fmt(best)}  {point}")
    return point


def fmt(figures: tuple[float, float]) -> str:
    return (
        f"LoCoMo 0-4 R@10 {figures[0]:.4f}  phone tune top3 {figures[1]:.3f}  "
        f"objective {objective(figures):.4f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--axes", default=",".join(AXES), help="comma-separated axis names")
    parser.add_argument("--convs", default="0-4", help="tuning conversations (within 0-4)")
    parser.add_argument("--set", action="append", default=[], help="start point KEY=VALUE")
    args = parser.parse_args()
    convs = locomo.conversations(args.convs)
    if any(n not in TUNING for n in convs):
        parser.error("tune on LoCoMo conversations 0-4 only (5-9 are held out)")
    axes = {name: AXES[name] for name in args.axes.split(",")}
    embedder = CachedEmbedder(SentenceTransformerEmbedder())
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as home:
        bench = Bench(Path(home), embedder, convs)
        sweep(bench, axes, args.rounds, locomo.setting_overrides(args.set))
        bench.close()
    embedder.save()
    print(f"({time.perf_counter() - started:.0f} s, {len(bench.seen)} points)")


if __name__ == "__main__":
    main()
