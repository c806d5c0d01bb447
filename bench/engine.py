"""Engine figures, side by side in one run, same model and threads.

- decode speed: PocketMind's LlamaEngine vs raw llama-cpp-python create_chat_completion
- time to first token of a follow-up turn that reuses the cached prefix vs the same
  prompt cold (KV cache cleared)
- peak resident memory of a `pocketmind ask` process with the default models

    python bench/engine.py [--runs 5] [--threads 2] [--model PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from memory import machine
from pocketmind.daemon.wiring import make_assistant
from pocketmind.embedders import FakeEmbedder
from pocketmind.engine import ChatOptions, Message
from pocketmind.engine.llama import LlamaEngine
from pocketmind.memory import MemoryStore, NewMemory
from pocketmind.models.local import packaged_model
from pocketmind.settings import load_settings

PROMPT = [
    Message("system", "You are a storyteller."),
    Message("user", "Tell a long story about a lighthouse keeper and a storm."),
]
MAX_TOKENS = 160


def raw_decode_tps(llm: Any) -> float:
    start = first = None
    count = 0
    start = time.perf_counter()
    for chunk in llm.create_chat_completion(
        [m.to_json() for m in PROMPT],
        max_tokens=MAX_TOKENS,
        temperature=0,
        stream=True,
        repeat_penalty=1.1,
    ):
        if chunk["choices"][0]["delta"].get("content"):
            count += 1
            if first is None:
                first = time.perf_counter()
    assert first is not None and start is not None
    return (count - 1) / (time.perf_counter() - first)


def ours_decode_tps(engine: LlamaEngine) -> float:
    stream = engine.chat(PROMPT, ChatOptions(max_tokens=MAX_TOKENS, temperature=0))
    stream.text()
    assert stream.stats.decode_tps is not None
    return stream.stats.decode_tps


def bench_decode(model: Path, threads: int, runs: int) -> None:
    from llama_cpp import Llama

    raw = Llama(
        str(model), n_ctx=2048, n_threads=threads, n_threads_batch=threads, verbose=False, seed=0
    )
    ours = LlamaEngine(model, context_size=2048, threads=threads)
    raw_tps, our_tps = [], []
    for _ in range(runs):  # interleaved, so drift hits both alike
        raw.reset()
        raw_tps.append(raw_decode_tps(raw))
        ours._llm.reset()
        our_tps.append(ours_decode_tps(ours))
    raw.close()
    ours.close()
    r, o = statistics.median(raw_tps), statistics.median(our_tps)
    print(f"decode speed ({model.name}, {threads} threads, {MAX_TOKENS} tokens, median of {runs}):")
    print(f"  raw create_chat_completion   {r:7.1f} tokens/s")
    print(f"  PocketMind LlamaEngine       {o:7.1f} tokens/s   ratio {o / r:.3f}")


def bench_prefix_cache(model: Path, threads: int, runs: int) -> None:
    now = datetime(2025, 6, 1, 12, tzinfo=UTC)
    with tempfile.TemporaryDirectory() as home:
        settings = load_settings(home, timezone="UTC")
        settings.engine.answer_tokens = 48
        store = MemoryStore.open(settings, FakeEmbedder(256))
        store.remember_many(
            [
                NewMemory(f"Maya {fact}", kind="fact", at=now - timedelta(days=i))
                for i, fact in enumerate(
                    [
                        "moved to Lisbon in March",
                        "works as an architect",
                        "has a dog called Pico",
                        "likes hiking in Sintra",
                        "is learning the cello",
                        "visits in August",
                    ]
                )
            ]
            + [
                NewMemory(
                    f"Lisbon trip note {i}: walked along the river to Belém and ate "
                    "pastéis de nata near the monastery",
                    at=now - timedelta(days=i),
                )
                for i in range(8)
            ]
        )
        engine = LlamaEngine(model, context_size=2048, threads=threads)
        assistant = make_assistant(store, engine, settings, db=store.db)
        warm, cold = [], []
        for _ in range(runs):
            first = assistant.ask("What does Maya do in Lisbon?", now=now)
            follow = assistant.stream(
                "And what about her dog in Lisbon?", conversation_id=first.conversation_id, now=now
            )
            answer = follow.finish()
            warm.append(answer.stats.ttft_ms or 0.0)
            prompt = json.loads(
                store.db.execute(
                    "SELECT prompt FROM exchanges WHERE id = ?", (answer.exchange_id,)
                ).fetchone()[0]
            )
            engine._llm.reset()  # cold: nothing cached
            stream = engine.chat(
                [Message(**m) for m in prompt], ChatOptions(max_tokens=48, temperature=0.2)
            )
            stream.text()
            cold.append(stream.stats.ttft_ms or 0.0)
            tokens = stream.stats.prompt_tokens
        engine.close()
        store.close()
    w, c = statistics.median(warm), statistics.median(cold)
    print(f"time to first token, follow-up turn ({tokens} prompt tokens, median of {runs}):")
    print(f"  cold (KV cache cleared)      {c:7.1f} ms")
    print(f"  reusing the cached prefix    {w:7.1f} ms   ratio {w / c:.3f}")


ASK_RSS = """
import resource, sys
from pocketmind.cli import main
try:
    main(["ask", "Where does Maya live?", "--json"])
except SystemExit:
    pass
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)
"""


def bench_ask_rss() -> None:
    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "POCKETMIND_HOME": home}
        subprocess.run(
            [sys.executable, "-m", "pocketmind.cli", "--help"],
            env=env,
            capture_output=True,
            check=False,
        )
        exe = str(Path(sys.executable).with_name("pocketmind"))
        subprocess.run(
            [exe, "memory", "add", "Maya moved to Lisbon"], env=env, check=True, capture_output=True
        )
        rows = []
        for label, extra in (
            ("default (MiniLM + SmolLM2)", {}),
            ("without torch (fake embedder)", {"POCKETMIND_EMBEDDER__BACKEND": "fake"}),
        ):
            start = time.perf_counter()
            done = subprocess.run(
                [sys.executable, "-c", ASK_RSS],
                env={**env, **extra},
                capture_output=True,
                text=True,
                check=True,
            )
            took = time.perf_counter() - start
            rss_mb = int(done.stderr.strip().splitlines()[-1]) / 1024
            rows.append((label, rss_mb, took))
    print("peak resident memory of one `pocketmind ask` process:")
    for label, rss, took in rows:
        print(f"  {label:32s} {rss:6.0f} MB   ({took:.1f} s wall)")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--model", type=Path, default=None)
    args = parser.parse_args()
    model = args.model or packaged_model()
    assert model is not None
    print(f"machine: {machine()}")
    bench_decode(model, args.threads, args.runs)
    bench_prefix_cache(model, args.threads, args.runs)
    bench_ask_rss()


if __name__ == "__main__":
    main()
