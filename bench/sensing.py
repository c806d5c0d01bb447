"""A simulated day of phone activity, sensed through the real daemon.

Fake termux-* executables play back a scripted day, one reading per call: a
notification snapshot a minute (apps posting, updating and clearing notifications),
a location fix every 5 minutes (home, commute, office, lunch, gym, home), a battery
reading every 2 minutes (drain, charge). The daemon polls them as fast as it can (each
poll is one simulated step). Reported: raw readings against events stored (the
coalescing ratio), the daemon's own CPU seconds per simulated hour, and whether every
scripted notification and arrival arrived exactly once.

    python bench/sensing.py
"""

from __future__ import annotations

import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from daemon_helpers import DaemonProcess

from memory import machine
from pocketmind.db import connect

MINUTES = 24 * 60
PLAY = """#!/bin/sh
d='{dir}'
n=$(cat "$d/count" 2>/dev/null || echo 0)
if [ -f "$d/$n.json" ]; then echo $((n + 1)) > "$d/count"; cat "$d/$n.json"
else echo "$n" > "$d/done"; cat "$d/last.json"; fi
"""
APPS = [
    ("com.whatsapp", ["Alice", "Bob", "Family"]),
    ("com.google.android.gm", ["Bank", "Riverside Dental", "Newsletter"]),
    ("com.slack", ["#team", "#random"]),
    ("com.spotify.music", ["Now playing"]),
    ("com.android.systemui", ["USB debugging"]),
]
PLACES = {
    "home": (52.5200, 13.4050),
    "office": (52.5070, 13.3900),
    "lunch": (52.5090, 13.3760),
    "gym": (52.4980, 13.4180),
}
SCHEDULE = [
    (0, "home"),
    (8 * 60, None),
    (8 * 60 + 40, "office"),
    (12 * 60, "lunch"),
    (13 * 60, "office"),
    (18 * 60, None),
    (18 * 60 + 20, "gym"),
    (19 * 60 + 30, None),
    (20 * 60, "home"),
]


def where(minute: int) -> tuple[float, float]:
    rng = random.Random(minute)
    current = None
    for start, place in SCHEDULE:
        if minute >= start:
            current = place
    if current is None:  # travelling: somewhere new every fix
        return 52.45 + rng.random() * 0.1, 13.30 + rng.random() * 0.15
    lat, lon = PLACES[current]
    return lat + rng.uniform(-3e-4, 3e-4), lon + rng.uniform(-3e-4, 3e-4)


def script_day(root: Path) -> dict[str, Any]:
    rng = random.Random(7)
    plays = {"termux-notification-list": [], "termux-location": [], "termux-battery-status": []}
    shown: dict[str, dict[str, Any]] = {}
    posted = 0
    for minute in range(MINUTES):
        for key in [k for k in shown if rng.random() < 0.05]:  # cleared
            del shown[key]
        if 7 * 60 <= minute <= 23 * 60 and rng.random() < 0.12:  # a new one
            package, titles = rng.choice(APPS)
            key = f"0|{package}|{minute}"
            shown[key] = {
                "id": minute,
                "key": key,
                "packageName": package,
                "title": rng.choice(titles),
                "content": f"message {minute}",
                "when": f"2025-01-02 {minute // 60:02d}:{minute % 60:02d}:00",
            }
            posted += package != "com.android.systemui"
        plays["termux-notification-list"].append(list(shown.values()))
        if minute % 5 == 0:
            lat, lon = where(minute)
            plays["termux-location"].append(
                {"latitude": lat, "longitude": lon, "accuracy": 20.0, "provider": "network"}
            )
        if minute % 2 == 0:
            level = max(5, 100 - minute // 12) if minute < 20 * 60 else min(100, 40 + minute % 60)
            plugged = "PLUGGED_AC" if minute >= 20 * 60 else "UNPLUGGED"
            plays["termux-battery-status"].append(
                {
                    "percentage": level,
                    "plugged": plugged,
                    "status": "CHARGING" if plugged != "UNPLUGGED" else "DISCHARGING",
                }
            )
    for name, outputs in plays.items():
        folder = root / name
        folder.mkdir(parents=True)
        for i, output in enumerate(outputs):
            (folder / f"{i}.json").write_text(json.dumps(output))
        (folder / "last.json").write_text(json.dumps(outputs[-1]))
        script = root / "bin" / name
        script.parent.mkdir(exist_ok=True)
        script.write_text(PLAY.format(dir=folder))
        script.chmod(0o755)
    return {
        "readings": sum(len(v) for v in plays.values()),
        "posted": posted,
        "plays": {k: len(v) for k, v in plays.items()},
    }


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    print(f"machine: {machine()}")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        day = script_day(root)
        env = {
            "PATH": f"{root / 'bin'}{os.pathsep}{os.environ['PATH']}",
            "POCKETMIND_EMBEDDER__BACKEND": "sentence-transformers",
            "POCKETMIND_SENSING__SENSORS": '["battery", "location", "notifications"]',
            "POCKETMIND_SENSING__NOTIFICATIONS_INTERVAL_S": "0.01",
            # one notification snapshot a simulated minute: fixes every 5, battery every 2
            "POCKETMIND_SENSING__LOCATION_INTERVAL_S": "0.05",
            "POCKETMIND_SENSING__BATTERY_INTERVAL_S": "0.02",
            "POCKETMIND_SENSING__PLACE_MIN_DWELL_S": "0.3",
            "POCKETMIND_SENSING__LOW_BATTERY_FACTOR": "1",
        }
        process = DaemonProcess(root / "home", env).start()
        assert process.process is not None
        pid = process.process.pid
        cpu0, t0 = cpu_seconds(pid), time.perf_counter()
        while not all((root / name / "done").exists() for name in day["plays"]):
            time.sleep(0.2)
        with process.client() as client:
            while client.status()["queue_depth"]:
                time.sleep(0.1)
        cpu, wall = cpu_seconds(pid) - cpu0, time.perf_counter() - t0
        status = process.client().status()
        process.stop()
        db = connect(process.settings.db_path)
        by_kind = dict(db.execute("SELECT kind, count(*) FROM events GROUP BY kind").fetchall())
        notes = db.execute(
            "SELECT count(DISTINCT key) FROM events WHERE kind = 'notification'"
        ).fetchone()[0]
        places = db.execute(
            "SELECT text FROM memories WHERE kind = 'place' ORDER BY occurred_at"
        ).fetchall()
        pending = db.execute("SELECT count(*) FROM events WHERE processed_at IS NULL").fetchone()
        db.close()
    events = sum(by_kind.values())
    print(
        f"a simulated day: {day['readings']} raw readings "
        f"({', '.join(f'{k} {v}' for k, v in day['plays'].items())})"
    )
    print(f"  events stored                 {events} ({by_kind})")
    print(f"  coalescing ratio              {events / day['readings']:.3f} events per reading")
    print(
        f"  notifications: posted {day['posted']} (system ones denied), "
        f"stored {notes}, each once: {notes == by_kind.get('notification', 0)}"
    )
    print(
        f"  place events                  {len(places)}: "
        + "; ".join(r[0] for r in places[:6])
        + (" …" if len(places) > 6 else "")
    )
    print(
        f"  daemon CPU                    {cpu:.1f} s for the day ({cpu / 24:.2f} s per "
        f"simulated hour), {wall:.0f} s wall"
    )
    print(
        f"  left unprocessed              {pending[0]}; sensors: "
        + ", ".join(f"{k} {v['state']}" for k, v in status["sensors"].items())
    )


if __name__ == "__main__":
    main()
