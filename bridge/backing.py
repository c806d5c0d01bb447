"""What the MCP server reaches: the daemon's store and settings, the phone's tools and
the confirmation gate. In the daemon these are the runtime's own; ``pocketmind mcp``
with no daemon running opens the store itself."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..db import Database
from ..memory import MemoryStore
from ..settings import Settings
from ..tools.base import Tool
from ..tools.gate import Gate


@dataclass
class Backing:
    store: MemoryStore
    db: Database  # the one the store is on: reminders and places are read there
    settings: Settings
    tools: dict[str, Tool[Any]] = field(default_factory=dict)
    gate: Gate = field(default_factory=Gate)

    @classmethod
    def of_phone(
        cls, store: MemoryStore, db: Database, settings: Settings, gate: Gate | None = None
    ) -> Backing:
        """With the phone's tools over the real termux-api commands."""
        from ..sensing.termux import SubprocessTermux
        from ..tools.contacts import Contacts
        from ..tools.phone import PhoneTools

        termux = SubprocessTermux()
        tools = {t.name: t for t in PhoneTools(termux, Contacts(termux)).tools()}
        return cls(store, db, settings, tools, gate or Gate())
