"""Grounded answers and learned facts on the packaged model, side by side in one run
(issue: the first ten minutes).

Held-out personas (seeds from 1000; an adapter is trained on seeds below 1000) and a
held-out phrasing set (``--phrasing``, 2 by default: written after the support check's
rules and the statement grammar were frozen). Rows: the packaged model as it is (its
answer shown, facts by the model under a schema), with the support check (and the
statement grammar), with ``--adapter``, and with both. Answers come from one generation
per question and adapter; the check is applied to that same answer, as the pipeline
does (temperature 0).

Columns: right = the gold span in what is shown (right as fact: and shown as the
model's own answer, not "I'm not sure"); unsupported as fact = a wrong or invented
answer shown as fact, over all questions; idk = "I don't know" on the unanswerable
ones; facts = statements after which some learned fact holds every gold span.

    python bench/answers.py [--personas 4] [--phrasing 2] [--adapter PATH] [--limit N]

Every answer and learned fact goes to stderr as it comes.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from agent import make_engine
from synth import memories, persona, questions, statements

from memory import machine
from pocketmind.chat import Assistant, FactExtractor
from pocketmind.chat.support import check, not_sure
from pocketmind.engine import Engine
from pocketmind.memory import MemoryStore
from pocketmind.settings import load_settings

NOW = datetime(2025, 10, 10, 12, 0, tzinfo=UTC)


def _idk(text: str) -> bool:
    low = text.lower().replace("’", "'")
    return "don't know" in low or "do not know" in low or "not sure" in low


def _store(home: Path, embedder: object, answer_tokens: int) -> MemoryStore:
    settings = load_settings(home=home)
    settings.engine.answer_tokens = answer_tokens
    settings.engine.temperature = 0.0
    return MemoryStore.open(settings, embedder, check_space=False)  # type: ignore[arg-type]


def run_questions(
    engine: Engine,
    embedder: object,
    seeds: list[int],
    phrasing: int,
    limit: int | None,
    tokens: int,
) -> dict[str, list[tuple[str | None, str]]]:
    """For each seed's questions: (gold, shown as is) and (gold, shown with the check)."""
    out: dict[str, list[tuple[str | None, str]]] = {"plain": [], "checked": []}
    for seed in seeds:
        p = persona(seed)
        with tempfile.TemporaryDirectory() as tmp, _store(Path(tmp), embedder, tokens) as store:
            for i, text in enumerate(memories(p)):
                store.remember(text, source="chat", at=NOW - timedelta(days=30 - i))
            store.settings.chat.check_support = False
            store.settings.chat.extract_facts = False
            assistant = Assistant(store, engine, store.settings)
            for question, gold in questions(p, phrasing)[:limit]:
                answer = assistant.ask(question, now=NOW)
                found = check(answer.text, question, answer.memories)
                shown = answer.text if found.supported else not_sure(found.closest, UTC)
                out["plain"].append((gold, answer.text))
                out["checked"].append((gold, shown))
                print(
                    f"{gold!r:14} as is: {answer.text[:70]!r}  check: {shown[:70]!r}",
                    file=sys.stderr,
                    flush=True,
                )
    return out


def run_statements(
    engine: Engine, embedder: object, seeds: list[int], phrasing: int, grammar: bool
) -> tuple[int, int]:
    """Each statement said in a fresh conversation; its facts judged, then forgotten."""
    right = total = 0
    with tempfile.TemporaryDirectory() as tmp, _store(Path(tmp), embedder, 48) as store:
        assistant = Assistant(store, engine, store.settings)
        extractor = FactExtractor(engine, store, max_tokens=96)
        for seed in seeds:
            for said, spans in statements(persona(seed), phrasing):
                if grammar:
                    learned = assistant.ask(said, now=NOW).facts_learned
                else:
                    learned = [r.id for r in extractor.learn(said, at=NOW)]
                texts = [m.text.lower() for m in store.get_many(learned).values()]
                store.forget_many(learned)
                total += 1
                right += any(all(s.lower() in t for s in spans) for t in texts)
                print(
                    f"{'grammar' if grammar else 'model'}: {said!r} -> {texts}",
                    file=sys.stderr,
                    flush=True,
                )
    return right, total


