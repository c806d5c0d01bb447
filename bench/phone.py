"""The phone-sized stack: the idle daemon's memory and its start-up time, per embedder.

Side by side in one run, same chat model (the packaged SmolLM2-135M Q4_1, in process,
with the phone's engine settings: a 4k context, q8_0 attention cache):
  (a) sentence-transformers all-MiniLM-L6-v2 (torch): the desktop default, the baseline;
  (b) the same MiniLM converted to an F16 GGUF, run by llama.cpp: the phone default;
  (c) as (b), in a virtual environment holding only `pocketmind[termux]` (what a phone
      installs: no torch, and none of the dev tools whose optional imports FastAPI and
      httpx pick up here, such as opentelemetry and rich). Needs --phone-python.

For each, a fresh $POCKETMIND_HOME filled from 200 texts, then `pocketmind up` started
REPEAT times: start-up is the time from exec to the API answering on its socket (the
socket opens last, after the database, embedder, engine, ingest and scheduler). Memory
is read from /proc twice: 2 s after start-up ("warm": every model loaded) and after
IDLE seconds ("idle": the llama.cpp embedder unloads itself after embedder.idle_unload_s,
30 s by default; sentence-transformers stays). RSS is the issue's target; PSS (what
Android's `dumpsys meminfo` counts), USS and swap give a fuller picture: the GGUFs are
mmapped, their pages count in RSS but are shared with the page cache.

    python bench/phone.py [--repeat 3] [--idle 40] [--phone-python VENV/bin/python]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from daemon_helpers import DaemonProcess

from memory import machine
from pocketmind.embedders import PACKAGED_MODEL_ID, make_embedder, packaged_minilm_path
from pocketmind.memory import MemoryStore
from pocketmind.models.convert import convert_bert
from pocketmind.models.local import packaged_model
from pocketmind.settings import load_settings

TEXTS = [
    f"{what} at {hour:02d}:{minute:02d}"
    for what in ("Arrived at home", "Left work", "Battery low", "Coffee with Maya", "Gym")
    for hour in range(8, 18)
    for minute in (0, 15, 30, 45)
]
TARGET_BYTES = 300e6


def _memory_kib(pid: int) -> dict[str, int]:
    status = Path(f"/proc/{pid}/status").read_text()
    fields = {
        line.split(":")[0]: line.split()[1] for line in status.splitlines() if len(line.split()) > 1
    }
    rollup = Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()
    smaps = {line.split(":")[0]: int(line.split()[1]) for line in rollup[1:] if ":" in line}
    return {
        "rss": int(fields["VmRSS"]),
        "pss": smaps["Pss"],
        "uss": smaps["Private_Clean"] + smaps["Private_Dirty"],
        "swap": int(fields.get("VmSwap", "0")),
    }


def prepare(home: Path, backend: str, gguf: Path) -> dict[str, str]:
    chat_model = packaged_model()
    assert chat_model is not None
    env = {
        "POCKETMIND_ENGINE__BACKEND": "llama",
        "POCKETMIND_ENGINE__MODEL": str(chat_model),
        "POCKETMIND_ENGINE__KV_CACHE": "q8_0",
        "POCKETMIND_ENGINE__UBATCH": "128",
        "POCKETMIND_ENGINE__THREADS": "2",
        "POCKETMIND_EMBEDDER__BACKEND": backend,
        "POCKETMIND_SENSING__SENSORS": "[]",
    }
    if backend == "llama":
        env["POCKETMIND_EMBEDDER__MODEL"] = str(gguf)
    settings = load_settings(
        home,
        timezone="UTC",
        embedder={"backend": backend, **({"model": str(gguf)} if backend == "llama" else {})},
    )
    with MemoryStore.open(settings, make_embedder(settings)) as store:
        for text in TEXTS:
            store.remember(text)
        env["EXPECTED_MEMORIES"] = str(store.count())  # near-duplicates merge
    return env


def run(
    label: str, home: Path, env: dict[str, str], python: str, repeat: int, idle: float
) -> dict[str, float]:
    starts, warm, memory = [], [], []
    for _ in range(repeat):
        daemon = DaemonProcess(home, env, python)
        began = time.perf_counter()
        daemon.start(timeout=180)
        starts.append(time.perf_counter() - began)
        assert daemon.process is not None
        time.sleep(2)
        warm.append(_memory_kib(daemon.process.pid)["rss"])
        time.sleep(idle)
        memory.append(_memory_kib(daemon.process.pid))
        with daemon.client() as client:
            assert client.status()["memories"] == int(env["EXPECTED_MEMORIES"])
        daemon.stop()
    result = {
        "start_s": statistics.median(starts),
        "warm_rss": statistics.median(warm) / 1024,
        **{key: statistics.median(m[key] for m in memory) / 1024 for key in memory[0]},
    }
    rss_mb = result["rss"] * 2**20 / 1e6
    print(
        f"{label:44s} start {result['start_s']:5.2f} s  warm RSS {result['warm_rss']:6.1f} MiB"
        f"  idle RSS {result['rss']:6.1f} MiB ({rss_mb:5.1f} MB)  PSS {result['pss']:6.1f}"
        f"  USS {result['uss']:6.1f}  swap {result['swap']:4.1f}",
        flush=True,
    )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--idle", type=float, default=40.0)
    parser.add_argument("--phone-python", help="python of a venv with only pocketmind[termux]")
    args = parser.parse_args()
    print(machine())
    print(f"{len(TEXTS)} texts; SmolLM2-135M Q4_1, 4k context, q8_0 cache; median of {args.repeat}")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        gguf = convert_bert(packaged_minilm_path(), root / "minilm.gguf", space=PACKAGED_MODEL_ID)
        print(f"MiniLM GGUF (F16): {gguf.stat().st_size / 2**20:.1f} MiB")
        runs = [
            ("(a) sentence-transformers (torch)", "sentence-transformers", sys.executable),
            ("(b) llama.cpp GGUF embedder", "llama", sys.executable),
        ]
        if args.phone_python:
            runs.append(("(c) llama.cpp GGUF embedder, termux extra", "llama", args.phone_python))
        results = {}
        for label, backend, python in runs:
            home = root / label[1]
            env = prepare(home, backend, gguf)
            results[label[1]] = run(label, home, env, python, args.repeat, args.idle)
        a, b = results["a"], results["b"]
        print(
            f"(b)/(a): RSS {b['rss'] / a['rss']:.2f}x, start-up {b['start_s'] / a['start_s']:.2f}x"
        )
        for key, result in results.items():
            if key != "a":
                met = result["rss"] * 2**20 <= TARGET_BYTES
                print(f"({key}) against the 300 MB target: {'met' if met else 'NOT met'}")


if __name__ == "__main__":
    main()
