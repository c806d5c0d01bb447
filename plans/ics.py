"""The user's calendar files: busy times from ``.ics`` exports, recurrences expanded.

A phone's calendar app can export or sync iCalendar files into a folder; PocketMind
reads them with the maintained libraries (``icalendar``, and ``recurring-ical-events`` to
expand RRULE/RDATE/EXDATE series) and turns every event into a :class:`BusyEvent` in the
user's zone. Events marked free (``TRANSP:TRANSPARENT``) or cancelled do not make anyone
busy; an all-day event makes the whole day busy. Event titles are other people's text as
much as the user's: they are data for the planner, never instructions.

Parsing is the slow part (a 2 MB export: seconds on a phone), and the planner asks for
busy times on every plan. :class:`ParsedCalendars` keeps each file's parsed calendar,
recurrences indexed, under the file's (path, mtime_ns, size): an unchanged file is
parsed once, a rewritten, added or removed one is seen on the next plan, no restart.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from pathlib import Path
from typing import Any

import icalendar
import recurring_ical_events

Stamp = tuple[int, int]  # (mtime_ns, size): a file changed since, if either differs


class CalendarFileError(ValueError):
    """An ``.ics`` file that cannot be read, named with the reason."""


@dataclass(frozen=True, order=True)
class BusyEvent:
    start: datetime
    end: datetime
    title: str
    source: str  # the file it came from

    @property
    def all_day(self) -> bool:
        return self.start.time() == time(0) and (self.end - self.start) % timedelta(days=1) == (
            timedelta(0)
        )


def calendar_files(paths: Iterable[Path]) -> list[Path]:
    """``.ics`` files among ``paths``, folders searched one level deep, sorted."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(p for p in path.iterdir() if p.suffix.lower() == ".ics")
        elif path.suffix.lower() == ".ics":
            found.append(path)
    return found


class ParsedCalendars:
    """Parsed files (or the error each gave), kept while the file is unchanged: at most
    ``limit`` files, the least recently read dropped first."""

    def __init__(self, limit: int = 32) -> None:
        self.limit = limit
        self.parses = 0  # files parsed (not served from the cache), for tests and doctor
        self._held: dict[Path, tuple[Stamp, Any]] = {}
        self._lock = threading.Lock()

    def query(self, path: Path) -> Any:
        """The recurrence query over ``path``'s calendar, parsed again only if changed."""
        try:
            info = path.stat()
        except OSError as exc:
            raise CalendarFileError(f"{path}: {exc.strerror or exc}") from exc
        stamp, key = (info.st_mtime_ns, info.st_size), path.absolute()
        with self._lock:
            held = self._held.pop(key, None)
            if held is not None and held[0] == stamp:
                self._held[key] = held  # the most recently read, last
                return _raise_or(held[1])
        parsed: Any
        try:
            parsed = _parse(path)
        except CalendarFileError as exc:
            parsed = exc
        with self._lock:
            self.parses += 1
            self._held[key] = (stamp, parsed)
            while len(self._held) > self.limit:
                self._held.pop(next(iter(self._held)))
        return _raise_or(parsed)


def _raise_or(parsed: Any) -> Any:
    if isinstance(parsed, CalendarFileError):
        raise parsed
    return parsed


def _parse(path: Path) -> Any:
    try:
        return recurring_ical_events.of(icalendar.Calendar.from_ical(path.read_bytes()))
    except (ValueError, KeyError, IndexError, TypeError) as exc:
        raise CalendarFileError(f"{path}: not a readable iCalendar file ({exc})") from exc
    except OSError as exc:
        raise CalendarFileError(f"{path}: {exc.strerror or exc}") from exc


def read_busy(
    paths: Iterable[Path],
    start: datetime,
    end: datetime,
    zone: tzinfo,
    parsed: ParsedCalendars | None = None,
) -> list[BusyEvent]:
    """Every busy event overlapping ``[start, end)`` in the files, in ``zone``, sorted;
    each file parsed anew unless ``parsed`` holds it unchanged."""
    parsed = parsed or ParsedCalendars()
    events: list[BusyEvent] = []
    for path in calendar_files(paths):
        events += _read_file(path, start, end, zone, parsed)
    return sorted(events)


def _read_file(
    path: Path, start: datetime, end: datetime, zone: tzinfo, parsed: ParsedCalendars
) -> list[BusyEvent]:
    query = parsed.query(path)
    try:
        occurrences = query.between(start, end)
    except (ValueError, KeyError, IndexError, TypeError) as exc:
        raise CalendarFileError(f"{path}: not a readable iCalendar file ({exc})") from exc
    found = []
    for event in occurrences:
        if str(event.get("TRANSP", "OPAQUE")).upper() == "TRANSPARENT":
            continue
        if str(event.get("STATUS", "")).upper() == "CANCELLED":
            continue
        begins = _instant(event.get("DTSTART").dt, zone)
        if event.get("DTEND") is not None:
            ends = _instant(event.get("DTEND").dt, zone)
        elif event.get("DURATION") is not None:
            ends = begins + event.get("DURATION").dt
        else:  # RFC 5545: a date lasts one day, a date-time no time at all
            one_day = _is_date(event.get("DTSTART").dt)
            ends = begins + (timedelta(days=1) if one_day else timedelta(0))
        title = str(event.get("SUMMARY", "")).strip() or "busy"
        found.append(BusyEvent(begins, max(begins, ends), title, path.name))
    return found


def _is_date(value: date | datetime) -> bool:
    return isinstance(value, date) and not isinstance(value, datetime)


def _instant(value: date | datetime, zone: tzinfo) -> datetime:
    """A DTSTART/DTEND value in ``zone``: dates are local midnights, floating times local."""
    if _is_date(value):
        return datetime.combine(value, time(0), tzinfo=zone)
    assert isinstance(value, datetime)
    if value.tzinfo is None:
        return value.replace(tzinfo=zone)
    return value.astimezone(zone)
