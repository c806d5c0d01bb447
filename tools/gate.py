"""The one gate every action passes: nothing external happens without the user's yes.

A tool call whose side effect is ``external`` becomes a :class:`PendingAction` with its
arguments resolved into words ("Text Mum (+49 331 7654321): 'late'"); it runs only when
the user confirms it, before it expires. Each proposal carries flags: a number, address
or link that appears in untrusted sensed text (a notification, a file) and nowhere the
user said or PocketMind knows is named, so the user sees where it came from. The gate
keeps the audit of every call (who asked, arguments, result, confirmation) through an
:class:`ActionLog`; the daemon's is the database's actions table.
"""

from __future__ import annotations

import re
import threading
import uuid
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, Literal, Protocol

from ..clock import SYSTEM_CLOCK, Clock
from .base import Effect, Tool, ToolError, ToolResult

Origin = Literal["user", "skill", "mcp"]
Status = Literal["pending", "confirmed", "rejected", "expired", "done", "failed"]

# What can carry someone else's intent into an argument: numbers, addresses, links.
TAINTABLE = re.compile(
    r"\+?\d[\d\s().-]{4,}\d|[\w.+-]+@[\w-]+\.[\w.-]+|https?://\S+|\b[\w-]+\.(?:com|org|net|io)\S*"
)


@dataclass(frozen=True)
class ActionRecord:
    id: str
    tool: str
    effect: Effect
    arguments: dict[str, Any]
    proposal: str
    origin: Origin
    status: Status
    created_at: datetime
    expires_at: datetime | None = None
    flags: tuple[str, ...] = ()
    result: str | None = None
    conversation_id: str | None = None  # the chat it was proposed in, for "yes"
    argv: tuple[tuple[str, ...], ...] = ()  # each command line it ran, exactly

    def to_json(self) -> dict[str, Any]:
        out = dict(self.__dict__)
        out["effect"] = self.effect.value
        out["flags"] = list(self.flags)
        out["argv"] = [list(line) for line in self.argv]
        for key in ("created_at", "expires_at"):
            out[key] = out[key].isoformat() if out[key] else None
        return out


class ActionLog(Protocol):
    """Where the gate keeps every call: pending ones and the audit trail."""

    def save(self, record: ActionRecord) -> None: ...

    def get(self, action_id: str) -> ActionRecord | None: ...

    def recent(self, limit: int = 50) -> list[ActionRecord]: ...

    def undecided(self) -> list[ActionRecord]:
        """Every record still ``pending``, fresh or stale."""
        ...


class MemoryActionLog:
    """An :class:`ActionLog` in memory, for tests and in-process use."""

    def __init__(self) -> None:
        self._records: dict[str, ActionRecord] = {}
        self._lock = threading.Lock()

    def save(self, record: ActionRecord) -> None:
        with self._lock:
            self._records[record.id] = record

    def get(self, action_id: str) -> ActionRecord | None:
        return self._records.get(action_id)

    def recent(self, limit: int = 50) -> list[ActionRecord]:
        ordered = sorted(self._records.values(), key=lambda r: r.created_at, reverse=True)
        return ordered[:limit]

    def undecided(self) -> list[ActionRecord]:
        return [r for r in self.recent(len(self._records)) if r.status == "pending"]


class GateError(ToolError):
    pass


# Collects the command lines a tool runs while it executes (see actions.ArgvRecorder).
Capture = Callable[[], AbstractContextManager[list[list[str]]]]


def _no_capture() -> AbstractContextManager[list[list[str]]]:
    return nullcontext([])


def untrusted_flags(
    arguments: dict[str, Any], trusted: Iterable[str], untrusted: Iterable[str]
) -> tuple[str, ...]:
    """Each number, address or link in ``arguments`` that only untrusted text contains."""
    known = _norm(" ".join(trusted))
    sensed = list(untrusted)
    flags = []
    for value in _strings(arguments):
        for token in TAINTABLE.findall(value):
            key = _norm(token)
            if key in known:
                continue
            if any(key in _norm(text) for text in sensed):
                flags.append(f"{token.strip()} comes from sensed text, not from you")
    return tuple(dict.fromkeys(flags))