def score(rows: list[tuple[str | None, str]], checked: bool) -> dict[str, float]:
    answerable = [(g, s) for g, s in rows if g is not None]
    unanswerable = [s for g, s in rows if g is None]
    right = sum(g.lower() in s.lower() for g, s in answerable if g)
    as_fact = [(g, s) for g, s in rows if not (checked and _idk(s))]
    right_fact = sum(1 for g, s in as_fact if g is not None and g.lower() in s.lower())
    unsupported = sum(
        1
        for g, s in as_fact
        if (g is None and not _idk(s)) or (g is not None and g.lower() not in s.lower())
    )
    return {
        "right": right / max(len(answerable), 1),
        "right_as_fact": right_fact / max(len(answerable), 1),
        "unsupported_as_fact": unsupported / max(len(rows), 1),
        "idk": sum(_idk(s) for s in unanswerable) / max(len(unanswerable), 1),
        # only "I don't know", not "I'm not sure. The closest memory: ..."
        "idk_strict": sum("don't know" in s for s in unanswerable) / max(len(unanswerable), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--personas", type=int, default=3, help="for the questions")
    parser.add_argument("--statement-personas", type=int, default=4)
    parser.add_argument("--phrasing", type=int, default=2, choices=[0, 1, 2])
    parser.add_argument("--adapter", type=Path, help="a LoRA GGUF for the packaged model")
    parser.add_argument("--limit", type=int, help="questions per persona")
    parser.add_argument("--engine-url", help="an OpenAI-compatible server instead")
    parser.add_argument("--tokens", type=int, default=48, help="answer budget (tokens)")
    args = parser.parse_args()
    from pocketmind.embedders import FakeEmbedder

    # 12 memories a persona, 8 retrieved: the embedder barely matters here, and MiniLM
    # would cost the shared machine more than it tells
    embedder = FakeEmbedder(64)
    seeds = list(range(1000, 1000 + args.personas))
    engines: list[tuple[str, Engine]] = [("packaged", make_engine(args.engine_url, 2048))]
    if args.adapter:
        from pocketmind.engine.llama import LlamaEngine
        from pocketmind.models.local import packaged_model

        base = packaged_model()
        assert base is not None
        engines.append(
            (
                "adapter",
                LlamaEngine(base, context_size=2048, threads=2, seed=1, lora_path=args.adapter),
            )
        )
    print(machine())
    print(f"personas {seeds[0]}..{seeds[-1]}, phrasing set {args.phrasing}")
    header = f"{'row':34} {'right':>6} {'as fact':>8} {'unsup.':>7} {'idk':>6} {'strict':>6} "
    header += f"{'facts':>7} {'s':>5}"
    lines = []
    for name, engine in engines:
        start = time.perf_counter()
        answered = run_questions(engine, embedder, seeds, args.phrasing, args.limit, args.tokens)
        said = list(range(1000, 1000 + args.statement_personas))
        plain_facts = run_statements(engine, embedder, said, args.phrasing, grammar=False)
        grammar_facts = run_statements(engine, embedder, said, args.phrasing, grammar=True)
        print(file=sys.stderr)
        took = time.perf_counter() - start
        for label, rows, checked, facts in [
            (f"{name}, as is", answered["plain"], False, plain_facts),
            (f"{name} + support check & grammar", answered["checked"], True, grammar_facts),
        ]:
            s = score(rows, checked)
            lines.append(
                f"{label:34} {s['right']:6.2f} {s['right_as_fact']:8.2f} "
                f"{s['unsupported_as_fact']:7.2f} {s['idk']:6.2f} {s['idk_strict']:6.2f} "
                f"{facts[0] / max(facts[1], 1):7.2f} {took:5.0f}"
            )
        engine.close()
    n = len(answered["plain"])
    unanswerable = sum(1 for g, _ in answered["plain"] if g is None)
    print(f"{n} questions ({unanswerable} unanswerable), {plain_facts[1]} statements")
    print(header)
    print("\n".join(lines))
    print("goals: right >= 0.80, unsupported as fact <= 0.05, idk >= 0.90, facts >= 0.90")


if __name__ == "__main__":
    main()
