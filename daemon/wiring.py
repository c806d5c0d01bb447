"""Putting the chat together: the assistant with its retriever and the skills' intents.

The one place that knows both the chat and the skills, so neither imports the other:
the daemon, the in-process CLI and the benchmarks all build their ``Assistant`` here.
"""

from __future__ import annotations

from ..chat import Assistant, IntentRouter
from ..chat.acting import Acting
from ..engine import Engine
from ..memory import MemoryStore
from ..retrieval import Retriever
from ..settings import Settings
from ..skills.intents import register_intents


def make_router(store: MemoryStore, engine: Engine | None, settings: Settings) -> IntentRouter:
    router = IntentRouter()
    register_intents(router, store, engine, settings)
    return router


def make_assistant(
    store: MemoryStore,
    engine: Engine,
    settings: Settings,
    *,
    retriever: Retriever | None = None,
    acting: Acting | None = None,
) -> Assistant:
    return Assistant(
        store,
        engine,
        settings,
        retriever=retriever or Retriever(store),
        router=make_router(store, engine, settings),
        acting=acting,
    )
