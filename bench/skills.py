"""What 1,000 active reminders cost the daemon.

Reminders live in the database, not in memory: the scheduler holds one timer (a tick
a second) that asks the partial index for what is due, and the context reminders are
checked when a sensing batch arrives. Reported: the tick's cost with 0 and 1,000 active
reminders, and the daemon's idle CPU over a minute with each, side by side.

    python bench/skills.py [--seconds 60]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from daemon_helpers import DaemonProcess

from memory import machine
from pocketmind.embedders import FakeEmbedder
from pocketmind.memory import MemoryStore
from pocketmind.settings import load_settings
from pocketmind.skills import FakeClock, RecordingNotifier, ReminderBook, ReminderScheduler
from pocketmind.skills.schedules import Schedule
from sensing import cpu_seconds


def fill(book: ReminderBook, n: int, now: datetime) -> dict[str, int]:
    rng = random.Random(3)
    kinds = {"one-off": 0, "recurring": 0, "context": 0}
    for i in range(n):
        roll = rng.random()
        if roll < 0.6:
            at = now + timedelta(minutes=rng.randint(60, 60 * 24 * 30))
            book.add_time(f"one-off {i}", Schedule(at=at), now)
            kinds["one-off"] += 1
        elif roll < 0.9:
            cron = {"day_of_week": "*", "hour": rng.randint(6, 22), "minute": rng.randint(0, 59)}
            book.add_time(f"recurring {i}", Schedule(cron=cron), now)
            kinds["recurring"] += 1
        else:
            book.add_context(f"context {i}", {"type": "battery_below", "percent": 20}, now)
            kinds["context"] += 1
    return kinds


def tick_cost(n: int) -> float:
    with tempfile.TemporaryDirectory() as home:
        settings = load_settings(home, timezone="Europe/Berlin")
        with MemoryStore.open(settings, FakeEmbedder()) as store:
            clock = FakeClock(datetime(2025, 6, 1, 12, tzinfo=UTC))
            book = ReminderBook(store.db, settings.tz())
            fill(book, n, clock.now())
            scheduler = ReminderScheduler(book, RecordingNotifier(), clock)
            costs = []
            for _ in range(300):
                clock.advance(seconds=1)
                start = time.perf_counter()
                scheduler.tick()
                costs.append((time.perf_counter() - start) * 1000)
    return statistics.median(costs)


def idle_cpu(n: int, seconds: float) -> tuple[float, dict[str, int]]:
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "home"
        settings = load_settings(home, timezone="Europe/Berlin")
        with MemoryStore.open(settings, FakeEmbedder(64)) as store:
            kinds = fill(ReminderBook(store.db, settings.tz()), n, datetime.now(UTC))
        process = DaemonProcess(home, {"POCKETMIND_TIMEZONE": "Europe/Berlin"}).start()
        assert process.process is not None
        time.sleep(2)  # let start-up settle
        before = cpu_seconds(process.process.pid)
        time.sleep(seconds)
        used = cpu_seconds(process.process.pid) - before
        with process.client() as client:
            assert client.status()["components"]["scheduler"]["state"] == "running"
        process.stop()
    return used / seconds * 100, kinds


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=60)
    args = parser.parse_args()
    print(f"machine: {machine()}")
    print(
        f"scheduler tick (median of 300): 0 reminders {tick_cost(0):.3f} ms, "
        f"1,000 reminders {tick_cost(1000):.3f} ms"
    )
    empty, _ = idle_cpu(0, args.seconds)
    loaded, kinds = idle_cpu(1000, args.seconds)
    print(f"1,000 active reminders: {kinds}; in memory: 1 timer (the tick) and no jobs")
    print(
        f"daemon idle CPU over {args.seconds:.0f} s: {empty:.2f}% with none, "
        f"{loaded:.2f}% with 1,000 (fake engine and embedder, default sensors)"
    )


if __name__ == "__main__":
    main()
