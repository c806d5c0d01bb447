"""Each export's watermark, so the next export continues where the last one stopped.
This module owns the ``exports`` table (its part of m010 is registered here)."""

from __future__ import annotations

from datetime import UTC, datetime

from ..db import Connection, Database
from ..memory.instants import to_db
from ..schema import migration


class ExportLog:
    def __init__(self, db: Database) -> None:
        self.db = db

    def last_watermark(self) -> str | None:
        row = self.db.one("SELECT watermark FROM exports ORDER BY id DESC LIMIT 1")
        return str(row[0]) if row else None

    def record(self, watermark: str, out_dir: str) -> None:
        with self.db.transaction():
            self.db.execute(
                "INSERT INTO exports (watermark, out_dir, created_at) VALUES (?, ?, ?)",
                (watermark, out_dir, to_db(datetime.now(UTC))),
            )


@migration(10, "m010_feedback_and_exports")
def m010_exports(db: Connection) -> None:
    """m010's part in export: each export's watermark, so the next continues from it."""
    db.execute(
        "CREATE TABLE exports (id INTEGER PRIMARY KEY, watermark TEXT NOT NULL, "
        "out_dir TEXT NOT NULL, created_at TEXT NOT NULL)"
    )
