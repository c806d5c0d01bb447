"""The ingest stage: acknowledge on commit, remember in batches off the request path.

``submit`` commits events to the log and returns their ids: that is the
acknowledgement, and from then on a crash cannot lose them. A worker thread then turns
their text into memories in batches (embedding is the slow part). The queue is
bounded: past ``capacity`` pending events ``submit`` refuses with ``Backpressure``,
so a flood costs the sender a retry, not the phone its memory. On start, events that
were acknowledged but not yet processed (the daemon died) are queued again.

A batch that fails for want of storage (a full disk, a database locked too long) is
not dropped: it waits and is tried again, a second later and then less often (up to
``retry_max_s``), or within a second of a new batch being acknowledged (space came back).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from typing import Any

from ..db import StorageError, sqlite_module
from ..memory import MemoryStore, NewEvent, NewMemory
from ..memory.writing import Prepared
from .events import EventLog

log = logging.getLogger(__name__)


class Backpressure(RuntimeError):
    """The ingest queue is full; retry later."""


class Ingestor:
    def __init__(
        self,
        store: MemoryStore,
        events: EventLog,
        *,
        capacity: int = 10_000,
        batch: int = 256,
        linger_s: float = 0.05,
        retry_max_s: float = 30.0,
    ) -> None:
        self.store = store
        self.events = events  # on the same Database as the store: one write per batch
        self.capacity = capacity
        self.batch = batch
        self.linger_s = linger_s
        self.retry_max_s = retry_max_s
        self._queue: deque[int] = deque()
        self._retry: deque[int] = deque()  # failed for want of storage: tried again later
        self._retry_at = 0.0
        self._backoff = 0.0
        self.last_error: str | None = None
        self._transient = (StorageError, sqlite_module().OperationalError)
        self._cond = threading.Condition()
        self._stopping = False
        self._thread: threading.Thread | None = None
        self.processed = 0
        self.failed = 0
        # Called with each processed batch's event rows (context reminders listen here).
        self.listeners: list[Callable[[list[Any]], Any]] = []

    @property
    def depth(self) -> int:
        """Events acknowledged and not yet remembered: queued, or waiting for a retry."""
        with self._cond:  # not half way through moving a retry back into the queue
            return len(self._queue) + len(self._retry)

    @property
    def retrying(self) -> int:
        return len(self._retry)

    def start(self) -> None:
        self._recover()
        self._thread = threading.Thread(target=self._run, name="ingest", daemon=True)
        self._thread.start()

    def _recover(self) -> None:
        last = 0
        while rows := self.events.pending(after=last):
            self._queue.extend(row["id"] for row in rows)
            last = rows[-1]["id"]
        if self._queue:
            log.info("replaying %d acknowledged events not yet remembered", len(self._queue))

    def submit(self, events: Sequence[NewEvent]) -> list[int]:
        """Log ``events`` (committed when this returns) and queue them for memory."""
        with self._cond:
            if self._stopping:
                raise Backpressure("the daemon is shutting down")
            if self.depth + len(events) > self.capacity:
                raise Backpressure(f"ingest queue full ({self.depth} pending of {self.capacity})")
        ids: list[int] = self.events.record(events)
        with self._cond:
            self._queue.extend(ids)
            # That commit found space: what waits for a retry may find some too, soon.
            self._retry_at = min(self._retry_at, time.monotonic() + 1.0)
            self._cond.notify()
        return ids

    def stop(self, flush: bool = True) -> None:
        """Stop taking events; with ``flush``, remember everything queued first."""
        with self._cond:
            self._stopping = True
            if not flush:
                self._queue.clear()
            self._retry.clear()  # still pending in the log: replayed on the next start
            self._cond.notify()
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def _take(self) -> list[int] | None:
        with self._cond:
            while True:
                if self._retry and not self._stopping and time.monotonic() >= self._retry_at:
                    self._queue.extendleft(reversed(self._retry))  # oldest first
                    self._retry.clear()
                if self._queue or self._stopping:
                    break
                self._cond.wait(
                    max(0.0, self._retry_at - time.monotonic()) if self._retry else None
                )
            if not self._queue:
                return None  # stopping and drained
            if len(self._queue) < self.batch and not self._stopping:
                self._cond.wait(self.linger_s)  # let a burst gather into one batch
            return [self._queue.popleft() for _ in range(min(self.batch, len(self._queue)))]

    def _run(self) -> None:
        while (ids := self._take()) is not None:
            try:
                self._process(ids)
            except self._transient as exc:  # no space (yet): keep them, try again later
                self._later(ids, exc)
            except Exception:  # keep the worker alive; the events stay pending for replay
                self.failed += len(ids)
                log.exception("ingest batch of %d events failed; they stay pending", len(ids))
            else:
                self._backoff = 0.0
                self.last_error = None

    def _later(self, ids: list[int], exc: Exception) -> None:
        self._backoff = min(self.retry_max_s, max(1.0, self._backoff * 2))
        self.last_error = str(exc)
        log.warning(
            "%d events not remembered yet (%s); trying again in %.0f s",
            len(ids),
            exc,
            self._backoff,
        )
        with self._cond:
            self._retry.extend(ids)
            self._retry_at = time.monotonic() + self._backoff

    def _process(self, ids: list[int]) -> None:
        """Each event read once (one query for the batch) and checked once (``prepare``);
        the batch is written in one transaction: memories, links, and events with no text."""
        rows = self.events.read(ids)
        carried = [(row, _as_memory(row)) for row in rows]
        with_text = [(row, item) for row, item in carried if item is not None]
        empty = [row["id"] for row, item in carried if item is None]
        checked = self.store.prepare(
            [item for _, item in with_text], [f"event {row['id']}" for row, _ in with_text]
        )
        ready: list[Prepared] = []
        for (row, _), result in zip(with_text, checked, strict=True):
            if isinstance(result, Prepared):
                ready.append(result)
            else:
                log.warning("event %d not remembered: %s", row["id"], result)
                empty.append(row["id"])
        # One transaction for the batch: its memories, their links to the events, and the
        # events that carried nothing to remember marked done.
        mark_empty = (lambda: self.events.mark_processed(empty)) if empty else None
        if ready:
            self.store.remember_prepared(ready, alongside=mark_empty)
        elif mark_empty is not None:
            mark_empty()
        self.processed += len(rows)
        for listener in self.listeners:
            try:
                listener(rows)
            except Exception:
                log.exception("an ingest listener failed")


def _as_memory(row: Any) -> NewMemory | None:
    """The memory an event carries: its payload's ``text``, everything else as meta."""
    import json

    payload = json.loads(row["payload"])
    text = payload.get("text") if isinstance(payload, dict) else None
    if not isinstance(text, str) or not text.strip():
        return None
    meta = {k: v for k, v in payload.items() if k not in ("text", "importance")}
    importance = payload.get("importance", 0.5)
    return NewMemory(
        text=text,
        kind=row["kind"],
        source=row["source"],
        at=row["occurred_at"],
        meta=meta,
        importance=importance if isinstance(importance, int | float) else 0.5,
        untrusted=bool(row["untrusted"]),
        event_id=row["id"],
    )
