"""Retrieval quality out of sample: the phone-life set and LoCoMo, tuned on one half.

Phone life (bench/phone_life.json, written for issue 18): 404 memories of a phone's
year (learned facts with their supersede chain, messages, notes, notifications, places,
chatter that shares names) and 50 questions (relations, "now", names with decoys, time
windows such as "last Saturday evening"). Even-numbered questions tune, odd-numbered
are held out; the halves were fixed before any tuning. The figure is the share of
questions with an answering memory in the top 1 / 3 / 10.

Modes, side by side in one run: vector only, BM25 only, naive RRF, ``today`` (the
hybrid before issue 18), ``previous`` (the defaults before bench/sweep.py chose them on
the tuning halves), ``pocketmind`` (the current defaults), each new signal on its own,
and the rerankers (bi-encoder, late interaction, the LM judge) with their cost per query;
``pocketmind+late@20x0.5`` reranks depth 20 at weight 0.5 (bench/rerankers.py).

    python bench/retrieval.py [--modes vector,previous,pocketmind] [--misses]
    python bench/sweep.py      # choose the defaults on the tuning halves only
                               # (phone life's even questions + LoCoMo 0-4)
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import locomo
from embed_cache import CachedEmbedder
from rerankers import BenchRerankers, mode_settings

from pocketmind.embedders import Embedder, SentenceTransformerEmbedder
from pocketmind.memory import MemoryStore, NewMemory
from pocketmind.retrieval import Retriever
from pocketmind.retrieval.rerank import Reranker
from pocketmind.settings import load_settings

PHONE_LIFE = Path(__file__).resolve().parent / "phone_life.json"
TOPS = (1, 3, 10)
MODES: dict[str, dict[str, Any]] = {
    **{name: locomo.MODES[name] for name in ("vector", "bm25", "naive-rrf", "today", "previous")},
    "today+expansion": {"now_weight": 0.0, "informative_weight": 0.0},
    "today+now": {"expand_relations": False, "informative_weight": 0.0},
    "today+informative": {"expand_relations": False, "now_weight": 0.0, "informative_weight": 0.1},
    "pocketmind": {},
    "pocketmind+embedder-rerank": {"rerank": "embedder"},
    "pocketmind+late": locomo.MODES["pocketmind+late"],
    "pocketmind+judge": locomo.MODES["pocketmind+judge"],
    **{
        name: locomo.MODES[name]
        for name in (
            "pocketmind+hop-bm25",
            "pocketmind+hop-vector",
            "pocketmind+second-hop",
            "pocketmind+day-threads",
        )
    },
}


def load_phone_life() -> dict[str, Any]:
    return json.loads(PHONE_LIFE.read_text())  # type: ignore[no-any-return]


def phone_store(
    home: Path, embedder: Embedder, data: dict[str, Any], retrieval: dict[str, Any]
) -> tuple[MemoryStore, dict[int, str]]:
    """A store holding the set's memories (near-duplicate merging off) and id -> key."""
    settings = load_settings(
        home, retrieval=retrieval, timezone="UTC", memory={"dedup_threshold": 1.0}
    )
    store = MemoryStore.open(settings, embedder)
    items = [
        NewMemory(m["text"], m["kind"], m["source"], m["at"], m.get("meta", {}))
        for m in data["memories"]
    ]
    written = store.remember_many(items)
    ids = {m["id"]: r.id for m, r in zip(data["memories"], written, strict=True)}
    for m in data["memories"]:
        if m.get("superseded_by"):
            store.supersede(ids[m["id"]], ids[m["superseded_by"]])
    return store, {v: k for k, v in ids.items()}


def phone_scores(
    store: MemoryStore,
    keys: dict[int, str],
    data: dict[str, Any],
    half: str | None,
    reranker: Reranker | None = None,
) -> tuple[dict[str, float], list[str]]:
    """Hit@1/3/10 over the questions of ``half`` (None: all), and the top-3 misses."""
    now = datetime.fromisoformat(data["now"])
    hits = [0] * len(TOPS)
    misses, asked = [], 0
    for item in data["questions"]:
        if half and item["half"] != half:
            continue
        asked += 1
        found = [
            keys[r.memory.id]
            for r in Retriever(store, reranker).search(item["question"], k=max(TOPS), now=now)
        ]
        gold = set(item["gold"])
        for j, top in enumerate(TOPS):
            hits[j] += bool(gold & set(found[:top]))
        if not gold & set(found[:3]):
            misses.append(f"{item['question']} -> {found[:3]}")
    return {f"top{t}": hits[j] / asked for j, t in enumerate(TOPS)} | {"questions": asked}, misses


def phone_life(
    embedder: Embedder,
    modes: dict[str, dict[str, Any]],
    show_misses: bool,
    rerankers: BenchRerankers | None = None,
) -> None:
    rerankers = rerankers or BenchRerankers(embedder)
    data = load_phone_life()
    print(
        f"phone life: {len(data['memories'])} memories, {len(data['questions'])} questions "
        "(tune = even, held-out = odd)"
    )
    print(f"  {'mode':28s} {'half':9s} {'top1':>6s} {'top3':>6s} {'top10':>6s} {'ms/query':>9s}")
    with tempfile.TemporaryDirectory() as home:
        for mode, retrieval in modes.items():
            store, keys = phone_store(Path(home) / mode, embedder, data, retrieval)
            for half in ("tune", "held-out", None):
                started = time.perf_counter()
                figures, misses = phone_scores(store, keys, data, half, rerankers.for_mode(mode))
                per_query = (time.perf_counter() - started) * 1000 / figures["questions"]
                print(
                    f"  {mode:28s} {half or 'all':9s} {figures['top1']:6.3f} "
                    f"{figures['top3']:6.3f} {figures['top10']:6.3f} {per_query:9.1f}"
                )
                if show_misses and half == "tune":  # never look at the held-out misses
                    for miss in misses:
                        print(f"      miss: {miss}")
            store.close()
    rerankers.report()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    # The judge takes seconds a query: name it in --modes to run it.
    parser.add_argument("--modes", default=",".join(m for m in MODES if m != "pocketmind+judge"))
    parser.add_argument("--misses", action="store_true", help="list the tuning half's top-3 misses")
    parser.add_argument("--set", action="append", default=[], help="retrieval KEY=VALUE")
    args = parser.parse_args()
    for mode in ("pocketmind", "pocketmind+embedder-rerank"):
        MODES[mode] = {**MODES[mode], **locomo.setting_overrides(args.set)}
    embedder = CachedEmbedder(SentenceTransformerEmbedder())
    modes = {m: mode_settings(m, MODES) for m in args.modes.split(",")}
    phone_life(embedder, modes, args.misses)
    embedder.save()


if __name__ == "__main__":
    main()
