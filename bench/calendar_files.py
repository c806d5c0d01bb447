"""A plan's busy times from a big calendar export, side by side in one run: the file
parsed on every plan (what the planner did before the cache, and still does the first
time or after a change) and the parsed calendar kept under (path, mtime_ns, size).

The export is generated: ~N MB of one-hour events every 7 hours over years, every 50th
weekly for 20 weeks (the shape of a phone's calendar app export). Each figure is the
time for the busy events of one 7-day window, the median of ``--repeat`` runs.

    python bench/calendar_files.py [--mb 2] [--repeat 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent))

from memory import machine
from pocketmind.plans.ics import ParsedCalendars, read_busy

ZONE = ZoneInfo("Europe/Berlin")


def export(path: Path, megabytes: float) -> int:
    """Write a calendar of about ``megabytes``; returns its event count."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//bench//EN"]
    start, i, size = datetime(2022, 1, 1, 9, 0), 0, 0
    while size < megabytes * 2**20:
        at = start + timedelta(hours=7 * i)
        end = at + timedelta(hours=1)
        event = ["BEGIN:VEVENT", f"UID:e{i}@bench",
                 f"DTSTART;TZID=Europe/Berlin:{at:%Y%m%dT%H%M%S}",
                 f"DTEND;TZID=Europe/Berlin:{end:%Y%m%dT%H%M%S}",
                 f"SUMMARY:Event {i} with a title of a few words",
                 "DESCRIPTION:Notes that came with the invitation\\, a line or so.",
                 *(["RRULE:FREQ=WEEKLY;COUNT=20"] if i % 50 == 0 else []),
                 "END:VEVENT"]  # fmt: skip
        lines += event
        size += sum(len(line) + 2 for line in event)
        i += 1
    lines.append("END:VCALENDAR")
    path.write_bytes("\r\n".join(lines).encode())
    return i


def timed(run: Callable[[], int], repeat: int) -> tuple[float, int]:
    times, found = [], 0
    for _ in range(repeat):
        started = time.perf_counter()
        found = run()
        times.append(time.perf_counter() - started)
    return statistics.median(times), found


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=float, default=2.0, help="size of the generated export")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(machine())
    folder = Path(tempfile.mkdtemp(prefix="pocketmind-ics-"))
    path = folder / "export.ics"
    events = export(path, args.mb)
    week = datetime(2026, 11, 23, tzinfo=ZONE)

    def window(parsed: ParsedCalendars) -> int:
        return len(read_busy([path], week, week + timedelta(days=7), ZONE, parsed))

    kept = ParsedCalendars()
    window(kept)  # the first plan parses it
    rows = {
        "parsed on every plan (before; still the first plan, or after a change)":
            timed(lambda: window(ParsedCalendars()), args.repeat),
        "kept while unchanged (path, mtime_ns, size)": timed(lambda: window(kept), args.repeat),
    }  # fmt: skip
    size = path.stat().st_size / 2**20
    print(f"\nexport: {size:.1f} MiB, {events} events; busy times for one 7-day window\n")
    print("| calendar file read | s per plan (median) | busy events found |")
    print("|---|---|---|")
    for name, (seconds, found) in rows.items():
        print(f"| {name} | {seconds:.3f} | {found} |")
    print(f"\nfiles parsed by the kept cache: {kept.parses} (one, for {args.repeat + 1} plans)")


if __name__ == "__main__":
    main()
