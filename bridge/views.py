"""Read-only views for MCP: a day's timeline, the profile, today at a glance."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from ..memory.instants import to_db
from ..sensing.places import Places
from ..skills.reminders import ReminderBook
from ..validation import InputError
from .backing import Backing

DAY_LIMIT = 500


def _day(backing: Backing, day: str) -> tuple[datetime, datetime]:
    tz = backing.settings.tz()
    today = datetime.now(tz).date()
    named = {"today": today, "yesterday": today - timedelta(days=1)}
    try:
        chosen = named.get(day.strip().lower()) or datetime.strptime(day, "%Y-%m-%d").date()
    except ValueError as exc:
        raise InputError(f"day: {day!r} is not YYYY-MM-DD, today or yesterday") from exc
    start = datetime.combine(chosen, time(), tz)
    return start, start + timedelta(days=1)


def _memories_between(
    backing: Backing, start: datetime, end: datetime, source: str | None = None
) -> list[dict[str, Any]]:
    store = backing.store
    ids = store.lookup.ids_between(to_db(start), to_db(end), source, DAY_LIMIT)
    found = store.get_many(ids)
    return [_brief(found[i].to_json()) for i in ids if i in found]


def _brief(memory: dict[str, Any]) -> dict[str, Any]:
    keep = ("id", "text", "kind", "source", "occurred_at", "untrusted", "meta")
    return {k: memory[k] for k in keep if k in memory}


def timeline_of(backing: Backing, day: str) -> list[dict[str, Any]]:
    return _memories_between(backing, *_day(backing, day))


def profile(backing: Backing) -> list[dict[str, Any]]:
    ids = backing.store.lookup.top_facts(200)
    found = backing.store.get_many(ids)
    return [_brief(found[i].to_json()) for i in ids if i in found]


def today(backing: Backing) -> dict[str, Any]:
    start, end = _day(backing, "today")
    reminders = ReminderBook(backing.db, backing.settings.tz()).active()
    due = [r.to_json() for r in reminders if r.next_fire_at and r.next_fire_at < end]
    places = [
        {"id": p.id, "name": p.label, "latitude": p.latitude, "longitude": p.longitude}
        for p in Places(backing.db).all()
    ]
    sensed = _memories_between(backing, start, end, "notifications")
    return {"day": start.date().isoformat(), "reminders": due, "places": places,
            "notifications": sensed}  # fmt: skip
