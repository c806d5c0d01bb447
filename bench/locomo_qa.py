"""LoCoMo question answering end to end: the local model answers through ``ask``.

Rows side by side, same model, same questions:
- ``none``: no memory (the chat retrieves nothing);
- ``pocketmind``: the chat's own retrieval over the conversation's turns;
- ``gold``: the question's evidence turns put in the prompt as the memories (the
  upper bound for this model and prompt).

Scored with the LoCoMo paper's F1 (snap-research/LoCoMo task_eval/evaluation.py):
answers lower-cased, punctuation, articles and "and" removed, tokens Porter-stemmed
(here by SQLite FTS5's porter tokenizer, not NLTK's: the same algorithm without NLTK's
extensions), token F1; category 1 (multi-hop) splits both answers on commas and
averages the best F1 per gold part; category 3 keeps the gold answer before ';';
category 5 (adversarial) scores 1 when the answer says "no information available" or
"not mentioned". Questions are taken round-robin over the categories from the chosen
conversations, so ``--limit`` keeps every category.

    python bench/locomo.py --qa [--limit 40] [--convs 5-9] [--engine-url URL]
"""

from __future__ import annotations

import argparse
import re
import sqlite3
import statistics
import string
import tempfile
import time
from collections import Counter, defaultdict
from datetime import timedelta
from pathlib import Path
from typing import Any

import locomo
from embed_cache import CachedEmbedder

from pocketmind.chat import Assistant
from pocketmind.chat.prompt import BuiltPrompt
from pocketmind.embedders import SentenceTransformerEmbedder
from pocketmind.memory import MemoryStore, SearchResult
from pocketmind.settings import load_settings

ROWS = ("none", "pocketmind", "gold")
CATEGORIES = {1: "multi-hop", 2: "temporal", 3: "open-domain", 4: "single-hop", 5: "adversarial"}


class _Stemmer:
    """Porter stems through SQLite FTS5's porter tokenizer (no NLTK here)."""

    def __init__(self) -> None:
        self.db = sqlite3.connect(":memory:")
        self.db.execute("CREATE VIRTUAL TABLE t USING fts5(x, tokenize='porter ascii')")
        self.db.execute("CREATE VIRTUAL TABLE v USING fts5vocab(t, 'instance')")
        self.cache: dict[str, str] = {}

    def __call__(self, word: str) -> str:
        if word not in self.cache:
            self.db.execute("DELETE FROM t")
            self.db.execute("INSERT INTO t (x) VALUES (?)", (word,))
            row = self.db.execute("SELECT term FROM v").fetchone()
            self.cache[word] = row[0] if row else word
        return self.cache[word]


STEM = _Stemmer()


def normalize_answer(text: str) -> str:
    text = text.replace(",", "").lower()
    text = "".join(ch for ch in text if ch not in set(string.punctuation))
    text = re.sub(r"\b(a|an|the|and)\b", " ", text)
    return " ".join(text.split())


def f1(prediction: str, truth: str) -> float:
    pred = [STEM(w) for w in normalize_answer(prediction).split()]
    gold = [STEM(w) for w in normalize_answer(truth).split()]
    common = sum((Counter(pred) & Counter(gold)).values())
    if common == 0:
        return 0.0
    precision, recall = common / len(pred), common / len(gold)
    return 2 * precision * recall / (precision + recall)


def multi_f1(prediction: str, truth: str) -> float:
    preds = [p.strip() for p in prediction.split(",")]
    golds = [g.strip() for g in truth.split(",")]
    return statistics.mean(max(f1(p, g) for p in preds) for g in golds)


def score(qa: dict[str, Any], prediction: str) -> float:
    category = qa["category"]
    if category == 5:
        lowered = prediction.lower()
        return float("no information available" in lowered or "not mentioned" in lowered)
    truth = str(qa["answer"])
    if category == 3:
        truth = truth.split(";")[0].strip()
    return multi_f1(prediction, truth) if category == 1 else f1(prediction, truth)


