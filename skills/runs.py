"""Skill runs: which skills the user switched on or off, which daily runs happened, and
actions waiting for a yes. This module owns the ``skills``, ``skill_runs`` and
``pending_actions`` tables (their migration is registered here)."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from ..db import Connection, Database
from ..memory.instants import to_db
from ..schema import migration


class SkillRuns:
    """The one way to read or write the skill tables."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def switch(self, name: str) -> bool | None:
        """Whether the user turned ``name`` on (True) or off (False); None if never."""
        row = self.db.one("SELECT enabled FROM skills WHERE name = ?", (name,))
        return bool(row[0]) if row else None

    def set_switch(self, name: str, enabled: bool, now: datetime) -> None:
        with self.db.transaction():
            self.db.execute(
                "INSERT INTO skills (name, enabled, changed_at) VALUES (?, ?, ?) "
                "ON CONFLICT(name) DO UPDATE SET enabled = excluded.enabled, "
                "changed_at = excluded.changed_at",
                (name, int(enabled), to_db(now)),
            )

    def claim(self, name: str, day: date, now: datetime) -> bool:
        """Record that ``name`` runs for ``day``; False if it already did (restarts too)."""
        with self.db.transaction():
            return bool(
                self.db.execute(
                    "INSERT OR IGNORE INTO skill_runs (name, day, ran_at) VALUES (?, ?, ?)",
                    (name, day.isoformat(), to_db(now)),
                ).rowcount
            )

    def propose(
        self, conversation_id: str, kind: str, payload: dict[str, Any], now: datetime
    ) -> None:
        """An action waiting for the user's yes in a conversation (replacing any earlier)."""
        with self.db.transaction():
            self.db.execute(
                "INSERT OR REPLACE INTO pending_actions (conversation_id, kind, payload, "
                "created_at) VALUES (?, ?, ?, ?)",
                (conversation_id, kind, json.dumps(payload), to_db(now)),
            )

    def pending(self, conversation_id: str) -> dict[str, Any] | None:
        row = self.db.one(
            "SELECT payload FROM pending_actions WHERE conversation_id = ?", (conversation_id,)
        )
        return json.loads(row[0]) if row else None

    def clear(self, conversation_id: str) -> None:
        with self.db.transaction():
            self.db.execute(
                "DELETE FROM pending_actions WHERE conversation_id = ?", (conversation_id,)
            )


@migration(9, "m009_skills")
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
