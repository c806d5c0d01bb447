"""Numbered, append-only schema migrations, recorded in ``_migrations``.

Never edit a migration that has shipped: add the next one. Each runs in its own
transaction, so a crash mid-upgrade leaves the database at the previous version.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from .db import Connection, transaction

Migration = Callable[[Connection], None]
MIGRATIONS: list[Migration] = []


def migration(fn: Migration) -> Migration:
    MIGRATIONS.append(fn)
    return fn


@migration
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


@migration
def m002_memories(db: Connection) -> None:
    """Memories: what the assistant knows, each linked to the event it came from.

    ``text_hash`` is the normalized-text hash used for exact deduplication; a duplicate
    bumps ``seen_count`` and ``last_seen_at`` instead of adding a row.
    """
    db.execute(
        """
        CREATE TABLE memories (
            id INTEGER PRIMARY KEY,
            text TEXT NOT NULL,
            text_hash TEXT NOT NULL,
            kind TEXT NOT NULL,
            source TEXT NOT NULL,
            occurred_at TEXT NOT NULL,
            created_at TEXT NOT NULL,
            last_seen_at TEXT NOT NULL,
            seen_count INTEGER NOT NULL DEFAULT 1,
            importance REAL NOT NULL DEFAULT 0.5 CHECK (importance BETWEEN 0 AND 1),
            meta TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(meta)),
            event_id INTEGER REFERENCES events(id) ON DELETE SET NULL,
            superseded_by INTEGER REFERENCES memories(id) ON DELETE SET NULL
        )
        """
    )
    db.execute("CREATE INDEX memories_hash ON memories(text_hash, kind, source)")
    db.execute("CREATE INDEX memories_kind_source_time ON memories(kind, source, occurred_at)")
    db.execute("CREATE INDEX memories_occurred ON memories(occurred_at)")
    db.execute("CREATE INDEX memories_source_time ON memories(source, occurred_at)")
    db.execute("CREATE INDEX memories_event ON memories(event_id)")
    # Which memory an event fed (its own, or the one its duplicate updated), so forgetting
    # a memory can blank every event that carried its text.
    db.execute("ALTER TABLE events ADD COLUMN memory_id INTEGER")
    db.execute("CREATE INDEX events_memory ON events(memory_id)")


@migration
def m003_fulltext(db: Connection) -> None:
    """FTS5 over memory text, rowid = memory id. Porter stemming so "moved" finds "move".

    It keeps its own copy of the text (not external-content) so a delete needs no old
    value, and ``secure-delete`` so a forgotten memory's tokens leave the index at once.
    """
    db.execute(
        "CREATE VIRTUAL TABLE memories_fts USING fts5("
        "text, tokenize='porter unicode61 remove_diacritics 2')"
    )
    db.execute("INSERT INTO memories_fts(memories_fts, rank) VALUES ('secure-delete', 1)")


@migration
def m004_embedding_space(db: Connection) -> None:
    """Which embedding model filled the vector table, and its dimension.

    The vec0 table itself is created by the store once the model is known, since its
    column type carries the dimension.
    """
    db.execute(
        """
        CREATE TABLE embedding_space (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            model_id TEXT NOT NULL,
            dim INTEGER NOT NULL CHECK (dim > 0),
            recorded_at TEXT NOT NULL
        )
        """
    )


@migration
def m005_exchanges(db: Connection) -> None:
    """Every chat exchange, as the traces that personalization trains on.

    ``prompt`` holds the messages exactly as sent (the system message with the
    retrieved memories). ``exchange_memories`` links each exchange to the memories it
    used, so forgetting a memory can blank every exchange that saw it.
    """
    db.execute(
        """
        CREATE TABLE exchanges (
            id INTEGER PRIMARY KEY,
            conversation_id TEXT NOT NULL,
            created_at TEXT NOT NULL,
            user_text TEXT NOT NULL,
            answer TEXT NOT NULL,
            thinking TEXT,
            prompt TEXT NOT NULL CHECK (json_valid(prompt)),
            model_id TEXT NOT NULL,
            adapter_id TEXT,
            prompt_tokens INTEGER,
            completion_tokens INTEGER,
            ttft_ms REAL,
            decode_tps REAL,
            total_ms REAL,
            forgotten_at TEXT
        )
        """
    )
    db.execute("CREATE INDEX exchanges_conversation ON exchanges(conversation_id, id)")
    db.execute(
        """
        CREATE TABLE exchange_memories (
            exchange_id INTEGER NOT NULL REFERENCES exchanges(id) ON DELETE CASCADE,
            memory_id INTEGER NOT NULL,
            rank INTEGER NOT NULL,
            PRIMARY KEY (exchange_id, memory_id)
        )
        """
    )
    db.execute("CREATE INDEX exchange_memories_memory ON exchange_memories(memory_id)")


@migration
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


@migration
def m007_sensing(db: Connection) -> None:
    """Places learned from location fixes, and which memories came from sensed text.

    ``memories.untrusted`` marks text written by apps and other people (notifications,
    files, SMS): it is only ever shown to the model as data, and export keeps it out of
    training targets.
    """
    db.execute("ALTER TABLE memories ADD COLUMN untrusted INTEGER NOT NULL DEFAULT 0")
    db.execute(
        """
        CREATE TABLE places (
            id INTEGER PRIMARY KEY,
            name TEXT,
            latitude REAL NOT NULL,
            longitude REAL NOT NULL,
            radius_m REAL NOT NULL,
            created_at TEXT NOT NULL,
            visits INTEGER NOT NULL DEFAULT 0
        )
        """
    )


@migration
def m008_reminders(db: Connection) -> None:
    """Reminders and each time one fired.

    ``trigger`` is JSON: a time (``at``), a recurring rule (``cron``), or a context
    (arriving at or leaving a place, the battery dropping below a level, joining a
    wifi network). A firing row is written in the same transaction that moves the
    reminder on, keyed by (reminder, due time), so a reminder never fires twice for one
    due time; ``delivered_at`` stays empty while quiet hours hold the notification.
    """
    db.execute(
        """
        CREATE TABLE reminders (
            id INTEGER PRIMARY KEY,
            text TEXT NOT NULL,
            trigger TEXT NOT NULL CHECK (json_valid(trigger)),
            status TEXT NOT NULL DEFAULT 'active'
                CHECK (status IN ('active', 'done', 'cancelled')),
            next_fire_at TEXT,
            urgent INTEGER NOT NULL DEFAULT 0,
            cooldown_s REAL NOT NULL DEFAULT 1800,
            last_fired_at TEXT,
            created_at TEXT NOT NULL
        )
        """
    )
    db.execute("CREATE INDEX reminders_due ON reminders(next_fire_at) WHERE status = 'active'")
    db.execute(
        """
        CREATE TABLE reminder_firings (
            reminder_id INTEGER NOT NULL REFERENCES reminders(id) ON DELETE CASCADE,
            due_at TEXT NOT NULL,
            fired_at TEXT NOT NULL,
            late_s REAL NOT NULL,
            delivered_at TEXT,
            PRIMARY KEY (reminder_id, due_at)
        )
        """
    )
    db.execute(
        "CREATE INDEX reminder_firings_undelivered ON reminder_firings(due_at) "
        "WHERE delivered_at IS NULL"
    )


@migration
def m009_skills(db: Connection) -> None:
    """Which skills the user switched on or off, which daily runs happened, and actions
    waiting for a yes.

    ``pending_actions`` holds what the assistant proposed in a conversation (a reminder
    read from "remind me to…") until the user confirms or declines it.
    """
    db.execute(
        "CREATE TABLE skills (name TEXT PRIMARY KEY, enabled INTEGER NOT NULL, "
        "changed_at TEXT NOT NULL)"
    )
    db.execute(
        "CREATE TABLE skill_runs (name TEXT NOT NULL, day TEXT NOT NULL, ran_at TEXT NOT NULL, "
        "PRIMARY KEY (name, day))"
    )
    db.execute(
        """
        CREATE TABLE pending_actions (
            conversation_id TEXT PRIMARY KEY,
            kind TEXT NOT NULL,
            payload TEXT NOT NULL CHECK (json_valid(payload)),
            created_at TEXT NOT NULL
        )
        """
    )


@migration
def m010_feedback_and_exports(db: Connection) -> None:
    """The user's verdict on answers (the source of preference pairs), and each export's
    watermark, so the next export continues where the last one stopped."""
    db.execute(
        """
        CREATE TABLE feedback (
            exchange_id INTEGER PRIMARY KEY REFERENCES exchanges(id) ON DELETE CASCADE,
            rating TEXT NOT NULL CHECK (rating IN ('good', 'bad')),
            correction TEXT,
            created_at TEXT NOT NULL
        )
        """
    )
    db.execute(
        "CREATE TABLE exports (id INTEGER PRIMARY KEY, watermark TEXT NOT NULL, "
        "out_dir TEXT NOT NULL, created_at TEXT NOT NULL)"
    )


@migration
def m011_regenerations(db: Connection) -> None:
    """An answer asked for again: the new exchange points at the one it replaces, so a
    regenerated answer the user kept becomes a preference pair over the first one."""
    db.execute("ALTER TABLE exchanges ADD COLUMN regenerates INTEGER")
    db.execute("CREATE INDEX exchanges_regenerates ON exchanges(regenerates)")


def _applied(db: Connection) -> set[str]:
    db.execute(
        "CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)"
    )
    return {row[0] for row in db.execute("SELECT name FROM _migrations")}


def migrate(db: Connection, upto: int | None = None) -> list[str]:
    """Apply pending migrations (the first ``upto`` only, for tests); return their names."""
    done = _applied(db)
    ran = []
    for fn in MIGRATIONS[:upto]:
        if fn.__name__ in done:
            continue
        with transaction(db):
            fn(db)
            db.execute(
                "INSERT INTO _migrations (name, applied_at) VALUES (?, ?)",
                (fn.__name__, datetime.now(UTC).isoformat()),
            )
        ran.append(fn.__name__)
    return ran
