"""The database's schema, as each room registers it: numbered, append-only migrations
recorded in ``_migrations``, and what a room does when a memory is forgotten.

Each table has one owner (memory/, ingest/, skills/reminders, skills/runs,
sensing/places, exchanges/, training/export), and the owner registers the
migrations that create and change its tables::

    @migration(8, "m008_reminders")
    def m008_reminders(db: Connection) -> None: ...

A shipped migration that touched two rooms' tables keeps its name and its place: each
room registers its part under the same number and name, and the parts run in one
transaction. Never edit a shipped migration: add the next number. Each migration runs in
its own transaction, so a crash mid-upgrade leaves the database at the previous version.

The owners are found the way plugins are, by module name (:data:`OWNERS`), so this
bottom floor names the rooms without importing them; :func:`migrate` imports them
before it runs, so every part of every migration is known.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from .db import Connection, Database, transaction

Part = Callable[[Connection], None]
# Called inside the transaction that forgets memories: (database, [(memory id, its event id)], now).
Forgetter = Callable[[Database, list[tuple[int, int | None]], str], None]
# What a room gives an export: its rows after a watermark position, scrubbed by the
# redactor, and the highest position seen (the next watermark).
Exporter = Callable[[Database, int, Callable[[str], str]], tuple[list[Any], int]]

# Every room that owns tables, in no particular order (the numbers give the order).
OWNERS: tuple[str, ...] = (
    "pocketmind.ingest.events",
    "pocketmind.memory.migrations",
    "pocketmind.exchanges.log",
    "pocketmind.sensing.places",
    "pocketmind.skills.reminders",
    "pocketmind.skills.runs",
    "pocketmind.training.exports",
    "pocketmind.tools.actions",
    "pocketmind.plans.store",
)


@dataclass
class Migration:
    number: int
    name: str
    parts: list[Part] = field(default_factory=list)

    def __call__(self, db: Connection) -> None:
        for part in self.parts:
            part(db)


class EventRecorder(Protocol):
    """What the memory room asks of the events log (ingest/events.py provides it): a
    memory remembered directly is logged as an event, and each is linked to the event
    it came from, in the memory's transaction."""

    def log(
        self, db: Database, source: str, kind: str, at: str, now: str, payload: str, untrusted: bool
    ) -> int: ...

    def link(self, db: Database, event_id: int, memory_id: int, now: str) -> None: ...

    def counts(self, db: Database) -> dict[str, int]: ...


_REGISTERED: dict[int, Migration] = {}
_EVENTS: list[EventRecorder] = []
_FORGETTERS: list[Forgetter] = []
_EXPORTERS: dict[str, Exporter] = {}


def migration(number: int, name: str) -> Callable[[Part], Part]:
    """Register the decorated function as (a part of) migration ``number`` called ``name``."""

    def register(fn: Part) -> Part:
        known = _REGISTERED.setdefault(number, Migration(number, name))
        if known.name != name:
            raise ValueError(f"migration {number} is {known.name}, not {name}")
        if fn not in known.parts:
            known.parts.append(fn)
        return fn

    return register


def on_forget(fn: Forgetter) -> Forgetter:
    """Register what a room does, inside the forgetting transaction, when memories go."""
    if fn not in _FORGETTERS:
        _FORGETTERS.append(fn)
    return fn


def exports(name: str) -> Callable[[Exporter], Exporter]:
    """Register the rows a room adds to an export as ``NAME.jsonl`` (export asks every
    owner this way, so training/ imports none of the rooms above it)."""

    def register(fn: Exporter) -> Exporter:
        _EXPORTERS[name] = fn
        return fn

    return register


def exporter(name: str) -> Exporter:
    load_owners()
    if name not in _EXPORTERS:
        raise KeyError(f"no room exports {name!r}")
    return _EXPORTERS[name]


def provide_event_log(recorder: EventRecorder) -> None:
    _EVENTS[:] = [recorder]


def event_log() -> EventRecorder:
    if not _EVENTS:
        load_owners()
    return _EVENTS[0]


def load_owners() -> None:
    for name in OWNERS:
        importlib.import_module(name)


def migrations() -> list[Migration]:
    """Every registered migration, in order."""
    load_owners()
    return [_REGISTERED[n] for n in sorted(_REGISTERED)]


def forgetters() -> list[Forgetter]:
    load_owners()
    return list(_FORGETTERS)


def open_database(path: Path | str) -> Database:
    """The database at ``path`` with every room's migrations applied: what a command that
    reads only reminders, places or skills needs (no embedder, no vector index)."""
    db = Database.open(path)
    try:
        migrate(db)
    except BaseException:
        db.close()
        raise
    return db


def _applied(db: Connection) -> set[str]:
    db.execute(
        "CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)"
    )
    return {row[0] for row in db.execute("SELECT name FROM _migrations")}


def migrate(db: Connection | Database, upto: int | None = None) -> list[str]:
    """Apply pending migrations (the first ``upto`` only, for tests); return their names."""
    if isinstance(db, Database):
        with db.reading() as conn:
            return migrate(conn, upto)
    done = _applied(db)
    ran = []
    for step in migrations()[:upto]:
        if step.name in done:
            continue
        with transaction(db):
            step(db)
            db.execute(
                "INSERT INTO _migrations (name, applied_at) VALUES (?, ?)",
                (step.name, datetime.now(UTC).isoformat()),
            )
        ran.append(step.name)
    return ran
