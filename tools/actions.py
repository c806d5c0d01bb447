"""The actions table's one owner: pending actions, their confirmations, and the audit.

Every call the :class:`~.gate.Gate` sees is a row here, saved at each step of its life:
``pending`` (an external action waiting for the user's yes) → ``confirmed`` → ``done``
or ``failed``; or ``rejected`` (the user said no, or no user asked) or ``expired``. A
row says who asked (the user, a skill, an MCP client, and in which conversation), the
validated arguments and the proposal in words, what only sensed text held (flags),
each command line that ran and what came back. It outlives the daemon, so a pending
action survives a restart and expires on its own clock.

The user reads it (``pocketmind actions history``, ``GET /actions``) and can forget a
row, which deletes it (the database overwrites deleted pages). Export takes finished
rows through the same redaction as everything else (``export_rows``).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from ..db import Connection, Database
from ..memory.instants import from_db, to_db
from ..schema import exports, migration
from ..sensing.termux import TermuxApi
from .base import Effect
from .gate import ActionRecord

STATUSES = ("pending", "confirmed", "rejected", "expired", "done", "failed")
_COLUMNS = (
    "id, tool, effect, arguments, proposal, origin, conversation_id, status, flags, argv, "
    "result, created_at, expires_at"
)


@migration(12, "m012_actions")
def m012_actions(db: Connection) -> None:
    """Every tool call, owned by ``tools/actions.py``: the audit the user reads.

    A row is one call: the tool, its validated arguments, the proposal in words, who
    asked (``origin``: the user, a skill, an MCP client; ``conversation_id`` for chat's
    "yes"), the numbers or addresses only sensed text held (``flags``), its state, each
    command line it ran (``argv``) and what came back. ``id`` is the short id the user
    types; ``seq`` orders the history and is the export's watermark.
    """
    db.execute(
        """
        CREATE TABLE actions (
            seq INTEGER PRIMARY KEY,
            id TEXT NOT NULL UNIQUE,
            tool TEXT NOT NULL,
            effect TEXT NOT NULL CHECK (effect IN ('read', 'local', 'external')),
            arguments TEXT NOT NULL CHECK (json_valid(arguments)),
            proposal TEXT NOT NULL,
            origin TEXT NOT NULL CHECK (origin IN ('user', 'skill', 'mcp')),
            conversation_id TEXT,
            status TEXT NOT NULL CHECK (status IN
                ('pending', 'confirmed', 'rejected', 'expired', 'done', 'failed')),
            flags TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(flags)),
            argv TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(argv)),
            result TEXT,
            created_at TEXT NOT NULL,
            expires_at TEXT,
            updated_at TEXT NOT NULL
        )
        """
    )
    db.execute(
        "CREATE INDEX actions_pending ON actions(conversation_id, seq) WHERE status = 'pending'"
    )


class ActionBook:
    """The :class:`~.gate.ActionLog` the daemon uses: the ``actions`` table."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def save(self, record: ActionRecord) -> None:
        """Insert the call, or move it on (pending → confirmed → done or failed; pending →
        rejected or expired); its arguments and proposal never change."""
        with self.db.transaction():
            self.db.execute(
                "INSERT INTO actions (id, tool, effect, arguments, proposal, origin, "
                "conversation_id, status, flags, argv, result, created_at, expires_at, "
                "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT(id) DO UPDATE SET status = excluded.status, "
                "result = excluded.result, argv = excluded.argv, flags = excluded.flags, "
                "updated_at = excluded.updated_at "
                # Forward only: a stale copy (one read as pending just before the user's
                # yes) must not turn a done action back into an expired one.
                "WHERE actions.status = 'pending' OR (actions.status = 'confirmed' "
                "AND excluded.status IN ('done', 'failed'))",
                (
                    record.id,
                    record.tool,
                    record.effect.value,
                    json.dumps(record.arguments, ensure_ascii=False),
                    record.proposal,
                    record.origin,
                    record.conversation_id,
                    record.status,
                    json.dumps(list(record.flags), ensure_ascii=False),
                    json.dumps([list(a) for a in record.argv], ensure_ascii=False),
                    record.result,
                    to_db(record.created_at),
                    to_db(record.expires_at) if record.expires_at else None,
                    to_db(datetime.now().astimezone()),
                ),
            )

    def get(self, action_id: str) -> ActionRecord | None:
        row = self.db.one(f"SELECT {_COLUMNS} FROM actions WHERE id = ?", (action_id,))
        return _record(row) if row else None

    def recent(self, limit: int = 50) -> list[ActionRecord]:
        return self.history(limit)

    def history(self, limit: int = 50, status: str | None = None) -> list[ActionRecord]:
        """The newest calls first; ``status`` keeps only those in that state."""
        if status is not None and status not in STATUSES:
            raise ValueError(f"status: one of {', '.join(STATUSES)}, not {status!r}")
        where, args = ("WHERE status = ?", [status]) if status else ("", [])
        rows = self.db.query(
            f"SELECT {_COLUMNS} FROM actions {where} ORDER BY seq DESC LIMIT ?", (*args, limit)
        )
        return [_record(row) for row in rows]

    def undecided(self) -> list[ActionRecord]:
        return self.history(10_000, "pending")

    def latest(self, conversation_id: str) -> ActionRecord | None:
        """The newest action proposed in this conversation, whatever became of it (a
        pending one may be stale: the gate decides whether it has expired)."""
        row = self.db.one(
            f"SELECT {_COLUMNS} FROM actions WHERE conversation_id = ? ORDER BY seq DESC LIMIT 1",
            (conversation_id,),
        )
        return _record(row) if row else None

    def forget(self, action_id: str) -> bool:
        """Delete one call from the audit (and so from every later export)."""
        with self.db.transaction():
            gone = self.db.execute("DELETE FROM actions WHERE id = ?", (action_id,)).rowcount
        return bool(gone)

    def export_rows(self, since: int, scrub: Callable[[str], str]) -> tuple[list[Any], int]:
        """Finished calls after ``seq`` ``since``, redacted by ``scrub``: the audit rows
        an export writes, and the highest ``seq`` seen (its next watermark)."""
        rows = self.db.query(
            f"SELECT seq, {_COLUMNS} FROM actions WHERE seq > ? AND status IN "
            "('done', 'failed', 'rejected', 'expired') ORDER BY seq",
            (since,),
        )
        out = []
        for row in rows:
            record = _record(row[1:])
            out.append(
                {
                    "id": record.id,
                    "tool": record.tool,
                    "origin": record.origin,
                    "conversation_id": record.conversation_id,
                    "status": record.status,
                    "arguments": _scrubbed(record.arguments, scrub),
                    "proposal": scrub(record.proposal),
                    "result": scrub(record.result) if record.result else None,
                    "created_at": record.created_at.isoformat(),
                }
            )
        return out, max((row[0] for row in rows), default=since)


