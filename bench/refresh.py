"""A refresh on 200 exported turns: examples/s, wall time, peak memory, the K-fold table.

python bench/refresh.py [--turns 200] [--epochs 1]
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from memory import machine
from pocketmind.daemon.wiring import make_assistant
from pocketmind.embedders import FakeEmbedder
from pocketmind.engine import FakeEngine
from pocketmind.memory import MemoryStore
from pocketmind.models.local import packaged_model
from pocketmind.settings import load_settings
from pocketmind.training import export
from pocketmind.training.refresh import refresh

FACTS = [
    (
        ["Who is my sister?", "What is my sister called?", "Do I have a sister?"],
        "Your sister is Maya.",
    ),
    (["Where do I work?", "Who employs me?", "What is my job?"], "You work at Riverside Dental."),
    (
        ["What is my dog called?", "Do I have a pet?", "What's my dog's name?"],
        "Your dog is called Pico.",
    ),
    (["Where do I live?", "Which city is home?", "Where is my home?"], "You live in Lisbon."),
    (["What do I eat for breakfast?", "What's my usual breakfast?"], "You eat porridge."),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--turns", type=int, default=200)
    parser.add_argument("--epochs", type=int, default=1)
    args = parser.parse_args()
    print(f"machine: {machine()}")
    rng = random.Random(5)
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        settings = load_settings(home, timezone="UTC", chat={"extract_facts": False})
        store = MemoryStore.open(settings, FakeEmbedder(64))
        turns = [rng.choice(FACTS) for _ in range(args.turns)]
        engine = FakeEngine([answer for _, answer in turns])
        assistant = make_assistant(store, engine, settings, db=store.db)
        for questions, _ in turns:
            assistant.ask(rng.choice(questions))
        report = export(store, store.db, settings, home / "export")
        config = settings.train.model_copy(update={"lr": 1e-3, "epochs": args.epochs})
        start = time.perf_counter()
        result = refresh(home / "export", packaged_model(), home / "adapter.gguf", config)
        wall = time.perf_counter() - start
        size = (home / "adapter.gguf").stat().st_size
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"refresh of {report.counts['sft']} exported turns, {config.folds}-fold, "
        f"{args.epochs} epoch(s), r={config.rank} on {', '.join(config.targets)}, "
        f"{result.device}:"
    )
    print(
        f"  wall time {wall:.0f} s, {result.examples_per_s:.2f} training examples/s, "
        f"peak memory {peak:.0f} MB, adapter {size / 2**20:.1f} MiB"
    )
    print(result.table())


if __name__ == "__main__":
    main()
