"""A spinner on stderr while something slow loads (a model, the daemon).

On a terminal it redraws one line; elsewhere (a pipe, a log, a test) it prints each
new message once, so a script still sees what the wait was for. stdout stays clean
for the answer or the JSON.
"""

from __future__ import annotations

import sys
import threading
import time
from types import TracebackType
from typing import TextIO

FRAMES = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"


class Spinner:
    def __init__(self, message: str, stream: TextIO | None = None, interval: float = 0.1):
        self.message = message
        self.stream = stream or sys.stderr
        self.interval = interval
        self.live = self.stream.isatty()
        self._said = ""
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.started = time.monotonic()

    def __enter__(self) -> Spinner:
        if self.live:
            self._thread = threading.Thread(target=self._spin, name="spinner", daemon=True)
            self._thread.start()
        else:
            self._say()
        return self

    def update(self, message: str) -> None:
        """Show a new message (a new phase of the wait)."""
        self.message = message
        if not self.live:
            self._say()

    def _say(self) -> None:
        if self.message != self._said:
            self._said = self.message
            print(f"{self.message}…", file=self.stream, flush=True)

    def _spin(self) -> None:
        frame = 0
        while not self._stop.wait(self.interval):
            elapsed = time.monotonic() - self.started
            line = f"\r{FRAMES[frame % len(FRAMES)]} {self.message}… {elapsed:.0f} s"
            self.stream.write(line + "\x1b[K")
            self.stream.flush()
            frame += 1

    def stop(self) -> None:
        """Stop and clear the line (idempotent): before the first token is printed."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
            self.stream.write("\r\x1b[K")
            self.stream.flush()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
