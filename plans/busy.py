"""Where busy times come from: calendar files, reminders, and what people said.

Each source answers one question, ``busy(start, end)``, in the user's zone. The planner
asks all of them every time it solves, so a replan sees an event added since. Other
people's messages ("Jonas: I'm free after 6 except Wednesday") become busy stretches for
them, read by a grammar; they are data for the solver and never instructions.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime, time, timedelta, tzinfo
from pathlib import Path
from typing import Protocol

from .extract import WEEKDAYS, clock_time
from .ics import ParsedCalendars, read_busy
from .model import Busy
from .read import ranges


class BusySource(Protocol):
    def busy(self, start: datetime, end: datetime) -> list[Busy]: ...


class FixedBusy:
    """Busy times handed in (tests, the API's "a new busy slot")."""

    def __init__(self, items: Iterable[Busy] = ()) -> None:
        self.items = list(items)

    def busy(self, start: datetime, end: datetime) -> list[Busy]:
        return [b for b in self.items if b.start < end and start < b.end]


class CalendarFiles:
    """The user's ``.ics`` files and folders (recurring events expanded)."""

    def __init__(
        self, paths: Sequence[Path], zone: tzinfo, parsed: ParsedCalendars | None = None
    ) -> None:
        self.paths, self.zone = list(paths), zone
        self.parsed = parsed or ParsedCalendars()  # kept as long as the planner (the daemon's)

    def busy(self, start: datetime, end: datetime) -> list[Busy]:
        """Read fresh each time (the folder listed again, each file's stamp checked);
        an unchanged file is not parsed again (:class:`ParsedCalendars`)."""
        return [
            Busy(start=e.start, end=e.end, title=e.title, source=e.source)
            for e in read_busy(self.paths, start, end, self.zone, self.parsed)
        ]


class ReminderTimes:
    """Each reminder due in the window holds ``minutes`` around it: a reminder is
    something the user means to do then."""

    def __init__(self, due: Callable[[], Iterable[tuple[datetime, str]]], minutes: int) -> None:
        self.due, self.minutes = due, minutes

    def busy(self, start: datetime, end: datetime) -> list[Busy]:
        length = timedelta(minutes=self.minutes)
        return [
            Busy(start=at, end=at + length, title=text, source="reminder")
            for at, text in self.due()
            if start <= at < end
        ]


# "Jonas: I'm free after 18:00 except Wednesday", "Maya: busy Tuesday 14:00-16:00"
FREE = re.compile(r"free\s+(after|from|before|until)\s+(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm)?")
SAYS = re.compile(r"^\s*([A-Z][a-z]+)\s*:\s*(.+)$")


def availability(
    name: str, said: str, days: Sequence[date], window: tuple[time, time], zone: tzinfo
) -> list[Busy]:
    """What ``name``'s own words make them busy for, over ``days``."""
    text = said.lower()
    found: list[Busy] = []

    def block(day: date, a: time, b: time, why: str) -> None:
        if a < b:
            start = datetime.combine(day, a, tzinfo=zone)
            found.append(Busy(who=name, start=start, end=datetime.combine(day, b, tzinfo=zone),
                              title=why, source=f"{name}'s message"))  # fmt: skip

    named = [d for d in days if WEEKDAYS[d.weekday()] in text]
    if re.search(r"\b(?:busy|away|can't|cannot|not free)\b", text) and "except" not in text:
        spans = ranges(said)
        for day in named or list(days):
            if spans:
                for span in spans:
                    block(day, _at(span.start), _at(span.end), said.strip())
            elif named:
                block(day, time(0), time(23, 59), said.strip())
        return found
    free = FREE.search(text)
    except_days = [d for d in days if re.search(rf"except[^.]*\b{WEEKDAYS[d.weekday()]}", text)]
    for day in days:
        if day in except_days:
            block(day, time(0), time(23, 59), said.strip())
        elif free:
            at = clock_time(free.group(2), free.group(3), free.group(4), None)
            if free.group(1) in ("after", "from"):
                block(day, time(0), at, said.strip())
            else:
                block(day, at, time(23, 59), said.strip())
    return found


def _at(minute: int) -> time:
    return time(min(minute, 23 * 60 + 59) // 60, min(minute, 23 * 60 + 59) % 60)


class PeopleSaid:
    """Busy times read from what participants said (their messages in memory)."""

    def __init__(self, notes: Callable[[str], Iterable[str]], zone: tzinfo) -> None:
        self.notes, self.zone = notes, zone

    def about(
        self, names: Sequence[str], days: Sequence[date], window: tuple[time, time]
    ) -> list[Busy]:
        found: list[Busy] = []
        for name in names:
            for note in self.notes(name):
                said = SAYS.match(note)
                if said and said.group(1) == name:
                    found += availability(name, said.group(2), days, window, self.zone)
        return found
