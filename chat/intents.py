"""The intent router: requests the chat answers without the model.

Skills register what they can handle ("remind me to ..."); the assistant asks the router
first and only goes to retrieval and the model when no intent takes the message. The
chat package knows nothing of any skill: whoever builds the ``Assistant`` registers
them (see ``daemon/wiring.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol


@dataclass(frozen=True)
class Reply:
    """An intent's reply with what rides along in the answer's JSON: the planner's plan
    (its checks, steps and the actions waiting for a yes), so ``ask --json`` shows it."""

    text: str
    plan: dict[str, Any] | None = None


class Intent(Protocol):
    def handle(
        self, text: str, conversation_id: str, now: datetime | None = None
    ) -> str | Reply | None:
        """A reply when ``text`` is this intent's (a request or its yes/no), else None."""
        ...


@dataclass(frozen=True)
class Routed:
    name: str
    reply: str
    plan: dict[str, Any] | None = None


@dataclass(frozen=True)
class _Entry:
    name: str
    intent: Intent
    enabled: Callable[[], bool]


class IntentRouter:
    def __init__(self) -> None:
        self._entries: list[_Entry] = []

    def register(
        self, name: str, intent: Intent, enabled: Callable[[], bool] = lambda: True
    ) -> None:
        """Add an intent, asked in the order registered; ``enabled`` is read per message
        (the user can switch a skill off while the daemon runs)."""
        if any(e.name == name for e in self._entries):
            raise ValueError(f"intent {name!r} is already registered")
        self._entries.append(_Entry(name, intent, enabled))

    @property
    def names(self) -> list[str]:
        return [e.name for e in self._entries]

    def route(self, text: str, conversation_id: str, now: datetime | None = None) -> Routed | None:
        for entry in self._entries:
            if not entry.enabled():
                continue
            reply = entry.intent.handle(text, conversation_id, now)
            if isinstance(reply, Reply):
                return Routed(entry.name, reply.text, reply.plan)
            if reply is not None:
                return Routed(entry.name, reply)
        return None
