"""How similar a forget query is to the memories it means, and to the ones it does not.

``forget --query`` deletes only memories whose cosine similarity to the query reaches
``memory.forget_min_similarity``. This measures that similarity with the real packaged
all-MiniLM-L6-v2:

- forget-style queries ("wifi password", "my ex Daniel") against the memories they name
  and against a synthetic year of unrelated phone life (bench/corpus.py);
- LoCoMo questions (../shared, when present) against their evidence turns and against
  every other turn of the same conversation (some of those are related, so the
  "unrelated" tail is an upper bound).

    python bench/forget.py [--threshold 0.4] [--no-locomo]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import corpus
import locomo

from pocketmind.embedders import SentenceTransformerEmbedder

# (query, memories it means); every corpus memory is unrelated to all of them.
CASES: list[tuple[str, list[str]]] = [
    (
        "wifi password",
        ["The wifi password at home is Tr0ub4dor&3", "Guest wifi password: sunflower22"],
    ),
    ("my ex Daniel", ["Daniel and I broke up in March", "Daniel still has my blue jacket"]),
    (
        "bank PIN",
        ["My bank card PIN is 4821", "Changed the PIN of the credit card to 7730"],
    ),
    (
        "the surprise party for Maya",
        ["Planning a surprise party for Maya on the 14th", "Maya must not hear about the party"],
    ),
    (
        "my therapist",
        ["Therapy with Dr. Weiss every Tuesday at 5", "My therapist said to sleep more"],
    ),
    ("salary", ["My salary goes up to 4,200 a month in July", "Asked my boss for a raise"]),
    (
        "door code",
        ["The door code of the building is 1975#", "Gate code for Mum's garage: 2468"],
    ),
    (
        "medication",
        ["I take 50 mg of sertraline every morning", "Refill the blood pressure pills on Friday"],
    ),
]


def cosines(embedder: SentenceTransformerEmbedder, query: str, texts: list[str]) -> np.ndarray:
    vectors = embedder.embed([query, *texts])
    return vectors[1:] @ vectors[0]


def closest(sims: np.ndarray, texts: list[str], n: int = 2) -> str:
    return "; ".join(f"{sims[i]:.2f} {texts[i][:60]!r}" for i in np.argsort(-sims)[:n])


def summary(name: str, values: np.ndarray) -> str:
    p = np.percentile(values, [0, 5, 50, 95, 99, 99.9, 100])
    return f"{name:>28}: n={len(values):6d} min {p[0]:.3f} p5 {p[1]:.3f} median {p[2]:.3f} " + (
        f"p95 {p[3]:.3f} p99 {p[4]:.3f} p99.9 {p[5]:.3f} max {p[6]:.3f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threshold", type=float, default=0.4)
    parser.add_argument("--no-locomo", action="store_true")
    args = parser.parse_args()
    embedder = SentenceTransformerEmbedder()
    unrelated_texts = [text for text, _kind, _source, _at in corpus.memories(2000, seed=7)]
    background = embedder.embed(unrelated_texts)
    related, unrelated = [], []
    for query, targets in CASES:
        related.append(cosines(embedder, query, targets))
        unrelated.append(background @ embedder.embed([query])[0])
        print(
            f"{query!r}: meant {np.round(related[-1], 2).tolist()}, "
            f"{int(np.sum(unrelated[-1] >= args.threshold))} unrelated at or above "
            f"{args.threshold}, closest: {closest(unrelated[-1], unrelated_texts)}"
        )
    rel, unrel = np.concatenate(related), np.concatenate(unrelated)
    print(summary("forget queries: meant", rel))
    print(summary("forget queries: unrelated", unrel))
    t = args.threshold
    print(
        f"at {t}: {np.mean(rel >= t):.1%} of meant memories reached, "
        f"{int(np.sum(unrel >= t))} of {len(unrel)} unrelated ones"
    )
    if args.no_locomo or not locomo.DATA.is_file():
        return
    samples = json.loads(locomo.DATA.read_text())
    evidence, others = [], []
    for sample in samples:
        turns = locomo.turns(sample)
        ids = [item.meta["dia_id"] for item in turns]
        vectors = embedder.embed([item.text for item in turns])
        asked = [
            qa for qa in sample["qa"] if qa.get("category") in (1, 2, 3, 4) and qa.get("evidence")
        ]
        questions = embedder.embed([str(qa["question"]) for qa in asked])
        for qa, q in zip(asked, questions, strict=True):
            sims = vectors @ q
            wanted = {e.strip() for e in qa["evidence"]}
            mask = np.array([dia in wanted for dia in ids])
            evidence.append(sims[mask])
            others.append(sims[~mask])
    ev, ot = np.concatenate(evidence), np.concatenate(others)
    print(summary("LoCoMo: evidence", ev))
    print(summary("LoCoMo: other turns", ot))
    print(f"at {t}: {np.mean(ev >= t):.1%} of evidence, {np.mean(ot >= t):.2%} of other turns")


if __name__ == "__main__":
    main()
