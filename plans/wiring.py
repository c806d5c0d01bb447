"""The planner put together over the real parts: the user's calendar files, their
reminders, the calendar notifications the phone showed and what participants said
(memories), the phone's tools and the gate.

The daemon builds one :class:`Orchestrator` and keeps it (its gate holds the pending
actions); the CLI without a daemon builds one per command. Steps waiting for a yes
survive either way: their plan is in the database, and a confirmation of a step whose
pending action the gate forgot proposes it again.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from ..clock import SYSTEM_CLOCK, Clock
from ..db import Database
from ..engine.base import Engine
from ..memory import MemoryStore
from ..retrieval import Retriever
from ..sensing.places import Places
from ..sensing.termux import SubprocessTermux, TermuxApi
from ..settings import Settings
from ..skills.reminders import ReminderBook
from ..tools.contacts import Contacts
from ..tools.gate import Gate
from ..tools.phone import PhoneTools
from .busy import BusySource, CalendarFiles, PeopleSaid, ReminderTimes
from .executor import Executor
from .notices import CalendarNotices, from_memories
from .orchestrator import Orchestrator
from .planner import Planner
from .store import PlanStore


def build(
    store: MemoryStore,
    db: Database,
    settings: Settings,
    engine: Engine | None,
    *,
    gate: Gate | None = None,
    termux: TermuxApi | None = None,
    clock: Clock = SYSTEM_CLOCK,
) -> Orchestrator:
    zone = settings.tz()
    book = ReminderBook(db, zone)

    def due() -> Iterable[tuple[datetime, str]]:
        return [(r.next_fire_at, r.text) for r in book.active() if r.next_fire_at is not None]

    retriever = Retriever(store)

    def notes(name: str) -> list[str]:
        return [r.memory.text for r in retriever.search(name, k=8, time_phrases=False)]

    sources: list[BusySource] = [
        ReminderTimes(due, settings.plans.reminder_minutes),
        CalendarNotices(from_memories(store.lookup), zone),
    ]
    if settings.plans.calendars:
        sources.insert(0, CalendarFiles(settings.plans.calendars, zone))
    planner = Planner(sources, zone, people=PeopleSaid(notes, zone), engine=engine,
                      places=Places(db).all, travel_kmh=settings.plans.travel_kmh)  # fmt: skip
    phone = termux or SubprocessTermux()
    tools = PhoneTools(phone, Contacts(phone, lambda _relation: None)).tools()
    executor = Executor(gate or Gate(clock=clock), {t.name: t for t in tools})
    return Orchestrator(
        planner,
        executor,
        PlanStore(db),
        now=lambda: clock.now().astimezone(zone),
        max_replans=settings.plans.max_replans,
    )
