"""The running assistant: its parts, started in order and stopped in reverse.

database → embedder → engine → ingest worker → (sensors → scheduler, with their issues)
→ API. Each part is a ``Component``; a part that fails while running (a sensor, a
skill) is marked failed in ``status()`` and the rest keep serving. The phase file lets
``pocketmind status`` and the TUI say "loading the model" before the API is up.
"""

from __future__ import annotations

import functools
import logging
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import __version__
from ..chat import Assistant
from ..chat.acting import Acting, make_acting
from ..clock import SYSTEM_CLOCK, Clock
from ..db import Database
from ..embedders import make_embedder
from ..engine import Engine, make_engine
from ..ingest import EventLog, Ingestor
from ..memory import MemoryStore
from ..models.local import tiny_model_hint
from ..settings import Settings
from ..skills.reminders import ReminderBook
from ..skills.scheduler import Scheduler, ThreadScheduler
from .paths import RunFiles
from .wiring import make_assistant

if TYPE_CHECKING:
    from ..plans.orchestrator import Orchestrator

log = logging.getLogger(__name__)


@dataclass
class Component:
    name: str
    clock: Clock = field(default=SYSTEM_CLOCK, repr=False)
    state: str = "stopped"  # starting, running, failed, stopping, stopped
    error: str | None = None
    since: float = 0.0

    def __post_init__(self) -> None:
        self.since = self.clock.time()

    def mark(self, state: str, error: str | None = None) -> None:
        self.state, self.error, self.since = state, error, self.clock.time()

    def to_json(self) -> dict[str, Any]:
        return {"state": self.state, "error": self.error, "since": self.since}


