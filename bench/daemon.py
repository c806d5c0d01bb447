"""Daemon reliability and ingest figures, through the real API on its Unix socket.

1. 10,000 events in batches of 100: acknowledged events/s and batch latency, against
   writing the same batches straight into the store in process (the baseline); then
   how long until every event is remembered (embedded with the real MiniLM).
2. The same stream into a fresh home, the daemon killed with SIGKILL half way: after a
   restart, every acknowledged event is present once, each became one memory, and
   PRAGMA integrity_check is ok.

    python bench/daemon.py [--events 10000]
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from daemon_helpers import DaemonProcess

from memory import machine
from pocketmind.daemon.client import DaemonError
from pocketmind.memory import MemoryStore, NewEvent
from pocketmind.memory.db import connect
from pocketmind.settings import load_settings

REAL = {
    "POCKETMIND_EMBEDDER__BACKEND": "sentence-transformers",
    "POCKETMIND_ENGINE__BACKEND": "fake",
}


def batches(n: int, prefix: str) -> list[list[dict[str, object]]]:
    events = [
        {
            "source": "bench",
            "kind": "notification",
            "key": f"{prefix}{i}",
            "payload": {
                "text": f"New notification {i}: parcel {i % 97} is out for delivery "
                f"to locker {i % 13}",
                "app": "com.dhl",
            },
        }
        for i in range(n)
    ]
    return [events[i : i + 100] for i in range(0, n, 100)]


def wait_drained(process: DaemonProcess, timeout: float = 900) -> float:
    start = time.perf_counter()
    with process.client() as client:
        while client.status()["queue_depth"] and time.perf_counter() - start < timeout:
            time.sleep(0.05)
    return time.perf_counter() - start


def bench_throughput(n: int) -> None:
    with tempfile.TemporaryDirectory() as home:
        process = DaemonProcess(Path(home) / "api", REAL).start()
        latencies = []
        start = time.perf_counter()
        with process.client() as client:
            for batch in batches(n, "t"):
                t0 = time.perf_counter()
                client.request("POST", "/events", json={"events": batch})
                latencies.append((time.perf_counter() - t0) * 1000)
        acked = time.perf_counter() - start
        drained = wait_drained(process)
        process.stop()
        settings = load_settings(Path(home) / "direct", embedder={"backend": "fake"})
        with MemoryStore.open(settings) as store:
            start = time.perf_counter()
            for batch in batches(n, "d"):
                store.record_events(
                    [
                        NewEvent(str(e["source"]), str(e["kind"]), e["payload"], key=str(e["key"]))  # type: ignore[arg-type]
                        for e in batch
                    ]
                )
            direct = time.perf_counter() - start
    print(f"ingest through the daemon API ({n} events, batches of 100, real MiniLM):")
    print(
        f"  acknowledged events/s          {n / acked:9.0f}   "
        f"(in-process baseline {n / direct:.0f}/s)"
    )
    print(
        f"  batch latency p50 / p95        {statistics.median(latencies):6.1f} / "
        f"{sorted(latencies)[int(len(latencies) * 0.95)]:.1f} ms"
    )
    print(
        f"  all remembered after           {acked + drained:9.1f} s "
        f"({n / (acked + drained):.0f} memories/s end to end)"
    )


def bench_kill9(n: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "k"
        process = DaemonProcess(home, REAL).start()
        acknowledged: dict[str, int] = {}
        with process.client() as client:
            for number, batch in enumerate(batches(n, "k")):
                if number == len(batches(n, "k")) // 2:
                    assert process.process is not None
                    os.kill(process.process.pid, signal.SIGKILL)
                try:
                    ids = client.request("POST", "/events", json={"events": batch})["ids"]
                except DaemonError:
                    break
                acknowledged.update({str(e["key"]): i for e, i in zip(batch, ids, strict=True)})
        process.stop(signal.SIGKILL)
        started = time.perf_counter()
        restarted = DaemonProcess(home, REAL).start()
        recovered = time.perf_counter() - started + wait_drained(restarted)
        restarted.stop()
        db = connect(restarted.settings.db_path)
        keys = dict(db.execute("SELECT key, id FROM events").fetchall())
        lost = sum(keys.get(k) != i for k, i in acknowledged.items())
        duplicated = db.execute(
            "SELECT count(*) FROM (SELECT event_id FROM memories GROUP BY event_id "
            "HAVING count(*) > 1)"
        ).fetchone()[0]
        pending = db.execute("SELECT count(*) FROM events WHERE processed_at IS NULL").fetchone()[0]
        integrity = db.execute("PRAGMA integrity_check").fetchone()[0]
        memories = db.execute("SELECT count(*) FROM memories").fetchone()[0]
        merged = db.execute("SELECT count(*) FROM events WHERE memory_id IS NOT NULL").fetchone()[0]
        db.close()
    print(f"kill -9 half way through {n} events:")
    print(f"  acknowledged before the kill   {len(acknowledged):9d}")
    print(f"  lost / duplicated / pending    {lost} / {duplicated} / {pending}")
    print(
        f"  events → memories              {merged} events into {memories} memories "
        "(near duplicates merged)"
    )
    print(f"  integrity_check                {integrity}")
    print(f"  restart + replay took          {recovered:9.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=10_000)
    args = parser.parse_args()
    print(f"machine: {machine()}")
    bench_throughput(args.events)
    bench_kill9(args.events)


if __name__ == "__main__":
    main()
