"""Memory store figures, each beside its baseline in the same run.

- ingest: raw events/s into the log; embedded memories/s through ``remember_many``
- search at 10k and 100k memories (query embedding excluded): this index (binary
  prefilter + exact rerank) vs NumPy's exact scan vs sqlite-vec's vec0 KNN, p50/p95,
  recall@10 against the exact scan, and the whole hybrid ``search()`` call
- LoCoMo evidence recall@1/5/10: vector only, BM25 only, naive RRF, and our hybrid

    python bench/memory.py [--sizes 10000,100000] [--queries 200] [--no-locomo]

Embeddings are cached under ~/.cache/pocketmind-bench (bench/embed_cache.py), so only
the first run on a machine pays for them.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import corpus
import locomo
from embed_cache import CachedEmbedder

from pocketmind.db import sqlite_version, vec_version
from pocketmind.embedders import FakeEmbedder, SentenceTransformerEmbedder
from pocketmind.ingest import EventLog
from pocketmind.memory import MemoryStore, NewEvent, NewMemory
from pocketmind.retrieval import Retriever
from pocketmind.retrieval.retriever import content_words
from pocketmind.settings import load_settings


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, NumPy {np.__version__}"
    )


# The whole search() call under each set of retrieval defaults (locomo.MODES).
VARIANTS = {
    "hybrid search(), defaults": "pocketmind",
    "hybrid search(), second hop": "pocketmind+second-hop",
    "hybrid search(), day threads": "pocketmind+day-threads",
    "hybrid search(), previous defaults": "previous",
    "hybrid search(), before issue 18": "today",
}
SEARCHERS = (
    "this index (prefilter+rerank)",
    "NumPy exact scan",
    "sqlite-vec vec0 KNN",
    *VARIANTS,
)


def clock(fn: Callable[[], Any], results: dict[str, Any], name: str) -> float:
    """Run ``fn`` once; keep its result under ``name``; return milliseconds."""
    start = time.perf_counter()
    results[name] = fn()
    return (time.perf_counter() - start) * 1000


def numpy_exact(matrix: np.ndarray, ids: np.ndarray, q: np.ndarray) -> list[int]:
    scores = matrix @ q
    top = np.argpartition(-scores, 10)[:10]
    return ids[top[np.argsort(-scores[top])]].tolist()  # type: ignore[no-any-return]


def vec0_knn(store: MemoryStore, q: np.ndarray) -> list[Any]:
    return store.db.execute(  # type: ignore[no-any-return]
        "SELECT rowid, distance FROM memories_vec WHERE embedding MATCH ? AND k = 10",
        (q.tobytes(),),
    ).fetchall()


def pct(values: list[float], q: float) -> float:
    return float(np.percentile(values, q))


def bench_ingest(embedder: CachedEmbedder, n: int) -> None:
    items = corpus.memories(n, seed=99)
    embedder.inner.embed(["load the model before the clock starts"])
    with tempfile.TemporaryDirectory() as home:
        settings = load_settings(home, timezone="UTC")
        with MemoryStore.open(settings, embedder.inner) as store:
            events = [
                NewEvent("bench", "reading", {"text": t, "i": i}, at)
                for i, (t, _, _, at) in enumerate(items)
            ]
            start = time.perf_counter()
            for i in range(0, n, 100):  # batches of 100, one commit each, as the daemon does
                EventLog(store.db, store.settings).record(events[i : i + 100])
            raw = n / (time.perf_counter() - start)
            memories = [NewMemory(t, kind, source, at) for t, kind, source, at in items]
            start = time.perf_counter()
            for i in range(0, n, 256):
                store.remember_many(memories[i : i + 256])
            embedded = n / (time.perf_counter() - start)
            print(f"ingest ({n} items, real MiniLM, synchronous=FULL):")
            print(f"  raw events/s (batches of 100)     {raw:10.0f}")
            print(f"  embedded memories/s (batches 256)  {embedded:10.1f}")
            start = time.perf_counter()
            vectors = embedder.inner.embed([t for t, *_ in items])
            alone = n / (time.perf_counter() - start)
            print(f"  baseline: embedding alone/s        {alone:10.1f}")
            del vectors


def build_store(home: str, n: int, embedder: CachedEmbedder) -> MemoryStore:
    # Near-duplicate merging off so the store holds exactly n rows; exact dedup stays.
    settings = load_settings(Path(home) / str(n), timezone="UTC", memory={"dedup_threshold": 1.0})
    store = MemoryStore.open(settings, embedder)
    items = [NewMemory(t, kind, source, at) for t, kind, source, at in corpus.memories(n)]
    for i in range(0, n, 5000):
        embedder.embed([m.text for m in items[i : i + 5000]])
        store.remember_many(items[i : i + 5000])
    embedder.save()
    return store


def variant(store: MemoryStore, mode: str) -> Callable[[str], Any]:
    """``search(question)`` on ``store`` under the retrieval settings of ``mode``."""
    settings = store.settings.model_copy(deep=True)
    for key, value in locomo.MODES[mode].items():
        setattr(settings.retrieval, key, value)

    def search(question: str) -> Any:
        current, store.settings = store.settings, settings
        try:
            return Retriever(store).search(question)
        finally:
            store.settings = current

    return search


def bench_search(embedder: CachedEmbedder, n: int, n_queries: int, home: str) -> None:
    started = time.perf_counter()
    store = build_store(home, n, embedder)
    built = time.perf_counter() - started
    questions = corpus.questions(n_queries)
    # search() embeds the question's content words: cache those, so no model runs below.
    embedder.embed([" ".join(content_words(q)) or q for q in questions])
    query_vectors = embedder.embed(questions)
    embedder.save()
    index = store.index
    matrix = index._vecs[: len(index)]
    ids = index._ids[: len(index)]
    r = store.settings.retrieval
    searches = {name: variant(store, mode) for name, mode in VARIANTS.items()}
    timings: dict[str, list[float]] = {name: [] for name in SEARCHERS}
    recall = []
    for turn, (question, q) in enumerate(zip(questions, query_vectors, strict=True)):
        names = list(searches)
        names = names[turn % len(names) :] + names[: turn % len(names)]  # no variant always first
        runs = {
            "this index (prefilter+rerank)": partial(
                index.search,
                q,
                10,
                prefilter=r.prefilter_candidates,
                exact_below=r.exact_scan_below,
            ),
            "NumPy exact scan": partial(numpy_exact, matrix, ids, q),
            "sqlite-vec vec0 KNN": partial(vec0_knn, store, q),
            **{name: partial(searches[name], question) for name in names},
        }
        found = {}
        for name, run in runs.items():
            timings[name].append(clock(run, found, name))
        fast = {memory_id for memory_id, _ in found["this index (prefilter+rerank)"]}
        recall.append(len(fast & set(found["NumPy exact scan"])) / 10)
    print(
        f"search at {n:,} memories ({n_queries} queries, store built in {built:.0f} s, "
        f"index {index.nbytes / 2**20:.0f} MiB):"
    )
    for name, values in timings.items():
        print(f"  {name:36s} p50 {pct(values, 50):7.2f} ms  p95 {pct(values, 95):7.2f} ms")
    print(f"  recall@10 vs exact                {statistics.mean(recall):.3f}")
    store.close()


def bench_locomo(embedder: CachedEmbedder) -> None:
    started = time.perf_counter()
    # The rerankers' modes are measured in bench/locomo.py (the judge takes seconds a query).
    modes = [m for m in locomo.MODES if locomo.MODES[m].get("rerank", "off") == "off"]
    result = locomo.evaluate(locomo.load_samples(), embedder, modes)
    embedder.save()
    questions = next(iter(result.values()))["questions"]
    took = time.perf_counter() - started
    print(f"LoCoMo evidence recall ({questions:.0f} questions, {took:.0f} s):")
    print(f"  {'method':12s} {'R@1':>6s} {'R@5':>6s} {'R@10':>6s}")
    for mode, figures in result.items():
        print(
            f"  {mode:12s} {figures['recall@1']:6.3f} {figures['recall@5']:6.3f} "
            f"{figures['recall@10']:6.3f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--ingest", type=int, default=2000, help="items for the ingest figures")
    parser.add_argument("--no-locomo", action="store_true")
    parser.add_argument(
        "--vectors",
        choices=("minilm", "synthetic"),
        default="minilm",
        help="synthetic: the fake embedder's hashed-word vectors at MiniLM's 384 dimensions "
        "(the search timings without embedding 100k texts first; recall figures meaningless)",
    )
    args = parser.parse_args()
    if args.vectors == "synthetic":
        embedder = CachedEmbedder(FakeEmbedder(384), persist=False)
    else:
        embedder = CachedEmbedder(SentenceTransformerEmbedder())
    with tempfile.TemporaryDirectory() as home:
        probe = MemoryStore.open(load_settings(home, timezone="UTC"), embedder)
        print(f"machine: {machine()}")
        print(
            f"sqlite {sqlite_version(probe.db)} ({probe.stats()['sqlite_module']}), "
            f"sqlite-vec {vec_version(probe.db)}, embedder {embedder.model_id}"
        )
        probe.close()
        if args.ingest and args.vectors == "minilm":
            bench_ingest(embedder, args.ingest)
        for n in (int(s) for s in args.sizes.split(",") if s):
            bench_search(embedder, n, args.queries, home)
    if not args.no_locomo and args.vectors == "minilm":
        bench_locomo(embedder)


if __name__ == "__main__":
    main()