class GoldAssistant(Assistant):
    """The chat pipeline with the question's evidence turns as its memories."""

    def __init__(self, *args: Any, evidence: list[SearchResult], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.evidence = evidence

    def prepare(
        self, question: str, conversation_id: str, now: Any = None, history: Any = None
    ) -> BuiltPrompt:
        return self.builder().build(question, self.evidence, [], self.profile())


def pick(samples: list[dict[str, Any]], limit: int) -> list[tuple[int, dict[str, Any]]]:
    """Up to ``limit`` questions, round-robin over categories, then conversations."""
    by_category: dict[int, list[tuple[int, dict[str, Any]]]] = defaultdict(list)
    for n, sample in enumerate(samples):
        for qa in sample["qa"]:
            if qa.get("category") in CATEGORIES and qa.get("evidence"):
                by_category[qa["category"]].append((n, qa))
    picked: list[tuple[int, dict[str, Any]]] = []
    while len(picked) < limit and any(by_category.values()):
        for category in sorted(by_category):
            if by_category[category] and len(picked) < limit:
                picked.append(by_category[category].pop(0))
    return picked


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--limit", type=int, default=40, help="questions in all")
    parser.add_argument("--convs", default="5-9", help="conversations: all, 0-4, 5-9")
    parser.add_argument("--engine-url", help="an OpenAI-compatible server (a bigger model)")
    parser.add_argument("--rows", default=",".join(ROWS))
    parser.add_argument("--answer-tokens", type=int, default=48)
    args = parser.parse_args(argv)
    sys_path_agent()
    from agent import make_engine

    engine = make_engine(args.engine_url)
    embedder = CachedEmbedder(SentenceTransformerEmbedder())
    samples = [locomo.load_samples()[i] for i in locomo.conversations(args.convs)]
    questions = pick(samples, args.limit)
    rows = args.rows.split(",")
    print(f"model: {engine.model_id}; {len(questions)} questions from conversations {args.convs}")
    results: dict[str, dict[int, list[float]]] = {row: defaultdict(list) for row in rows}
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as home:
        stores: dict[int, tuple[MemoryStore, Any]] = {}
        for n, qa in questions:
            if n not in stores:
                settings = load_settings(
                    Path(home) / str(n),
                    timezone="UTC",
                    chat={"extract_facts": False},
                    engine={"answer_tokens": args.answer_tokens, "temperature": 0.0},
                )
                store = MemoryStore.open(settings, embedder)
                items = locomo.turns(samples[n])
                store.remember_many(items)
                now = max(i.at for i in items) + timedelta(days=1)  # type: ignore[operator]
                stores[n] = (store, now)
            store, now = stores[n]
            for row in rows:
                answer = ask(row, store, engine, qa, now)
                results[row][qa["category"]].append(score(qa, answer))
        for store, _ in stores.values():
            store.close()
    embedder.save()
    took = time.perf_counter() - started
    print(f"F1 per category (questions), {took:.0f} s for {len(rows)} rows:")
    header = "  ".join(f"{CATEGORIES[c]:>12s}" for c in sorted(CATEGORIES))
    print(f"  {'row':11s} {header}  {'overall':>8s}")
    for row in rows:
        cells = [
            f"{statistics.mean(v):6.3f} ({len(v):2d})" if (v := results[row].get(c)) else " " * 11
            for c in sorted(CATEGORIES)
        ]
        overall = statistics.mean(s for v in results[row].values() for s in v)
        print(f"  {row:11s} {'  '.join(f'{c:>12s}' for c in cells)}  {overall:8.3f}")


def ask(row: str, store: MemoryStore, engine: Any, qa: dict[str, Any], now: Any) -> str:
    settings = store.settings.model_copy(deep=True)
    if row == "none":
        settings.chat.memories = 0
    if row == "gold":
        wanted = set(qa["evidence"])
        found = [m for m in store.iter_memories() if m.meta.get("dia_id") in wanted]
        evidence = [SearchResult(m, 1.0) for m in found]
        assistant: Assistant = GoldAssistant(store, engine, settings, evidence=evidence)
    else:
        assistant = Assistant(store, engine, settings)
    return assistant.ask(str(qa["question"]), now=now, learn=False).text


def sys_path_agent() -> None:
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent))


if __name__ == "__main__":
    sys_path_agent()
    main()
