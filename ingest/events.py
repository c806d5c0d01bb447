"""The events log: everything sensed or said, as it arrived; this module owns ``events``.

Its migrations are registered here; forgetting a memory blanks the events that carried
its text (:func:`_forget`).
"""

from __future__ import annotations

from ..db import Connection, Database
from ..schema import migration, on_forget


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