def _scrubbed(value: Any, scrub: Callable[[str], str]) -> Any:
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, dict):
        return {k: _scrubbed(v, scrub) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrubbed(v, scrub) for v in value]
    return value


def _record(row: Any) -> ActionRecord:
    return ActionRecord(
        id=row[0],
        tool=row[1],
        effect=Effect(row[2]),
        arguments=json.loads(row[3]),
        proposal=row[4],
        origin=row[5],
        conversation_id=row[6],
        status=row[7],
        flags=tuple(json.loads(row[8])),
        argv=tuple(tuple(a) for a in json.loads(row[9])),
        result=row[10],
        created_at=from_db(row[11]),
        expires_at=from_db(row[12]) if row[12] else None,
    )


class ArgvRecorder:
    """A :class:`TermuxApi` that notes each command line run while a tool executes, so
    the audit holds exactly what reached the phone (``Gate(capture=recorder.capture)``).
    Per thread: two calls running at once never see each other's lines."""

    def __init__(self, inner: TermuxApi) -> None:
        self.inner = inner
        self._local = threading.local()

    @contextmanager
    def capture(self) -> Iterator[list[list[str]]]:
        lines: list[list[str]] = []
        self._local.lines = lines
        try:
            yield lines
        finally:
            self._local.lines = None

    def _note(self, command: str, args: tuple[str, ...]) -> None:
        lines = getattr(self._local, "lines", None)
        if lines is not None:
            lines.append([command, *args])

    def has(self, command: str) -> bool:
        return self.inner.has(command)

    def run(self, command: str, *args: str, timeout: float = 10.0, stdin: str | None = None) -> str:
        self._note(command, args)
        return self.inner.run(command, *args, timeout=timeout, stdin=stdin)

    def run_json(self, command: str, *args: str, timeout: float = 10.0) -> Any:
        self._note(command, args)
        return self.inner.run_json(command, *args, timeout=timeout)


@exports("actions")
def export_actions(db: Database, since: int, scrub: Callable[[str], str]) -> tuple[list[Any], int]:
    """The audit's finished calls for ``actions.jsonl`` (see ``ActionBook.export_rows``)."""
    return ActionBook(db).export_rows(since, scrub)
