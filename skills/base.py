"""The skills runtime: a ``Skill`` protocol, a registry, and a failure boundary.

Built-in skills register through the same ``register`` a third-party one would use.
Each is enabled or disabled by the user (``pocketmind skills``, the API), and its state
lives in the database so the daemon and the CLI agree. A skill that raises is marked
failed in ``status()`` with the error, and the others keep running.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from ..clock import SYSTEM_CLOCK, Clock
from ..db import Database
from ..engine import Engine
from ..memory import MemoryStore
from ..plugins import Registry
from ..settings import Settings
from .notify import Notifier
from .runs import SkillRuns

log = logging.getLogger(__name__)


@dataclass
class SkillContext:
    """What a skill may use: the memory, the model, the notifier, the clock, and the one
    ``Database`` the other rooms (reminders, skill runs, exchanges) are opened on."""

    store: MemoryStore
    settings: Settings
    notifier: Notifier
    clock: Clock
    engine: Engine | None = None
    db: Database = field(kw_only=True)


class Skill(Protocol):
    name: str
    description: str
    enabled_by_default: bool

    def tick(self, context: SkillContext) -> None:
        """Called about once a second: do what is due now (usually nothing)."""
        ...


@runtime_checkable
class HearsEvents(Protocol):
    """A skill that MAY also act on events as they are remembered (a reminder for when
    the phone arrives somewhere). Called with each ingested batch, after its commit."""

    def on_events(self, context: SkillContext, events: list[Any]) -> None: ...


SkillFactory = Callable[[], Skill]
SKILLS: Registry[SkillFactory] = Registry("pocketmind.skills.builtin")
register = SKILLS.register
registry = SKILLS.all


class SkillSwitches:
    """Which skills the user turned on or off (the ``skills`` table)."""

    def __init__(self, db: Database, clock: Clock = SYSTEM_CLOCK) -> None:
        self.clock = clock
        self.runs = SkillRuns(db)

    def enabled(self, name: str, default: bool) -> bool:
        switched = self.runs.switch(name)
        return default if switched is None else switched

    def set(self, name: str, enabled: bool) -> None:
        if name not in registry():
            from ..validation import InputError

            raise InputError(f"unknown skill {name!r}; known: {sorted(registry())}")
        self.runs.set_switch(name, enabled, self.clock.now())


def describe_skills(db: Database) -> list[dict[str, Any]]:
    """Every registered skill: name, what it does, whether the user has it on."""
    switches = SkillSwitches(db)
    out = []
    for name, factory in sorted(registry().items()):
        skill = factory()
        out.append(
            {
                "name": name,
                "description": skill.description,
                "enabled": switches.enabled(name, skill.enabled_by_default),
            }
        )
    return out


@dataclass
class SkillStatus:
    name: str
    description: str
    enabled: bool
    state: str = "idle"
    error: str | None = None
    failures: int = 0

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class SkillRunner:
    """Ticks every enabled skill inside its own failure boundary."""

    context: SkillContext
    skills: dict[str, Skill] = field(default_factory=dict)
    statuses: dict[str, SkillStatus] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name, factory in registry().items():
            skill = factory()
            self.skills[name] = skill
            self.statuses[name] = SkillStatus(name, skill.description, False)
        self.switches = SkillSwitches(self.context.db, self.context.clock)

    def tick(self) -> None:
        for name, skill in self.skills.items():
            status = self.statuses[name]
            status.enabled = self.switches.enabled(name, skill.enabled_by_default)
            if not status.enabled:
                status.state = "disabled"
                continue
            try:
                skill.tick(self.context)
            except Exception as exc:  # one broken skill must not stop the others
                status.failures += 1
                if status.error != str(exc):
                    log.exception("skill %s failed", name)
                status.state, status.error = "failed", f"{type(exc).__name__}: {exc}"
                continue
            status.state, status.error = "ok", None

    def on_events(self, events: list[Any]) -> None:
        """Hand an ingested batch to every enabled skill that hears events, each inside
        its own failure boundary (a failing one is logged and the others still hear)."""
        for name, skill in self.skills.items():
            if not isinstance(skill, HearsEvents):
                continue
            if not self.switches.enabled(name, skill.enabled_by_default):
                continue
            try:
                skill.on_events(self.context, events)
            except Exception:
                log.exception("skill %s failed on new events", name)

    def status(self) -> dict[str, Any]:
        return {name: s.to_json() for name, s in self.statuses.items()}
