"""The scheduler seam: what calls the skills' tick, and how often.

``ThreadScheduler`` is the daemon's: one thread calling ``tick`` about once a second
until stopped. ``ManualScheduler`` calls it only when a test says so, so a test moves a
``FakeClock`` and ticks by hand instead of sleeping.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Protocol

log = logging.getLogger(__name__)

Tick = Callable[[], None]


class Scheduler(Protocol):
    def start(self, tick: Tick) -> None:
        """Begin calling ``tick`` (which handles its own errors) until ``stop``."""
        ...

    def stop(self) -> None:
        """Stop calling ``tick``; a tick in progress finishes first."""
        ...


class ThreadScheduler:
    def __init__(self, interval_s: float = 1.0, join_timeout_s: float = 10.0) -> None:
        self.interval_s = interval_s
        self.join_timeout_s = join_timeout_s
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self, tick: Tick) -> None:
        self._stopping.clear()
        self._thread = threading.Thread(
            target=self._run, args=(tick,), name="scheduler", daemon=True
        )
        self._thread.start()

    def _run(self, tick: Tick) -> None:
        while True:
            tick()
            if self._stopping.wait(self.interval_s):
                return

    def stop(self) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout=self.join_timeout_s)
            self._thread = None


class ManualScheduler:
    """Ticks when told to: ``run()`` calls the tick it was started with."""

    def __init__(self) -> None:
        self.tick: Tick | None = None
        self.ticks = 0

    def start(self, tick: Tick) -> None:
        self.tick = tick

    def run(self, times: int = 1) -> None:
        if self.tick is None:
            raise RuntimeError("the scheduler was not started")
        for _ in range(times):
            self.tick()
            self.ticks += 1

    def stop(self) -> None:
        self.tick = None
