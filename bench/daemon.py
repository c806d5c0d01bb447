"""Daemon reliability and ingest figures, through the real API on its Unix socket.

1. 10,000 events in batches of 100: acknowledged events/s and batch latency, against
   writing the same batches straight into the store in process (the baseline); then
   how long until every event is remembered (embedded with the real MiniLM).
2. The same stream into a fresh home, the daemon killed with SIGKILL half way: after a
   restart, every acknowledged event is present once, each became one memory, and
   PRAGMA integrity_check is ok.
3. Chat under load: 1, 4 and 8 clients asking through POST /chat (streamed and not, in
   turn) while events arrive, fake engine and embedder so the database is what is
   measured: chats/s and latency p50/p95, for the write discipline in use (one
   connection, one lock: ``db.py``) beside one connection per thread with
   SQLite's own locking (``bench/thread_connections.py``), each with its own daemon.

    python bench/daemon.py [--events 10000] [--only ingest|chat] [--seconds 10] [--rounds 3]
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from daemon_helpers import DaemonProcess
from thread_connections import interpreter

from memory import machine
from pocketmind.daemon.client import DaemonError
from pocketmind.db import connect
from pocketmind.ingest import EventLog
from pocketmind.memory import MemoryStore, NewEvent
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
                EventLog(store.db, store.settings).record(
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


def _chat_client(socket: str, stop: float, latencies: list[float], errors: list[str]) -> None:
    transport = httpx.HTTPTransport(uds=socket)
    with httpx.Client(transport=transport, base_url="http://pm", timeout=120) as http:
        n = 0
        while time.perf_counter() < stop:
            body = {"question": f"what did the parcel {n} notification say?", "stream": n % 2 == 0}
            n += 1
            t0 = time.perf_counter()
            try:
                with http.stream("POST", "/chat", json=body) as response:
                    text = response.read().decode()
                ok = response.status_code == 200 and (
                    not body["stream"] or ("event: done" in text and "event: error" not in text)
                )
            except httpx.HTTPError as exc:
                ok, text = False, repr(exc)
            if ok:
                latencies.append((time.perf_counter() - t0) * 1000)
            else:
                errors.append(text[:200])


def _event_stream(socket: str, stop: threading.Event, acked: list[int]) -> None:
    """Notifications arriving meanwhile: 20 every 50 ms (400 a second, a busy phone x10)."""
    transport = httpx.HTTPTransport(uds=socket)
    with httpx.Client(transport=transport, base_url="http://pm", timeout=120) as http:
        n = 0
        while not stop.wait(0.05):
            events = [
                {"source": "bench", "kind": "notification", "key": f"e{n}-{i}",
                 "payload": {"text": f"Parcel {n}-{i} is out for delivery to locker {i}"}}
                for i in range(20)
            ]  # fmt: skip
            n += 1
            if http.post("/events", json={"events": events}).status_code == 202:
                acked.append(len(events))


def chat_load(home: Path, python: str, clients: int, seconds: float) -> dict[str, float]:
    process = DaemonProcess(home, {"POCKETMIND_CHAT__EXTRACT_FACTS": "false"}, python=python)
    process.start()
    socket = str(process.settings.socket_path)
    latencies: list[float] = []
    errors: list[str] = []
    acked: list[int] = []
    stopping = threading.Event()
    feeder = threading.Thread(target=_event_stream, args=(socket, stopping, acked))
    feeder.start()
    stop = time.perf_counter() + seconds
    threads = [
        threading.Thread(target=_chat_client, args=(socket, stop, latencies, errors))
        for _ in range(clients)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    stopping.set()
    feeder.join()
    process.stop()
    ranked = sorted(latencies) or [float("nan")]
    return {
        "chats/s": len(latencies) / seconds,
        "p50": statistics.median(ranked),
        "p95": ranked[int(len(ranked) * 0.95)],
        "errors": len(errors),
        "events/s": sum(acked) / seconds,
    }


def bench_chat(seconds: float, rounds: int) -> None:
    print(
        f"chat under load ({seconds:.0f} s a run, median of {rounds} rounds, events arriving, "
        "fake engine and embedder):"
    )
    print(
        f"  {'discipline':26s} {'clients':>7s} {'chats/s':>8s} {'p50 ms':>7s} "
        f"{'p95 ms':>7s} {'errors':>6s} {'events/s':>8s}"
    )
    runs: dict[tuple[str, int], list[dict[str, float]]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        disciplines = {
            "one connection, one lock": sys.executable,
            "a connection per thread": interpreter(Path(tmp)),
        }
        for n in range(rounds):  # interleaved: both see the machine in the same state
            for clients in (1, 4, 8):
                for name, python in disciplines.items():
                    home = Path(tmp) / f"{name.split()[0]}-{clients}-{n}"
                    runs.setdefault((name, clients), []).append(
                        chat_load(home, python, clients, seconds)
                    )
    for clients in (1, 4, 8):
        for name in disciplines:
            results = runs[(name, clients)]

            def median(key: str, results: list[dict[str, float]] = results) -> float:
                return statistics.median(r[key] for r in results)

            print(
                f"  {name:26s} {clients:7d} {median('chats/s'):8.1f} {median('p50'):7.1f} "
                f"{median('p95'):7.1f} {sum(r['errors'] for r in results):6.0f} "
                f"{median('events/s'):8.0f}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--only", choices=("ingest", "chat"), default=None)
    parser.add_argument("--seconds", type=float, default=10.0, help="per chat-load run")
    parser.add_argument("--rounds", type=int, default=3, help="chat-load rounds")
    args = parser.parse_args()
    print(f"machine: {machine()}")
    if args.only != "chat":
        bench_throughput(args.events)
        bench_kill9(args.events)
    if args.only != "ingest":
        bench_chat(args.seconds, args.rounds)


if __name__ == "__main__":
    main()