def _strings(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _norm(text: str) -> str:
    return re.sub(r"[\s().-]", "", text.casefold())


@dataclass
class Gate:
    """Runs read and local calls at once and holds external ones for the user's yes."""

    log: ActionLog = field(default_factory=MemoryActionLog)
    ttl: timedelta = timedelta(minutes=10)
    clock: Clock = SYSTEM_CLOCK

    def now(self) -> datetime:
        """The clock's instant in the local zone: what the user is shown."""
        return self.clock.now().astimezone()

    capture: Capture = _no_capture
    # One decision at a time: two "yes" for one action must not run it twice.
    _deciding: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def submit(
        self,
        tool: Tool[Any],
        arguments: dict[str, Any],
        origin: Origin,
        flags: tuple[str, ...] = (),
        conversation_id: str | None = None,
    ) -> tuple[ActionRecord, ToolResult | None]:
        """Validate and either run (``read``/``local``) or hold (``external``) the call.

        A turn no user started (a skill, a calling agent over MCP) cannot act outside:
        its external calls are refused and recorded as such."""
        args = tool.parse(arguments)
        record = ActionRecord(
            id=uuid.uuid4().hex[:12],
            tool=tool.name,
            effect=tool.effect,
            arguments=args.model_dump(mode="json"),
            proposal=tool.proposal(args),
            origin=origin,
            status="pending",
            created_at=self.now(),
            flags=flags,
            conversation_id=conversation_id,
        )
        if tool.effect is Effect.EXTERNAL:
            if origin == "skill":
                self.log.save(replace(record, status="rejected", result="not asked by the user"))
                raise GateError(f"{tool.name} acts outside the phone and no user asked for it")
            held = replace(record, expires_at=record.created_at + self.ttl)
            self.log.save(held)
            return held, None
        return self._run(record, tool, args)

    def confirm(
        self, action_id: str, tools: dict[str, Tool[Any]]
    ) -> tuple[ActionRecord, ToolResult]:
        with self._deciding:
            record = self._pending(action_id)
            tool = tools.get(record.tool)
            if tool is None:
                raise GateError(f"{record.tool} is no longer available")
            if record.origin == "skill" and tool.effect is Effect.EXTERNAL:
                self.log.save(replace(record, status="rejected", result="not asked by the user"))
                raise GateError(f"{tool.name} acts outside the phone and no user asked for it")
            record = replace(record, status="confirmed")
            self.log.save(record)
        done, result = self._run(record, tool, tool.parse(record.arguments))
        assert result is not None or done.status == "failed"
        if result is None:
            raise GateError(done.result or f"{record.tool} failed")
        return done, result

    def reject(self, action_id: str) -> ActionRecord:
        with self._deciding:
            record = replace(self._pending(action_id), status="rejected", result="you said no")
            self.log.save(record)
        return record

    def pending(self) -> list[ActionRecord]:
        return [r for r in self.log.undecided() if self._fresh(r)]

    def _pending(self, action_id: str) -> ActionRecord:
        record = self.log.get(action_id)
        if record is None:
            raise GateError(f"no action {action_id}")
        if not self._fresh(record):
            self.log.save(replace(record, status="expired"))
            raise GateError(f"action {action_id} expired; ask again")
        if record.status != "pending":
            raise GateError(f"action {action_id} is already {record.status}")
        return record

    def is_fresh(self, record: ActionRecord) -> bool:
        """False for a pending action past its time (and it is marked expired then)."""
        return self._fresh(record)

    def _fresh(self, record: ActionRecord) -> bool:
        if record.status == "pending" and record.expires_at and record.expires_at <= self.now():
            self.log.save(replace(record, status="expired"))
            return False
        return True

    def _run(
        self, record: ActionRecord, tool: Tool[Any], args: Any
    ) -> tuple[ActionRecord, ToolResult | None]:
        with self.capture() as ran:
            try:
                result = tool.execute(args)
            except ToolError as exc:
                result = None
                failure = str(exc)
        argv = tuple(tuple(line) for line in ran)
        if result is None:
            failed = replace(record, status="failed", result=failure, argv=argv)
            self.log.save(failed)
            return failed, None
        done = replace(record, status="done", result=result.text, argv=argv)
        self.log.save(done)
        return done, result
