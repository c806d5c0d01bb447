"""When the user is free: busy times from every source, subtracted from the hours asked.

Busy times come from calendar files (:mod:`.ics`), reminders and sensed calendar
notifications; callers hand them in as ``(start, end)`` pairs in the user's zone. The
answer is computed, never generated: interval arithmetic over whole minutes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from .spans import Span, free_slots


@dataclass(frozen=True)
class FreeSlot:
    start: datetime
    end: datetime

    @property
    def minutes(self) -> int:
        return int((self.end - self.start).total_seconds() // 60)

    def describe(self) -> str:
        """``Thursday, 14:30 - 16:00`` (the user's zone)."""
        return f"{self.start:%A}, {self.start:%H:%M} - {self.end:%H:%M}"


def free_between(
    windows: Iterable[tuple[datetime, datetime]],
    busy: Iterable[tuple[datetime, datetime]],
    minutes: int = 1,
) -> list[FreeSlot]:
    """The free stretches of at least ``minutes`` inside ``windows``, in order.

    All datetimes must be aware. The arithmetic runs in UTC (Python subtracts two
    datetimes of one zone by wall clock), so a daylight-saving change inside a window
    is honoured; slots come back in the zone of the earliest window.
    """
    spans = list(windows)
    if not spans:
        return []
    first = min(start for start, _ in spans)
    zone = first.tzinfo
    origin = first.astimezone(UTC)

    def to_span(start: datetime, end: datetime) -> Span:
        begins = _minutes(start.astimezone(UTC) - origin)
        return Span(begins, max(begins, _minutes(end.astimezone(UTC) - origin)))

    free = free_slots([to_span(s, e) for s, e in spans], [to_span(s, e) for s, e in busy], minutes)
    return [
        FreeSlot(
            (origin + timedelta(minutes=gap.start)).astimezone(zone),
            (origin + timedelta(minutes=gap.end)).astimezone(zone),
        )
        for gap in free
    ]


def _minutes(delta: timedelta) -> int:
    return int(delta.total_seconds() // 60)
