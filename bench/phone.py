"""The phone-sized stack: the idle daemon's memory and its start-up time, per embedder.

Side by side in one run, same chat model (the packaged SmolLM2-135M, in process):
  (a) sentence-transformers all-MiniLM-L6-v2 (torch): the desktop default, the baseline;
  (b) the same MiniLM converted to an F16 GGUF, run by llama.cpp: the phone default.

For each, a fresh $POCKETMIND_HOME filled from 200 texts, then `pocketmind up` started
REPEAT times: start-up is the time from exec to the API answering on its socket (the
socket opens last, after the database, embedder, engine, ingest and scheduler are up);
memory is read from /proc after IDLE seconds of idling: RSS (what the issue's target is
about), and PSS, USS and swap for a fuller picture (the GGUFs are mmapped: their pages
count in RSS but are shared with the page cache).

    python bench/phone.py [--repeat 3] [--idle 10]
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
from pocketmind.memory import MemoryStore
from pocketmind.memory.convert import convert_bert
from pocketmind.memory.embedder import PACKAGED_MODEL_ID, make_embedder, packaged_minilm_path
from pocketmind.settings import load_settings

TEXTS = [
    f"{what} at {hour:02d}:{minute:02d}"
    for what in ("Arrived at home", "Left work", "Battery low", "Coffee with Maya", "Gym")
    for hour in range(8, 18)
    for minute in (0, 15, 30, 45)
]


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
    env = {
        "POCKETMIND_ENGINE__BACKEND": "llama",
        "POCKETMIND_EMBEDDER__BACKEND": backend,
        "POCKETMIND_ENGINE__THREADS": "2",
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


def run(label: str, home: Path, env: dict[str, str], repeat: int, idle: float) -> dict[str, float]:
    starts, memory = [], []
    for _ in range(repeat):
        daemon = DaemonProcess(home, env)
        began = time.perf_counter()
        daemon.start(timeout=180)
        starts.append(time.perf_counter() - began)
        time.sleep(idle)
        assert daemon.process is not None
        memory.append(_memory_kib(daemon.process.pid))
        with daemon.client() as client:
            assert client.status()["memories"] == int(env["EXPECTED_MEMORIES"])
        daemon.stop()
    result = {
        "start_s": statistics.median(starts),
        **{key: statistics.median(m[key] for m in memory) / 1024 for key in memory[0]},
    }
    print(
        f"{label:34s} start {result['start_s']:5.2f} s   RSS {result['rss']:6.1f} MiB   "
        f"PSS {result['pss']:6.1f}   USS {result['uss']:6.1f}   swap {result['swap']:4.1f}",
        flush=True,
    )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--idle", type=float, default=10.0)
    args = parser.parse_args()
    print(machine())
    print(f"{len(TEXTS)} texts remembered; chat model SmolLM2-135M Q4_1 in process; median of {args.repeat}")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        gguf = convert_bert(packaged_minilm_path(), root / "minilm.gguf", space=PACKAGED_MODEL_ID)
        print(f"MiniLM GGUF (F16): {gguf.stat().st_size / 2**20:.1f} MiB")
        st_home, llama_home = root / "st", root / "llama"
        st_env = prepare(st_home, "sentence-transformers", gguf)
        llama_env = prepare(llama_home, "llama", gguf)
        a = run("(a) sentence-transformers (torch)", st_home, st_env, args.repeat, args.idle)
        b = run("(b) llama.cpp GGUF embedder", llama_home, llama_env, args.repeat, args.idle)
        print(
            f"(b)/(a): RSS {b['rss'] / a['rss']:.2f}x, start-up {b['start_s'] / a['start_s']:.2f}x; "
            f"target for (b): RSS <= 300 MB ({300e6 / 2**20:.0f} MiB): "
            f"{'met' if b['rss'] * 2**20 <= 300e6 else 'NOT met'}"
        )


if __name__ == "__main__":
    main()
