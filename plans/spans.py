"""Interval arithmetic on whole minutes: the ground the solvers stand on.

A :class:`Span` is half-open, ``[start, end)``, in minutes from an origin the caller
chooses (midnight of the first day for a calendar, so Tuesday 09:30 is 1440 + 570).
Half-open spans make back-to-back events touch without overlapping: a meeting may start
the minute the previous one ends.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

DAY = 24 * 60


@dataclass(frozen=True, order=True)
class Span:
    start: int
    end: int

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(f"a span ends before it starts: {self.start} > {self.end}")

    @property
    def minutes(self) -> int:
        return self.end - self.start

    def overlaps(self, other: Span) -> bool:
        return self.start < other.end and other.start < self.end

    def contains(self, other: Span) -> bool:
        return self.start <= other.start and other.end <= self.end

    def shifted(self, minutes: int) -> Span:
        return Span(self.start + minutes, self.end + minutes)


def merge(spans: Iterable[Span]) -> list[Span]:
    """The union of ``spans`` as sorted, disjoint spans (touching ones joined)."""
    merged: list[Span] = []
    for span in sorted(s for s in spans if s.minutes > 0):
        if merged and span.start <= merged[-1].end:
            last = merged[-1]
            merged[-1] = Span(last.start, max(last.end, span.end))
        else:
            merged.append(span)
    return merged


def subtract(window: Span, busy: Iterable[Span]) -> list[Span]:
    """What is left of ``window`` once every busy span is taken out, in order."""
    free: list[Span] = []
    cursor = window.start
    for span in merge(busy):
        if span.end <= cursor or span.start >= window.end:
            continue
        if span.start > cursor:
            free.append(Span(cursor, span.start))
        cursor = max(cursor, span.end)
    if cursor < window.end:
        free.append(Span(cursor, window.end))
    return free


def free_slots(windows: Iterable[Span], busy: Iterable[Span], minutes: int) -> list[Span]:
    """Every free stretch of at least ``minutes`` inside ``windows``, in order."""
    taken = merge(busy)
    return [
        gap
        for window in sorted(windows)
        for gap in subtract(window, taken)
        if gap.minutes >= minutes
    ]


def clock(minute: int) -> str:
    """``570`` → ``"09:30"`` (the minute of the day, whatever the day)."""
    of_day = minute % DAY
    return f"{of_day // 60:02d}:{of_day % 60:02d}"
