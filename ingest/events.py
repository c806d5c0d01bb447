"""The events log: everything sensed or said, as it arrived; this module owns ``events``.

Its migrations are registered here; forgetting a memory blanks the events that carried
its text (:func:`_forget`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from ..db import Connection, Database
from ..memory.instants import parse_instant, to_db
from ..memory.model import NewEvent
from ..schema import migration, on_forget, provide_event_log
from ..settings import Settings
from ..validation import InputError, clean_label, json_problem


class EventLog:
    """The events table's owner: the acknowledgement (:meth:`record`), what is still
    pending, and marking events done."""

    def __init__(self, db: Database, settings: Settings) -> None:
        self.db = db
        self.settings = settings

    def record(self, events: Sequence[NewEvent]) -> list[int]:
        """Append raw events to the log in one transaction and return their ids.

        This is the acknowledgement point of the ingest path: once it returns, the
        events survive a crash, whatever happens to the memories derived from them.
        An event whose (source, key) is already logged is not logged again; its
        existing id is returned.
        """
        now = datetime.now(UTC)
        rows = [self._event_row(event, f"event {n}", now) for n, event in enumerate(events, 1)]
        ids: list[int] = []
        with self.db.transaction():
            for row in rows:
                inserted = self.db.execute(
                    "INSERT INTO events (source, kind, occurred_at, received_at, payload, "
                    "untrusted, key) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING "
                    "RETURNING id",
                    row,
                ).fetchone()
                if inserted is None:  # a repeat of a keyed event
                    inserted = self.db.execute(
                        "SELECT id FROM events WHERE source = ? AND key = ?", (row[0], row[6])
                    ).fetchone()
                ids.append(int(inserted[0]))
        return ids

    def _event_row(self, event: NewEvent, where: str, now: datetime) -> tuple[Any, ...]:
        if not isinstance(event.payload, dict):
            raise InputError(f"{where}: payload must be an object")
        if problem := json_problem(event.payload, "payload"):
            raise InputError(f"{where}: {problem}")
        payload = json.dumps(event.payload, ensure_ascii=False)
        if event.key is not None and not (isinstance(event.key, str) and 0 < len(event.key) <= 200):
            raise InputError(f"{where}: key must be a string of 1 to 200 characters")
        if event.key is not None and (problem := json_problem(event.key, "key")):
            raise InputError(f"{where}: {problem}")
        at = parse_instant(event.at, self.settings.tz(), f"{where}: at") if event.at else now
        return (
            clean_label(event.source, "source", where),
            clean_label(event.kind, "kind", where),
            to_db(at),
            to_db(now),
            payload,
            int(event.untrusted),
            event.key,
        )

    def pending(self, after: int = 0, limit: int = 1000) -> list[Any]:
        """Logged events whose memory is not written yet, oldest first."""
        return list(
            self.db.execute(
                "SELECT * FROM events WHERE processed_at IS NULL AND id > ? ORDER BY id LIMIT ?",
                (after, limit),
            )
        )

    def mark_processed(self, event_ids: Sequence[int]) -> None:
        """Events that carry no memory (no text): done, nothing to write."""
        with self.db.transaction():
            self.db.executemany(
                "UPDATE events SET processed_at = ? WHERE id = ?",
                [(to_db(datetime.now(UTC)), event_id) for event_id in event_ids],
            )

    def backlog(self) -> tuple[int, int]:
        """(events logged, events not yet remembered)."""
        row = self.db.one("SELECT count(*), count(*) - count(processed_at) FROM events")
        return int(row[0]), int(row[1])

    def read(self, ids: Sequence[int]) -> list[Any]:
        """The events among ``ids`` whose memory is not written yet (read once per batch)."""
        marks = ",".join("?" * len(ids))
        return self.db.query(
            f"SELECT * FROM events WHERE id IN ({marks}) AND processed_at IS NULL", list(ids)
        )


class _Recorder:
    """The events log as the memory room sees it (:class:`pocketmind.schema.EventRecorder`)."""

    def log(
        self, db: Database, source: str, kind: str, at: str, now: str, payload: str, untrusted: bool
    ) -> int:
        return int(
            db.execute(
                "INSERT INTO events (source, kind, occurred_at, received_at, payload, untrusted) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (source, kind, at, now, payload, int(untrusted)),
            ).lastrowid
        )

    def link(self, db: Database, event_id: int, memory_id: int, now: str) -> None:
        db.execute(
            "UPDATE events SET memory_id = ?, processed_at = ? WHERE id = ?",
            (memory_id, now, event_id),
        )

    def counts(self, db: Database) -> dict[str, int]:
        row = db.one("SELECT count(*), count(forgotten_at) FROM events")
        return {"events": int(row[0]), "forgotten_events": int(row[1])}


provide_event_log(_Recorder())


@migration(1, "m001_events")
def m001_events(db: Connection) -> None:
    """The append-only log of everything sensed or said, as it arrived.

    ``forgotten_at`` marks an event whose memory the user forgot; its payload is
    blanked then, so the log never resurrects forgotten text.
    """
    db.execute(
        """
        CREATE TABLE events (
            id INTEGER PRIMARY KEY,
            source TEXT NOT NULL,
            kind TEXT NOT NULL,
            occurred_at TEXT NOT NULL,
            received_at TEXT NOT NULL,
            payload TEXT NOT NULL CHECK (json_valid(payload)),
            untrusted INTEGER NOT NULL DEFAULT 1,
            forgotten_at TEXT
        )
        """
    )
    db.execute("CREATE INDEX events_occurred ON events(occurred_at)")


@migration(2, "m002_memories")
def m002_event_memory(db: Connection) -> None:
    """m002's part in the events log: which memory each event fed."""
    # Which memory an event fed (its own, or the one its duplicate updated), so forgetting
    # a memory can blank every event that carried its text.
    db.execute("ALTER TABLE events ADD COLUMN memory_id INTEGER")
    db.execute("CREATE INDEX events_memory ON events(memory_id)")


@migration(6, "m006_ingest")
def m006_ingest(db: Connection) -> None:
    """The daemon's ingest path: acknowledged events are turned into memories later.

    ``processed_at`` marks an event whose memory is written (or that carries no text),
    set in the same transaction as the memory, so a crash between acknowledging and
    processing replays the event once, never twice. ``key`` is a sender's idempotency
    key: the same (source, key) sent again after a lost reply is not logged twice.
    """
    db.execute("ALTER TABLE events ADD COLUMN processed_at TEXT")
    db.execute("ALTER TABLE events ADD COLUMN key TEXT")
    db.execute("UPDATE events SET processed_at = received_at")  # earlier events were synchronous
    db.execute("CREATE UNIQUE INDEX events_source_key ON events(source, key) WHERE key IS NOT NULL")
    db.execute("CREATE INDEX events_pending ON events(id) WHERE processed_at IS NULL")


@on_forget
def _forget(db: Database, forgotten: list[tuple[int, int | None]], now: str) -> None:
    """Blank every event that carried a forgotten memory's text: the log never
    resurrects it."""
    for memory_id, event_id in forgotten:
        db.execute(
            "UPDATE events SET payload = '{}', forgotten_at = ? WHERE memory_id = ? OR id = ?",
            (now, memory_id, event_id),
        )
