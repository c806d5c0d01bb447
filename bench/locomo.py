"""LoCoMo evidence recall for the memory store (protocol: ../shared/benchmarks/locomo).

Index the turns of one conversation at a time ("Speaker: text", plus the image caption,
timestamped with the session date), ask its category 1-4 questions, and score
|evidence ∩ top-k dia_ids| / |evidence|, averaged over questions.

The retrieval defaults were chosen on conversations 0-4 (bench/sweep.py);
figures are printed for 0-4 (tuning), 5-9 (held out) and all 10.

    python bench/locomo.py [--modes today,pocketmind,vector] [--convs 5-9] [--limit 10]
    python bench/locomo.py --modes pocketmind,pocketmind+late@20x0.5 --convs 0-4
    python bench/locomo.py --qa [--limit 40] [--engine-url URL]   (bench/locomo_qa.py)
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
from embed_cache import CachedEmbedder
from rerankers import BenchRerankers, mode_settings

from pocketmind.embedders import Embedder, SentenceTransformerEmbedder
from pocketmind.memory import MemoryStore, NewMemory
from pocketmind.retrieval import Retriever
from pocketmind.settings import load_settings

DATA = Path(
    os.environ.get(
        "POCKETMIND_LOCOMO",
        Path(__file__).resolve().parents[2] / "shared/benchmarks/locomo/locomo10.json",
    )
)
KS = (1, 5, 10)
_PLAIN = {"neighbor_weight": 0.0, "recency_weight": 0.0, "importance_weight": 0.0}
MODES: dict[str, dict[str, object]] = {
    "vector": {**_PLAIN, "bm25_weight": 0.0, "fusion": "rrf"},
    "bm25": {**_PLAIN, "vector_weight": 0.0, "fusion": "rrf"},
    "naive-rrf": {**_PLAIN, "fusion": "rrf", "rrf_k": 60, "bm25_weight": 1.0, "candidates": 60},
    "hybrid": {},
    # The hybrid as it was before learned-fact expansion and the "now" shift (issue 18).
    "today": {
        "expand_relations": False,
        "now_weight": 0.0,
        "informative_weight": 0.0,
        "coverage_weight": 0.0,
        "neighbor_window_minutes": 1e9,
    },
    # The defaults before the sweep on conversations 0-4 (issue 18's second session).
    "previous": {
        "candidates": 40,
        "fusion": "zscore",
        "vector_weight": 1.0,
        "bm25_weight": 1.5,
        "neighbor_weight": 0.5,
        "neighbor_hops": 2,
        "neighbor_window_minutes": 30.0,
        "recency_weight": 0.02,
        "importance_weight": 0.05,
        "expand_relations": True,
        "now_weight": 0.1,
        "coverage_weight": 0.0,
        "informative_weight": 0.0,
        "rerank": "off",
        "rerank_depth": 20,
        "rerank_weight": 0.5,
    },
    "pocketmind": {},
}
# The second hop (retrieval/feedback.py) as bench/sweep.py chose it on the tuning halves.
SECOND_HOP = {"feedback_bm25_weight": 0.25, "feedback_vector_weight": 1.0, "feedback_docs": 2}
MODES |= {
    "pocketmind+hop-bm25": {**SECOND_HOP, "feedback_vector_weight": 0.0},
    "pocketmind+hop-vector": {**SECOND_HOP, "feedback_bm25_weight": 0.0},
    "pocketmind+second-hop": SECOND_HOP,
    # Neighbours within a day of the hit, not 30 minutes (a chat thread answered later).
    "pocketmind+day-threads": {"neighbor_window_minutes": 1440.0},
    # The in-process rerankers (bench/rerankers.py); "+late@20x0.5": depth 20, weight 0.5.
    # Depth and weight as chosen on LoCoMo 0-4 and phone life's tuning half.
    "pocketmind+late": {"rerank": "late-interaction", "rerank_depth": 30, "rerank_weight": 0.5},
    "pocketmind+judge": {"rerank": "judge", "rerank_depth": 20, "rerank_weight": 0.25},
}
SPLITS = {"0-4 (tuning)": range(0, 5), "5-9 (held out)": range(5, 10), "all 10": range(0, 10)}


def session_time(text: str) -> datetime:
    return datetime.strptime(text, "%I:%M %p on %d %B, %Y").replace(tzinfo=UTC)


def turns(sample: dict[str, Any]) -> list[NewMemory]:
    conv = sample["conversation"]
    out = []
    sessions = sorted(
        (
            int(key.split("_")[1])
            for key in conv
            if key.startswith("session_")
            and not key.endswith("date_time")
            and isinstance(conv[key], list)
        ),
    )
    for n in sessions:
        start = session_time(conv[f"session_{n}_date_time"])
        for i, turn in enumerate(conv[f"session_{n}"]):
            text = f"{turn['speaker']}: {turn['text']}"
            if turn.get("blip_caption"):
                text += f" [shares {turn['blip_caption']}]"
            out.append(
                NewMemory(
                    text=text,
                    kind="dialogue",
                    source=f"locomo:{sample['sample_id']}",
                    at=start + timedelta(seconds=i),
                    meta={"dia_id": turn["dia_id"]},
                )
            )
    return out


def evaluate(
    samples: list[dict[str, Any]],
    embedder: Embedder,
    modes: Sequence[str],
    time_phrases: bool = True,
    overrides: dict[str, Any] | None = None,
) -> dict[str, dict[str, float]]:
    """Recall@k per mode over ``samples`` together."""
    sums, counts = evaluate_each(samples, embedder, modes, time_phrases, overrides)
    return {
        mode: {
            f"recall@{k}": float(sum(s[mode][j] for s in sums) / sum(counts))
            for j, k in enumerate(KS)
        }
        | {"questions": sum(counts)}
        for mode in modes
    }


def splits(
    sums: list[dict[str, np.ndarray]], counts: list[int], indexes: Sequence[int]
) -> dict[str, dict[str, float]]:
    """Recall@k per split of the conversations ``indexes`` names (positions in ``sums``)."""
    out = {}
    for name, members in SPLITS.items():
        chosen = [i for i, n in enumerate(indexes) if n in members]
        if not chosen:
            continue
        total = sum(counts[i] for i in chosen)
        out[name] = {
            mode: {
                f"recall@{k}": float(sum(sums[i][mode][j] for i in chosen) / total)
                for j, k in enumerate(KS)
            }
            | {"questions": total}
            for mode in sums[0]
        }
    return out


def evaluate_each(
    samples: list[dict[str, Any]],
    embedder: Embedder,
    modes: Sequence[str],
    time_phrases: bool = True,
    overrides: dict[str, Any] | None = None,
    detail: list[dict[str, Any]] | None = None,
    rerankers: BenchRerankers | None = None,
    limit: int | None = None,
) -> tuple[list[dict[str, np.ndarray]], list[int]]:
    """Per conversation: the summed recall@k per mode, and its question count.

    With ``detail``, one row per question and mode is appended to it (conversation,
    category, question, evidence, the top 10, recall@10). ``limit``: the first that
    many category 1-4 questions of each conversation (a subsample for slow rerankers).
    """
    rerankers = rerankers or BenchRerankers(embedder)
    all_sums, all_counts = [], []
    with tempfile.TemporaryDirectory() as home:
        for position, sample in enumerate(samples):
            totals = {mode: np.zeros(len(KS)) for mode in modes}
            questions = 0
            items = turns(sample)
            now = max(item.at for item in items) + timedelta(days=1)  # type: ignore[type-var]
            stores = {}
            for mode in modes:
                retrieval = (
                    {**MODES[mode], **(overrides or {})}
                    if mode in ("hybrid", "pocketmind")
                    else mode_settings(mode, MODES)
                )
                settings = load_settings(
                    Path(home) / f"{sample['sample_id']}-{mode}",
                    retrieval=retrieval,
                    timezone="UTC",
                )
                stores[mode] = MemoryStore.open(settings, embedder)
            first = stores[modes[0]]
            first.remember_many(items)
            for mode in modes[1:]:  # same rows, no re-embedding: copy by remembering
                stores[mode].remember_many(items)
            for qa in sample["qa"]:
                evidence = set(qa.get("evidence") or [])
                if qa.get("category") not in (1, 2, 3, 4) or not evidence:
                    continue
                if limit is not None and questions >= limit:
                    break
                questions += 1
                for mode, store in stores.items():
                    started = time.perf_counter()
                    hits = Retriever(store, rerankers.for_mode(mode)).search(
                        qa["question"], k=max(KS), now=now, time_phrases=time_phrases
                    )
                    took_ms = (time.perf_counter() - started) * 1000
                    ids = [h.memory.meta.get("dia_id") for h in hits]
                    for j, k in enumerate(KS):
                        totals[mode][j] += len(evidence & set(ids[:k])) / len(evidence)
                    if detail is not None:
                        detail.append(
                            {
                                "conv": position,
                                "mode": mode,
                                "category": qa["category"],
                                "question": qa["question"],
                                "evidence": sorted(evidence),
                                "found": ids,
                                "recall": len(evidence & set(ids)) / len(evidence),
                                "ms": took_ms,
                            }
                        )
            for store in stores.values():
                store.close()
            all_sums.append(totals)
            all_counts.append(questions)
            if isinstance(embedder, CachedEmbedder):
                embedder.save()  # an interrupted run keeps what it embedded
    return all_sums, all_counts


CATEGORIES = {1: "multi-hop", 2: "temporal", 3: "open-domain", 4: "single-hop"}


def by_category(detail: list[dict[str, Any]], indexes: Sequence[int], misses: int) -> None:
    """Recall@10 per split, mode and category; then up to ``misses`` misses each."""
    for split, members in SPLITS.items():
        rows = [r for r in detail if indexes[r["conv"]] in members]
        if not rows:
            continue
        print(f"recall@10 by category, conversations {split}:")
        for mode in dict.fromkeys(r["mode"] for r in rows):
            cells = []
            for category, name in CATEGORIES.items():
                mine = [
                    r["recall"] for r in rows if r["mode"] == mode and r["category"] == category
                ]
                if mine:
                    cells.append(f"{name} {sum(mine) / len(mine):.3f} ({len(mine)})")
            print(f"  {mode:24s} " + "  ".join(cells))
    last = detail[-1]["mode"] if detail else None
    for category, name in CATEGORIES.items():
        wrong = [r for r in detail if r["mode"] == last and r["category"] == category]
        wrong = [r for r in wrong if r["recall"] < 1][:misses]
        for r in wrong:
            print(
                f"  miss ({last}, conv {indexes[r['conv']]}, {name}, R@10 {r['recall']:.2f}): "
                f"{r['question']} evidence {r['evidence']} top3 {r['found'][:3]}"
            )


def setting_overrides(pairs: Sequence[str]) -> dict[str, Any]:
    """``KEY=VALUE`` pairs as retrieval settings: numbers as numbers, the rest as text."""
    out: dict[str, Any] = {}
    for pair in pairs:
        key, _, value = pair.partition("=")
        try:
            out[key] = float(value)
        except ValueError:
            out[key] = value
    return out


def conversations(spec: str) -> list[int]:
    """'0-4' or '5,7,9' or 'all' as conversation positions."""
    if spec == "all":
        return list(range(10))
    out: list[int] = []
    for part in spec.split(","):
        low, _, high = part.partition("-")
        out += list(range(int(low), int(high or low) + 1))
    return out


def load_samples() -> list[dict[str, Any]]:
    if not DATA.is_file():
        sys.exit(f"LoCoMo data not found at {DATA} (set POCKETMIND_LOCOMO)")
    return json.loads(DATA.read_text())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--modes", default="vector,bm25,naive-rrf,today,previous,pocketmind")
    parser.add_argument("--convs", help="conversations: all (default), 0-4, 5-9, 3,7")
    parser.add_argument("--no-time-phrases", action="store_true")
    parser.add_argument("--set", action="append", default=[], help="retrieval KEY=VALUE")
    parser.add_argument("--by-category", action="store_true", help="recall@10 per category")
    parser.add_argument("--misses", type=int, default=0, help="misses shown per category")
    parser.add_argument("--qa", action="store_true", help="answer with a model (locomo_qa.py)")
    parser.add_argument("--limit", type=int, help="first N questions of each conversation")
    args, rest = parser.parse_known_args()
    if args.qa:
        import locomo_qa

        locomo_qa.main([*rest, *(["--convs", args.convs] if args.convs else [])])
        return
    if rest:
        parser.error(f"unrecognized arguments: {' '.join(rest)}")
    overrides = setting_overrides(args.set)
    embedder = CachedEmbedder(SentenceTransformerEmbedder())
    started = time.perf_counter()
    indexes = conversations(args.convs or "all")
    samples = load_samples()
    detail: list[dict[str, Any]] = []
    rerankers = BenchRerankers(embedder, cache_tokens=True)
    sums, counts = evaluate_each(
        [samples[i] for i in indexes],
        embedder,
        args.modes.split(","),
        not args.no_time_phrases,
        overrides,
        detail,
        rerankers,
        args.limit,
    )
    embedder.save()
    for split, result in splits(sums, counts, indexes).items():
        print(f"conversations {split}:")
        for mode, figures in result.items():
            print(f"  {mode:24s}", json.dumps(figures))
    print("search() per question (query embedding from the cache):")
    for mode in dict.fromkeys(r["mode"] for r in detail):
        times = sorted(r["ms"] for r in detail if r["mode"] == mode)
        p50, p95 = times[len(times) // 2], times[min(len(times) - 1, int(0.95 * len(times)))]
        print(f"  {mode:24s} p50 {p50:6.2f} ms  p95 {p95:6.2f} ms")
    rerankers.report()
    if args.by_category or args.misses:
        by_category(detail, indexes, args.misses)
    took = time.perf_counter() - started
    print(f"({took:.1f} s; {embedder.embedded} texts embedded, the rest from {embedder.folder})")


if __name__ == "__main__":
    main()