class Runtime:
    """Holds the store, the engine and the ingest worker; knows their health."""

    def __init__(
        self,
        settings: Settings,
        *,
        engine_factory: Callable[[Settings], Engine] = make_engine,
        files: RunFiles | None = None,
        clock: Clock = SYSTEM_CLOCK,
        scheduler: Scheduler | None = None,
    ) -> None:
        self.settings = settings
        self.clock = clock
        self.scheduler: Scheduler = scheduler or ThreadScheduler()
        self.files = files or RunFiles(settings)
        self.engine_factory = engine_factory
        self.components: dict[str, Component] = {}
        self._stops: list[tuple[str, Callable[[], None]]] = []
        self.started = clock.time()
        self._swap_lock = threading.Lock()
        self.db: Database
        self.store: MemoryStore
        self.engine: Engine
        self.ingestor: Ingestor
        self.acting: Acting

    # -- start-up and teardown --------------------------------------------------------------

    def _step(self, name: str, start: Callable[[], Any], stop: Callable[[], None]) -> None:
        component = self.components.setdefault(name, Component(name, self.clock))
        component.mark("starting")
        self.files.write_phase(f"starting {name}")
        log.info("starting %s", name)
        try:
            start()
        except BaseException as exc:
            component.mark("failed", str(exc))
            raise
        component.mark("running")
        self._stops.append((name, stop))

    def start(self) -> None:
        """Start every part in order; on failure, stop what started, in reverse."""
        try:
            self._step("database", self._open_store, lambda: self.store.close())
            self._step("embedder", self._warm_embedder, lambda: self.store.embedder.close())
            self._step("engine", self._load_engine, lambda: self.engine.close())
            self._step("actions", self._start_actions, lambda: None)
            self._step("ingest", self._start_ingest, lambda: self.ingestor.stop(flush=True))
            self._step("sensors", self._start_sensors, self._stop_sensors)
            self._step("scheduler", self._start_scheduler, self._stop_scheduler)
            self._step("mcp", self._start_mcp_client, lambda: self.mcp_servers.stop())
        except BaseException:
            self.stop()
            raise
        self.files.write_phase("serving")

    def _open_store(self) -> None:
        # The one Database every room shares: the memories get it, and so do the skills,
        # the API's reminders and places, and the ingest stage's events log.
        self.db = Database.open(self.settings.db_path)
        try:
            self.store = MemoryStore(self.db, make_embedder(self.settings), self.settings)
        except BaseException:
            self.db.close()
            raise

    def _warm_embedder(self) -> None:
        self.store.embedder.embed(["warm up"])  # load the model now, not on the first search
        _ = self.store.index

    def _load_engine(self) -> None:
        self.engine = self.engine_factory(self.settings)

    def _start_actions(self) -> None:
        """The phone's tools behind the confirmation gate, kept in the actions table."""
        self.acting = make_acting(self.store, self.db, self.engine, self.settings, clock=self.clock)

    def _start_ingest(self) -> None:
        config = self.settings.daemon
        self.ingestor = Ingestor(
            self.store,
            EventLog(self.db, self.settings),
            capacity=config.ingest_capacity,
            batch=config.ingest_batch,
        )
        self.ingestor.start()

    def _start_sensors(self) -> None:
        from ..sensing import FileWatcher, SensorRunner, make_sensors

        config = self.settings.sensing
        self.sensors = SensorRunner(
            make_sensors(self.settings, self.db), self.ingestor.submit, config
        )
        self.sensors.start()
        self.files_watcher = None
        if config.watch_folders:
            self.files_watcher = FileWatcher(self.store, config.watch_folders)
            try:
                self.files_watcher.start()
            except Exception as exc:  # a broken watcher must not take the daemon down
                log.exception("file watching failed to start")
                self.files_watcher = None
                self.components["sensors"].error = f"files: {exc}"

    def _stop_sensors(self) -> None:
        if self.files_watcher is not None:
            self.files_watcher.stop()
        self.sensors.stop()

    def _start_scheduler(self) -> None:
        from ..skills.base import SkillContext, SkillRunner
        from ..skills.notify import NoNotifier, default_notifier

        notifier = default_notifier(self.settings.home)
        if isinstance(notifier, NoNotifier):
            log.warning("no notifier: fired reminders wait as due (%s)", notifier.reason)
            self.notifier_problem: str | None = notifier.reason
        context = SkillContext(
            self.store,
            self.settings,
            notifier,
            self.clock,
            self.engine,
            db=self.db,
        )
        self.skills = SkillRunner(context)
        # Every skill, reminders included, hears ingested events through its registry
        # entry and is ticked by the scheduler: no skill is special here.
        self.ingestor.listeners.append(self.skills.on_events)
        self.scheduler.start(self._tick_skills)

    def _tick_skills(self) -> None:
        try:
            self.skills.tick()  # each skill inside its own failure boundary
        except Exception as exc:  # the runner itself failing must not stop the daemon
            log.exception("scheduler tick failed")
            self.components["scheduler"].mark("failed", str(exc))

    def _stop_scheduler(self) -> None:
        self.scheduler.stop()

    def _start_mcp_client(self) -> None:
        """The servers in ``mcp.servers``; one that fails is marked so, never fatal."""
        from ..bridge.client import McpServers

        config = self.settings.mcp
        self.mcp_servers = McpServers(config.servers, config.max_result_bytes)
        self.mcp_servers.start()
        # their tools join the phone's in the agent's registry: read-only ones run at
        # once, the rest wait at the same gate for the user's yes
        self.acting.agent.add_tools(self.mcp_servers.tools())

    def stop(self) -> None:
        """Stop in reverse order; a part that fails to stop does not stop the rest."""
        while self._stops:
            name, stop = self._stops.pop()
            self.components[name].mark("stopping")
            self.files.write_phase(f"stopping {name}")
            log.info("stopping %s", name)
            try:
                stop()
                self.components[name].mark("stopped")
            except Exception as exc:
                log.exception("stopping %s failed", name)
                self.components[name].mark("failed", str(exc))

    # -- serving -------------------------------------------------------------------------

    def assistant(
        self,
        *,
        answer_tokens: int | None = None,
        temperature: float | None = None,
        instructions: str = "",
    ) -> Assistant:
        settings = self.settings
        if answer_tokens or temperature is not None or instructions:
            settings = settings.model_copy(deep=True)
            if answer_tokens:
                settings.engine.answer_tokens = min(answer_tokens, self.engine.context_size // 2)
            if temperature is not None:
                settings.engine.temperature = temperature
            if instructions.strip():
                settings.chat.persona += f"\n\nThe app you are used through asks: {instructions}"
        return make_assistant(
            self.store, self.engine, settings, db=self.db, acting=self.acting, plans=self.plans
        )

    @functools.cached_property
    def plans(self) -> Orchestrator:
        """The planner over this daemon's store, engine and phone tools, built on first
        use; it keeps one gate, so a step's pending action lives as long as the daemon."""
        from ..plans.wiring import build

        # the one gate: a plan's external steps wait in the same actions table as the
        # chat's, and the same yes (chat, TUI, notification, API) decides them
        return build(
            self.store,
            self.db,
            self.settings,
            self.engine,
            gate=self.acting.gate,
            clock=self.clock,
        )

    def swap_adapter(self, adapter: Path | None) -> None:
        """Load another LoRA adapter into the running engine; requests in flight finish
        first (the engine's lock), later ones wait and are answered by the new one."""
        with self._swap_lock:
            self.components["engine"].mark("swapping")
            try:
                self.engine.swap(lora_path=adapter)
            finally:
                self.components["engine"].mark("running")

    def status(self) -> dict[str, Any]:
        with self.store.lock:  # one moment's figures
            counts = (self.store.lookup.count(), *self.ingestor.events.backlog())
        return {
            "version": __version__,
            "pid": os.getpid(),
            "uptime_s": round(self.clock.time() - self.started, 1),
            "components": {name: c.to_json() for name, c in self.components.items()},
            "model": self.engine.model_id,
            # shown once by a face: the tiny packaged model, and how to get a better one
            "model_hint": tiny_model_hint(self.engine.model_id),
            "adapter": self.engine.adapter_id,
            # the adapter in use was refused at start or could not be loaded back
            "adapter_warning": self.engine.adapter_warning,
            "queue_depth": self.ingestor.depth,
            # Acknowledged, not yet remembered: queued, waiting for a retry (a full disk),
            # or failed and left for the next start. The log's count, not the queue's.
            "pending": counts[2],
            "ingest": {
                "processed": self.ingestor.processed,
                "failed": self.ingestor.failed,
                "retrying": self.ingestor.retrying,
                "last_error": self.ingestor.last_error,
                "capacity": self.ingestor.capacity,
            },
            "sensors": self.sensors.status() if hasattr(self, "sensors") else {},
            "files": getattr(getattr(self, "files_watcher", None), "last", None),
            "skills": self.skills.status() if hasattr(self, "skills") else {},
            "mcp": self.mcp_servers.status() if hasattr(self, "mcp_servers") else {},
            # fired and not shown: no notifier worked and the user has not answered yet
            "reminders_due": ReminderBook(self.db, self.settings.tz()).due_count(),
            "notifier_problem": getattr(self, "notifier_problem", None),
            "memories": counts[0],
            "events": counts[1],
            "home": str(self.settings.home),
        }
