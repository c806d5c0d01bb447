"""The clock seam: everything that runs for long asks one ``Clock`` for the time, so
tests can run days in seconds with a ``FakeClock`` instead of patching ``time``.

``now()`` is the wall-clock instant (timezone-aware, UTC) for what is stored and shown;
``monotonic()`` is for intervals and deadlines, which a wall-clock jump must not move.
Pure helpers that parse or compute from a moment take a ``now`` argument instead.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware."""
        ...

    def time(self) -> float:
        """The current instant as seconds since the epoch (``time.time()``)."""
        ...

    def monotonic(self) -> float:
        """Seconds on a clock that never goes back, for intervals only."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)

    def time(self) -> float:
        return time.time()

    def monotonic(self) -> float:
        return time.monotonic()


class FakeClock:
    """A clock that only moves when told to; its monotonic reading moves with it."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = (start or datetime(2025, 1, 1, tzinfo=UTC)).astimezone(UTC)
        self._origin = self._now

    def now(self) -> datetime:
        return self._now

    def time(self) -> float:
        return self._now.timestamp()

    def monotonic(self) -> float:
        return (self._now - self._origin).total_seconds()

    def advance(self, **delta: float) -> datetime:
        self._now += timedelta(**delta)
        return self._now

    def set(self, moment: datetime) -> None:
        self._now = moment.astimezone(UTC)


SYSTEM_CLOCK = SystemClock()
