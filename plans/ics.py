"""The user's calendar files: busy times from ``.ics`` exports, recurrences expanded.

A phone's calendar app can export or sync iCalendar files into a folder; PocketMind
reads them with the maintained libraries (``icalendar``, and ``recurring-ical-events`` to
expand RRULE/RDATE/EXDATE series) and turns every event into a :class:`BusyEvent` in the
user's zone. Events marked free (``TRANSP:TRANSPARENT``) or cancelled do not make anyone
busy; an all-day event makes the whole day busy. Event titles are other people's text as
much as the user's: they are data for the planner, never instructions.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from pathlib import Path

import icalendar
import recurring_ical_events


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


def read_busy(
    paths: Iterable[Path], start: datetime, end: datetime, zone: tzinfo
) -> list[BusyEvent]:
    """Every busy event overlapping ``[start, end)`` in the files, in ``zone``, sorted."""
    events: list[BusyEvent] = []
    for path in calendar_files(paths):
        events += _read_file(path, start, end, zone)
    return sorted(events)


def _read_file(path: Path, start: datetime, end: datetime, zone: tzinfo) -> list[BusyEvent]:
    try:
        calendar = icalendar.Calendar.from_ical(path.read_bytes())
        occurrences = recurring_ical_events.of(calendar).between(start, end)
    except (ValueError, KeyError, IndexError, TypeError) as exc:
        raise CalendarFileError(f"{path}: not a readable iCalendar file ({exc})") from exc
    except OSError as exc:
        raise CalendarFileError(f"{path}: {exc.strerror or exc}") from exc
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
