"""The memory room's migrations: memories, their full-text index and embedding space.

Registered with :mod:`pocketmind.schema` under their shipped numbers and names (m007
also has a part in sensing/places.py); never edit one that has shipped: add the next.
"""

from __future__ import annotations

from ..db import Connection
from ..schema import migration


@migration(2, "m002_memories")
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


@migration(3, "m003_fulltext")
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


@migration(4, "m004_embedding_space")
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


@migration(7, "m007_sensing")
def m007_sensing(db: Connection) -> None:
    """Places learned from location fixes, and which memories came from sensed text.

    ``memories.untrusted`` marks text written by apps and other people (notifications,
    files, SMS): it is only ever shown to the model as data, and export keeps it out of
    training targets.
    """
    db.execute("ALTER TABLE memories ADD COLUMN untrusted INTEGER NOT NULL DEFAULT 0")
