"""Putting the chat together: the assistant with its retriever and the skills' intents.

The one place that knows both the chat and the skills, so neither imports the other:
the daemon, the in-process CLI and the benchmarks all build their ``Assistant`` here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..chat import Assistant, IntentRouter
from ..chat.acting import Acting
from ..chat.capabilities import Capabilities
from ..chat.planning import PlanningIntent
from ..db import Database
from ..engine import Engine
from ..memory import MemoryStore
from ..retrieval import Retriever
from ..settings import Settings
from ..skills.intents import register_intents

if TYPE_CHECKING:
    from ..plans.orchestrator import Orchestrator


def make_router(
    store: MemoryStore,
    db: Database,
    engine: Engine | None,
    settings: Settings,
    plans: Orchestrator | None = None,
) -> IntentRouter:
    router = IntentRouter()
    built: list[Orchestrator] = [plans] if plans is not None else []

    def planner() -> Orchestrator:
        if not built:
            from ..plans.wiring import build

            built.append(build(store, db, settings, engine))
        return built[0]

    router.register("capabilities", Capabilities())
    router.register("plans", PlanningIntent(planner))
    register_intents(router, db, engine, settings)
    return router


def make_assistant(
    store: MemoryStore,
    engine: Engine,
    settings: Settings,
    *,
    db: Database,
    retriever: Retriever | None = None,
    acting: Acting | None = None,
    plans: Orchestrator | None = None,
) -> Assistant:
    """``db`` is the Database ``store`` is on: the skills' intents keep their rows there."""
    return Assistant(
        store,
        engine,
        settings,
        retriever=retriever or Retriever(store),
        router=make_router(store, db, engine, settings, plans),
        acting=acting,
    )
