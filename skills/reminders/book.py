"""Reminders by time and by context: ``ReminderBook`` owns the reminders and their
firings. A firing is "due" until a notifier showed it or the user answered it (Done,
Snooze); ``firing.py`` fires reminders and delivers them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from typing import Any

from ...db import Connection, Database
from ...memory.instants import from_db, to_db
from ...schema import migration
from ...validation import InputError
from ..schedules import Schedule

CONTEXT_TYPES = {"arrive", "leave", "battery_below", "wifi"}


@dataclass(frozen=True)
class Reminder:
    id: int
    text: str
    trigger: dict[str, Any]
    status: str
    next_fire_at: datetime | None
    urgent: bool

    @classmethod
    def from_row(cls, row: Any) -> Reminder:
        return cls(
            row["id"],
            row["text"],
            json.loads(row["trigger"]),
            row["status"],
            from_db(row["next_fire_at"]) if row["next_fire_at"] else None,
            bool(row["urgent"]),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "text": self.text,
            "trigger": self.trigger,
            "status": self.status,
            "urgent": self.urgent,
            "next_fire_at": self.next_fire_at.isoformat() if self.next_fire_at else None,
        }


class ReminderBook:
    def __init__(self, db: Database, tz: tzinfo) -> None:
        self.db = db
        self.tz = tz

    def due_between(self, start: str, end: str) -> list[tuple[str, str]]:
        """(text, next fire time) of active reminders due in [start, end), in time order."""
        rows = self.db.query(
            "SELECT text, next_fire_at FROM reminders WHERE status = 'active' AND "
            "next_fire_at >= ? AND next_fire_at < ? ORDER BY next_fire_at",
            (start, end),
        )
        return [(row[0], row[1]) for row in rows]

    def fired_after(self, after: str, limit: int = 100) -> list[dict[str, Any]]:
        """Firings after ``after`` (an instant as stored), oldest first."""
        rows = self.db.query(
            "SELECT f.reminder_id, r.text, f.due_at, f.fired_at, f.late_s FROM reminder_firings "
            "f JOIN reminders r ON r.id = f.reminder_id WHERE f.fired_at > ? "
            "ORDER BY f.fired_at LIMIT ?",
            (after, limit),
        )
        return [
            {"id": r[0], "text": r[1], "due_at": r[2], "fired_at": r[3], "late_s": r[4]}
            for r in rows
        ]

    def add_time(
        self, text: str, schedule: Schedule, now: datetime, urgent: bool = False
    ) -> Reminder:
        trigger = schedule.to_json()
        first = (
            schedule.at
            if schedule.at is not None
            else schedule.trigger(self.tz).get_next_fire_time(None, now)
        )
        return self._insert(text, trigger, first, urgent, now)

    def add_context(
        self,
        text: str,
        trigger: dict[str, Any],
        now: datetime,
        urgent: bool = False,
        cooldown_s: float = 1800,
    ) -> Reminder:
        if trigger.get("type") not in CONTEXT_TYPES:
            raise InputError(f"trigger: unknown type {trigger.get('type')!r}")
        return self._insert(text, trigger, None, urgent, now, cooldown_s)

    def _insert(
        self,
        text: str,
        trigger: dict[str, Any],
        first: datetime | None,
        urgent: bool,
        now: datetime,
        cooldown_s: float = 1800,
    ) -> Reminder:
        text = " ".join(str(text).split())
        if not text or len(text) > 500:
            raise InputError("reminder: text must be 1 to 500 characters")
        with self.db.transaction():
            reminder_id = self.db.execute(
                "INSERT INTO reminders (text, trigger, next_fire_at, urgent, cooldown_s, "
                "created_at) VALUES (?, ?, ?, ?, ?, ?)",
                (
                    text,
                    json.dumps(trigger),
                    to_db(first) if first else None,
                    int(urgent),
                    cooldown_s,
                    to_db(now),
                ),
            ).lastrowid
        reminder = self.get(int(reminder_id))
        assert reminder is not None
        return reminder

    def get(self, reminder_id: int) -> Reminder | None:
        row = self.db.execute("SELECT * FROM reminders WHERE id = ?", (reminder_id,)).fetchone()
        return Reminder.from_row(row) if row else None

    def active(self) -> list[Reminder]:
        rows = self.db.execute(
            "SELECT * FROM reminders WHERE status = 'active' ORDER BY next_fire_at IS NULL, "
            "next_fire_at, id"
        ).fetchall()
        return [Reminder.from_row(row) for row in rows]

    def set_status(self, reminder_id: int, status: str) -> bool:
        with self.db.transaction():
            return bool(
                self.db.execute(
                    "UPDATE reminders SET status = ? WHERE id = ? AND status = 'active'",
                    (status, reminder_id),
                ).rowcount
            )

    def done(self, reminder_id: int, now: datetime) -> bool:
        """Done (the notification's or the TUI's button): no longer due, and a recurring or
        context one stops. False if there was nothing to finish."""
        answered = self.answer(reminder_id, now)
        return self.set_status(reminder_id, "done") or bool(answered)

    def restore(self, reminder_id: int) -> bool:
        """Undo a cancel: the reminder is active again, as it was."""
        with self.db.transaction():
            return bool(
                self.db.execute(
                    "UPDATE reminders SET status = 'active' WHERE id = ? AND status = 'cancelled'",
                    (reminder_id,),
                ).rowcount
            )

    def fired(self, *, due_only: bool = False, limit: int = 50) -> list[dict[str, Any]]:
        """Recent firings, newest first. One is "due" until a notifier delivered it or the
        user answered it (Done or Snooze): with no notifier working it stays due."""
        rows = self.db.execute(
            "SELECT f.reminder_id, r.text, f.due_at, f.fired_at, f.late_s, f.delivered_at "
            "FROM reminder_firings f JOIN reminders r ON r.id = f.reminder_id "
            + ("WHERE f.delivered_at IS NULL " if due_only else "")
            + "ORDER BY f.fired_at DESC LIMIT ?",
            (limit,),
        ).fetchall()
        return [
            {
                "id": r[0],
                "text": r[1],
                "due_at": r[2],
                "fired_at": r[3],
                "late_s": r[4],
                "delivered_at": r[5],
                "due": r[5] is None,
            }
            for r in rows
        ]

    def due_count(self) -> int:
        return int(
            self.db.execute(
                "SELECT count(*) FROM reminder_firings WHERE delivered_at IS NULL"
            ).fetchone()[0]
        )

    def answer(self, reminder_id: int, now: datetime) -> int:
        """The user saw reminder ``reminder_id`` (Done or Snooze): its firings are no longer
        due. How many were."""
        with self.db.transaction():
            return int(
                self.db.execute(
                    "UPDATE reminder_firings SET delivered_at = ? WHERE reminder_id = ? AND "
                    "delivered_at IS NULL",
                    (to_db(now), reminder_id),
                ).rowcount
            )

    def snooze(self, reminder_id: int, now: datetime, minutes: float = 10) -> Reminder:
        """Fire again ``minutes`` from now (a one-off done reminder becomes active again)."""
        with self.db.transaction():
            changed = self.db.execute(
                "UPDATE reminders SET status = 'active', next_fire_at = ? WHERE id = ? AND "
                "status != 'cancelled'",
                (to_db(now + timedelta(minutes=minutes)), reminder_id),
            ).rowcount
        if changed:
            self.answer(reminder_id, now)
        reminder = self.get(reminder_id)
        if not changed or reminder is None:
            raise InputError(f"no reminder #{reminder_id} to snooze")
        return reminder


@migration(8, "m008_reminders")
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
