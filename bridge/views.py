"""Read-only views for MCP: a day's timeline, the profile, today at a glance."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from ..memory import MemoryInputError
from ..memory.instants import to_db
from ..sensing.places import Places
from ..skills.reminders import ReminderBook
from .backing import Backing

DAY_LIMIT = 500


def _day(backing: Backing, day: str) -> tuple[datetime, datetime]:
    tz = backing.settings.tz()
    today = datetime.now(tz).date()
    named = {"today": today, "yesterday": today - timedelta(days=1)}
    try:
        chosen = named.get(day.strip().lower()) or datetime.strptime(day, "%Y-%m-%d").date()
    except ValueError as exc:
        raise MemoryInputError(f"day: {day!r} is not YYYY-MM-DD, today or yesterday") from exc
    start = datetime.combine(chosen, time(), tz)
    return start, start + timedelta(days=1)


def _memories_between(
    backing: Backing, start: datetime, end: datetime, where: str = ""
) -> list[dict[str, Any]]:
    store = backing.store
    rows = store.db.execute(
        "SELECT id FROM memories WHERE occurred_at >= ? AND occurred_at < ? "
        f"AND superseded_by IS NULL {where} ORDER BY occurred_at, id LIMIT ?",
        (to_db(start), to_db(end), DAY_LIMIT),
    ).fetchall()
    found = store.get_many([row[0] for row in rows])
    return [_brief(found[row[0]].to_json()) for row in rows if row[0] in found]


def _brief(memory: dict[str, Any]) -> dict[str, Any]:
    keep = ("id", "text", "kind", "source", "occurred_at", "untrusted", "meta")
    return {k: memory[k] for k in keep if k in memory}


def timeline_of(backing: Backing, day: str) -> list[dict[str, Any]]:
    return _memories_between(backing, *_day(backing, day))


def profile(backing: Backing) -> list[dict[str, Any]]:
    store = backing.store
    rows = store.db.execute(
        "SELECT id FROM memories WHERE kind = 'fact' AND superseded_by IS NULL "
        "ORDER BY importance DESC, id LIMIT 200"
    ).fetchall()
    found = store.get_many([row[0] for row in rows])
    return [_brief(found[row[0]].to_json()) for row in rows if row[0] in found]


def today(backing: Backing) -> dict[str, Any]:
    start, end = _day(backing, "today")
    reminders = ReminderBook(backing.store, backing.settings.tz()).active()
    due = [r.to_json() for r in reminders if r.next_fire_at and r.next_fire_at < end]
    places = [
        {"id": p.id, "name": p.label, "latitude": p.latitude, "longitude": p.longitude}
        for p in Places(backing.store).all()
    ]
    sensed = _memories_between(backing, start, end, "AND source = 'notifications'")
    return {"day": start.date().isoformat(), "reminders": due, "places": places,
            "notifications": sensed}  # fmt: skip
